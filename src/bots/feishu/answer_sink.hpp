#pragma once
// The pipeline's ResponseSink for the bot: keeps the answer's text (or the error) instead of
// writing HTTP, for the reply in the chat. The bot asks for whole answers, never streams.

#include <optional>
#include <string>

#include "chat/answer_text.hpp"
#include "chat/response_sink.hpp"

namespace bots::feishu {

class AnswerSink final : public chat::ResponseSink {
 public:
  boost::asio::awaitable<void> send_error(const providers::ApiError& error) override;
  boost::asio::awaitable<void> send_completion(std::string&& body) override;
  void begin_stream() override {}
  boost::asio::awaitable<bool> write_events(std::string_view events) override;
  boost::asio::awaitable<void> end_stream(std::string_view last_events) override;
  // Nobody can leave: the work simply runs.
  boost::asio::awaitable<bool> run_watching_client(boost::asio::awaitable<void>&& work,
                                                   std::function<void()>&& on_client_gone) override;

  const std::optional<providers::ApiError>& error() const { return error_; }
  const std::string& text() const { return answer_.text(); }

 private:
  std::optional<providers::ApiError> error_;
  chat::AnswerText answer_;
};

// What the chat sees when the model call failed: one or two short sentences that say what
// happened and who can fix it ("ask an administrator to recharge the key").
std::string error_reply(const providers::ApiError& error, const std::string& model);

// At most `max_bytes` of UTF-8 text, cut at a character boundary, with a note when cut.
std::string fit_reply(std::string text, std::size_t max_bytes);

}  // namespace bots::feishu
