#pragma once
// Where an answer goes: an HTTP client (api/v1) or, later, the Feishu bot. The pipeline
// writes through this and never sees the transport.

#include <functional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "providers/provider.hpp"

namespace chat {

class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  virtual boost::asio::awaitable<void> send_error(const providers::ApiError& error) = 0;
  // A whole chat.completion object, serialized.
  virtual boost::asio::awaitable<void> send_completion(std::string&& body) = 0;
  // Starts a stream; it goes out with the first events, whose write tells whether the
  // client is still there.
  virtual void begin_stream() = 0;
  virtual boost::asio::awaitable<bool> write_events(std::string_view events) = 0;
  // Writes the last events and ends the stream.
  virtual boost::asio::awaitable<void> end_stream(std::string_view last_events) = 0;
  // Runs `work`; if the client leaves meanwhile, calls `on_client_gone` at once. Returns
  // true when the client left.
  virtual boost::asio::awaitable<bool> run_watching_client(
      boost::asio::awaitable<void>&& work, std::function<void()>&& on_client_gone) = 0;
};

}  // namespace chat
