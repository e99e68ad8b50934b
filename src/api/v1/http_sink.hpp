#pragma once
// chat::ResponseSink over an HTTP exchange: OpenAI JSON and server-sent events.

#include "chat/response_sink.hpp"
#include "http/server/exchange.hpp"

namespace api::v1 {

class HttpSink final : public chat::ResponseSink {
 public:
  explicit HttpSink(http::Exchange& exchange) : exchange_(exchange) {}

  boost::asio::awaitable<void> send_error(const providers::ApiError& error) override;
  boost::asio::awaitable<void> send_completion(std::string&& body) override;
  void begin_stream() override;
  boost::asio::awaitable<bool> write_events(std::string_view events) override;
  boost::asio::awaitable<void> end_stream(std::string_view last_events) override;
  boost::asio::awaitable<bool> run_watching_client(boost::asio::awaitable<void>&& work,
                                                   std::function<void()>&& on_client_gone) override;

 private:
  http::Exchange& exchange_;
};

}  // namespace api::v1
