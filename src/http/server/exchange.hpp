#pragma once
// One request and its answer, as a handler sees it. An answer is either one Response or a
// stream (begin_stream, write_stream..., end_stream). Writes are awaited one at a time, so a
// slow client slows the producer: that is the relay's backpressure.

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include "http/message.hpp"

// Coroutines here and elsewhere take class-type parameters by reference, never by value:
// GCC 12 relocates by-value arguments created inside a co_await expression bitwise, which
// corrupts types such as std::string (see docs/architecture.md, "GCC 12 and coroutines").

namespace http {

class Exchange {
 public:
  virtual ~Exchange() = default;

  virtual const Request& request() const = 0;
  virtual std::string_view request_id() const = 0;
  // When the request started, for latency measurements.
  virtual std::chrono::steady_clock::time_point started_at() const = 0;

  virtual boost::asio::awaitable<void> respond(Response&& response) = 0;
  // The status sent (0 before an answer began), for metrics and logs.
  virtual int response_status() const = 0;

  // Starts a chunked answer. The status line and headers go out with the first chunk (or
  // the end), in one write, whose error tells whether the client is still there.
  virtual void begin_stream(int status, Headers&& headers) = 0;
  // Sends bytes as one chunk; an error means the client is gone.
  virtual boost::asio::awaitable<boost::system::error_code> write_stream(
      std::string_view bytes) = 0;
  // Sends `last_bytes` (if any) as a chunk and ends the answer, in one write.
  virtual boost::asio::awaitable<boost::system::error_code> end_stream(
      std::string_view last_bytes) = 0;

  // Runs `work` while watching the client connection. If the client closes it first,
  // `on_client_gone` runs at once (it should cancel whatever `work` waits on) and the
  // result is true after `work` has returned.
  virtual boost::asio::awaitable<bool> run_watching_client(
      boost::asio::awaitable<void>&& work, std::function<void()>&& on_client_gone) = 0;
};

}  // namespace http
