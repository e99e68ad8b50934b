#pragma once
// The pipeline's ResponseSink for the bot: keeps the answer's text (or the error) instead of
// writing HTTP, for the reply in the chat. The bot asks for whole answers, never streams.

#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>

#include "chat/answer_text.hpp"
#include "chat/response_sink.hpp"

namespace bots::feishu {

// The model calls of the messages being answered, to end when the gateway must stop (its
// grace period is over): each ends as if an HTTP client had left, so the pipeline stops the
// upstream call and charges and records what was used.
class Endings {
 public:
  using Entry = std::list<std::function<void()>>::iterator;
  // `end` runs on the thread that calls end_all (or at once, when that already happened).
  Entry add(std::function<void()> end);
  void remove(Entry entry);
  void end_all();

 private:
  std::mutex mutex_;
  std::list<std::function<void()>> ends_;
  bool ended_ = false;
};

class AnswerSink final : public chat::ResponseSink {
 public:
  // Without `endings`, nothing ends the work early.
  explicit AnswerSink(Endings* endings = nullptr) : endings_(endings) {}
  boost::asio::awaitable<void> send_error(const providers::ApiError& error) override;
  boost::asio::awaitable<void> send_completion(std::string&& body) override;
  void begin_stream() override {}
  boost::asio::awaitable<bool> write_events(std::string_view events) override;
  boost::asio::awaitable<void> end_stream(std::string_view last_events) override;
  // Nobody leaves a chat; the work runs until it ends, unless `endings` ends it first (true
  // then, as for a client that left).
  boost::asio::awaitable<bool> run_watching_client(boost::asio::awaitable<void>&& work,
                                                   std::function<void()>&& on_client_gone) override;

  const std::optional<providers::ApiError>& error() const { return error_; }
  const std::string& text() const { return answer_.text(); }

 private:
  Endings* endings_;
  std::optional<providers::ApiError> error_;
  chat::AnswerText answer_;
};

// What the chat sees when the model call failed: one or two short sentences that say what
// happened and who can fix it ("ask an administrator to recharge the key").
std::string error_reply(const providers::ApiError& error, const std::string& model);

// At most `max_bytes` of UTF-8 text, cut at a character boundary, with a note when cut.
std::string fit_reply(std::string text, std::size_t max_bytes);

}  // namespace bots::feishu
