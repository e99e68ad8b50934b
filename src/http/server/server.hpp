#pragma once
// The HTTP/1.1 listener: one coroutine per connection, keep-alive, header and body limits,
// a deadline per phase, x-request-id on every answer, and a graceful drain on stop.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "http/server/exchange.hpp"

namespace boost::asio {
class io_context;
}

namespace http {

struct ServerLimits {
  std::uint64_t max_body_bytes = 32ull * 1024 * 1024;
  std::uint32_t max_header_bytes = 64 * 1024;
  std::chrono::milliseconds client_timeout{30'000};     // reading a request, writing a reply
  std::chrono::milliseconds keepalive_timeout{75'000};  // idle between requests
};

// The application: answers one exchange. It must not throw for expected failures; an
// escaping exception becomes a 500 and is logged with the request id.
using Handler = std::function<boost::asio::awaitable<void>(Exchange&)>;
// Renders the server's own errors (413, 431, 400 for unparseable HTTP) in the shape the
// path's clients expect.
using ErrorRenderer =
    std::function<Response(std::string_view path, int status, std::string message)>;

class IoPool;

class Server {
 public:
  Server(IoPool& io, ServerLimits limits, Handler handler, ErrorRenderer render_error);
  ~Server();

  // Binds and starts accepting; returns the bound port (useful with port 0).
  std::uint16_t listen(const std::string& host, std::uint16_t port);
  // Stops accepting, closes idle connections, lets in-flight exchanges finish. `on_drained`
  // runs (on some I/O thread) when the last connection has closed.
  void drain(std::function<void()> on_drained);
  // After drain's grace period: every connection still open is shut down, so its exchange
  // ends as if its client had left (the upstream call stops; the pipeline charges and records
  // what was used) and the connection closes; `on_drained` then runs as above.
  void end_requests();
  std::size_t open_connections() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace http
