#include "http/server/server.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <list>
#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "core/api_key.hpp"
#include "http/io_pool.hpp"
#include "http/wire.hpp"
#include "telemetry/log.hpp"

namespace http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;
constexpr auto kTuple = net::as_tuple(use_awaitable);
constexpr std::size_t kConnectionBuffer = 4 * 1024;
constexpr std::uint64_t kLargeBodyRead = 256 * 1024;
// What one read between requests may take, as Beast's own header read does.
constexpr std::size_t kMaxHeaderRead = 64 * 1024;
// How long the acceptor waits after accept() failed for want of descriptors or memory.
constexpr std::chrono::milliseconds kAcceptPause{100};

namespace {

// A connection as the drain logic sees it; lives in its I/O thread's registry.
struct LiveConnection {
  beast::tcp_stream* stream = nullptr;
  bool idle = true;  // waiting for the next request, nothing of it read yet
};
thread_local std::list<LiveConnection*> t_live_connections;

bool is_safe_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

Request to_request(bhttp::request<bhttp::string_body>&& beast_request,
                   const std::string& remote_address) {
  Request request;
  request.method = std::string(beast_request.method_string());
  request.target = std::string(beast_request.target());
  auto question = request.target.find('?');
  request.path = request.target.substr(0, question);
  if (question != std::string::npos) request.query = request.target.substr(question + 1);
  request.headers.entries.reserve(16);
  for (const auto& field : beast_request) {
    request.headers.add(std::string(field.name_string()), std::string(field.value()));
  }
  request.body = std::move(beast_request.body());
  request.remote_address = remote_address;
  return request;
}

}  // namespace

struct Server::State : std::enable_shared_from_this<Server::State> {
  IoPool& io;
  ServerLimits limits;
  Handler handler;
  ErrorRenderer render_error;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::atomic<std::size_t> open{0};
  std::atomic<bool> draining{false};
  std::mutex drained_mutex;
  std::function<void()> on_drained;

  State(IoPool& io_pool, ServerLimits server_limits, Handler h, ErrorRenderer r)
      : io(io_pool), limits(server_limits), handler(std::move(h)), render_error(std::move(r)) {}

  void connection_closed() {
    if (open.fetch_sub(1) == 1 && draining.load()) notify_drained();
  }
  void notify_drained() {
    std::function<void()> callback;
    {
      std::lock_guard lock(drained_mutex);
      callback = std::move(on_drained);
      on_drained = nullptr;
    }
    if (callback) callback();
  }
};

namespace {

class ExchangeImpl final : public Exchange {
 public:
  ExchangeImpl(Server::State& state, beast::tcp_stream& stream, beast::flat_buffer& buffer,
               Request request, std::string request_id, bool keep_alive, unsigned version)
      : state_(state),
        stream_(stream),
        buffer_(buffer),
        request_(std::move(request)),
        request_id_(std::move(request_id)),
        keep_alive_(keep_alive),
        version_(version),
        started_at_(std::chrono::steady_clock::now()) {}

  const Request& request() const override { return request_; }
  std::string_view request_id() const override { return request_id_; }
  std::chrono::steady_clock::time_point started_at() const override { return started_at_; }

  bool answered() const { return answered_; }
  int response_status() const override { return status_; }
  bool keep_alive() const { return keep_alive_ && !broken_; }

  awaitable<void> respond(Response&& response) override {
    answered_ = true;
    status_ = response.status;
    bhttp::response<bhttp::string_body> message{static_cast<bhttp::status>(response.status),
                                                version_};
    message.set(bhttp::field::content_type, response.content_type);
    message.set("x-request-id", request_id_);
    for (auto& [name, value] : response.headers.entries) message.set(name, value);
    message.body() = std::move(response.body);
    message.keep_alive(keep_alive());
    message.prepare_payload();
    std::string head;
    head.reserve(256);
    wire::append_head(head, message.base());
    wire::Pieces pieces{net::buffer(head), net::buffer(message.body())};
    boost::system::error_code ec;
    wire::send_now(stream_.socket(), pieces, ec);
    if (!ec && pieces[0].size() + pieces[1].size() > 0) {
      stream_.expires_after(state_.limits.client_timeout);
      auto [write_ec, bytes] = co_await net::async_write(stream_, pieces, kTuple);
      ec = write_ec;
    }
    if (ec) broken_ = true;
  }

  // The header block waits for the first chunk (or the end) and goes out in the same write:
  // one packet and one wake-up of the client instead of two.
  void begin_stream(int status, Headers&& headers) override {
    answered_ = true;
    status_ = status;
    bhttp::response<bhttp::empty_body> message{static_cast<bhttp::status>(status), version_};
    message.set("x-request-id", request_id_);
    for (auto& [name, value] : headers.entries) message.set(name, value);
    message.keep_alive(keep_alive());
    message.chunked(true);
    pending_head_.clear();
    pending_head_.reserve(256);
    wire::append_head(pending_head_, message.base());
  }

  awaitable<boost::system::error_code> write_stream(std::string_view bytes) override {
    if (broken_) co_return net::error::broken_pipe;
    // The chunk as Beast's make_chunk frames it: size line, data, CRLF.
    char size_line[2 * sizeof(std::size_t) + 2];
    std::size_t size_line_length = wire::chunk_size_line(bytes.size(), size_line);
    wire::Buffers<4> pieces{net::buffer(pending_head_), net::buffer(size_line, size_line_length),
                            net::buffer(bytes.data(), bytes.size()), net::buffer("\r\n", 2)};
    auto ec = co_await send_all(pieces);
    pending_head_.clear();
    co_return ec;
  }

  awaitable<boost::system::error_code> end_stream(std::string_view last_bytes) override {
    if (broken_) co_return net::error::broken_pipe;
    char size_line[2 * sizeof(std::size_t) + 2];
    std::size_t size_line_length = 0;
    std::string_view crlf;
    if (!last_bytes.empty()) {
      size_line_length = wire::chunk_size_line(last_bytes.size(), size_line);
      crlf = "\r\n";
    }
    constexpr std::string_view kLastChunk = "0\r\n\r\n";
    wire::Buffers<5> pieces{net::buffer(pending_head_), net::buffer(size_line, size_line_length),
                            net::buffer(last_bytes.data(), last_bytes.size()),
                            net::buffer(crlf.data(), crlf.size()),
                            net::buffer(kLastChunk.data(), kLastChunk.size())};
    auto ec = co_await send_all(pieces);
    pending_head_.clear();
    co_return ec;
  }

  awaitable<bool> run_watching_client(awaitable<void>&& work,
                                      std::function<void()>&& on_client_gone) override {
    // Watching is a wait for readability with a plain handler, not a second coroutine: the
    // spawn, a frame, a timer and three completion hops per request cost more than the
    // routing of the request. The handler may run after the watch ended (a cancelled wait
    // completes later), so its state is shared and it does nothing once the watch is over.
    auto watch = std::make_shared<ClientWatch>();
    watch->on_client_gone = &on_client_gone;
    arm_watch(watch);
    std::exception_ptr failure;
    try {
      co_await std::move(work);
    } catch (...) {
      failure = std::current_exception();
    }
    watch->active = false;
    if (watch->pending) {
      // Only the watch's wait is pending on the socket now.
      boost::system::error_code ignored;
      stream_.socket().cancel(ignored);
    }
    if (failure) std::rethrow_exception(failure);
    if (watch->gone) broken_ = true;
    co_return watch->gone;
  }

 private:
  struct ClientWatch {
    bool active = true;    // the exchange still watches: `on_client_gone` and it are alive
    bool pending = false;  // a wait is outstanding on the socket
    bool gone = false;
    const std::function<void()>* on_client_gone = nullptr;
  };

  // Writes `pieces` at once where the socket takes them, the rest under the client timeout.
  template <std::size_t N>
  awaitable<boost::system::error_code> send_all(wire::Buffers<N>& pieces) {
    boost::system::error_code ec;
    wire::send_now(stream_.socket(), pieces, ec);
    if (!ec && wire::remaining(pieces) > 0) {
      stream_.expires_after(state_.limits.client_timeout);
      auto [write_ec, written] = co_await net::async_write(stream_, pieces, kTuple);
      ec = write_ec;
    }
    if (ec) broken_ = true;
    co_return ec;
  }

  void arm_watch(const std::shared_ptr<ClientWatch>& watch) {
    watch->pending = true;
    stream_.socket().async_wait(tcp::socket::wait_read,
                                [this, watch](const boost::system::error_code& ec) {
                                  watch->pending = false;
                                  if (watch->active) on_readable(watch, ec);
                                });
  }

  void on_readable(const std::shared_ptr<ClientWatch>& watch, const boost::system::error_code& ec) {
    // A client waiting for its answer sends nothing; EOF or a reset means it left. Bytes
    // that do arrive (a pipelined request) stay in the buffer for the next parse.
    constexpr std::size_t kMaxBuffered = 64 * 1024;
    constexpr std::size_t kReadSize = 4096;
    if (ec == net::error::operation_aborted) return;
    bool left = static_cast<bool>(ec);
    if (!left) {
      auto space = buffer_.prepare(kReadSize);
      auto received =
          ::recv(stream_.socket().native_handle(), space.data(), space.size(), MSG_DONTWAIT);
      if (received > 0) {
        buffer_.commit(static_cast<std::size_t>(received));
      } else if (received == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        left = true;
      }
    }
    if (left) {
      watch->gone = true;
      if (*watch->on_client_gone) (*watch->on_client_gone)();
      return;
    }
    if (buffer_.size() < kMaxBuffered) arm_watch(watch);
  }

  Server::State& state_;
  beast::tcp_stream& stream_;
  beast::flat_buffer& buffer_;
  std::string pending_head_;  // a stream's header block, sent with its first chunk
  Request request_;
  std::string request_id_;
  bool keep_alive_;
  unsigned version_;
  std::chrono::steady_clock::time_point started_at_;
  bool answered_ = false;
  bool broken_ = false;
  int status_ = 0;
};

// Writes a server-level error and reports whether the connection may be reused.
awaitable<void> write_error(Server::State& state, beast::tcp_stream& stream, std::string_view path,
                            int status, const std::string& message, std::string_view request_id) {
  Response response = state.render_error(path, status, message);
  bhttp::response<bhttp::string_body> reply{static_cast<bhttp::status>(status), 11};
  reply.set(bhttp::field::content_type, response.content_type);
  reply.set("x-request-id", request_id);
  reply.body() = std::move(response.body);
  reply.keep_alive(false);
  reply.prepare_payload();
  stream.expires_after(state.limits.client_timeout);
  co_await bhttp::async_write(stream, reply, kTuple);
}

// After an early error reply, read and discard what the client is still sending (bounded in
// time and size) so that it sees our answer instead of a connection reset.
awaitable<void> linger_and_close(Server::State& state, beast::tcp_stream& stream) {
  boost::system::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  std::array<char, 16 * 1024> sink;
  std::uint64_t discarded = 0;
  stream.expires_after(std::min(state.limits.client_timeout, std::chrono::milliseconds(5000)));
  while (discarded < 4 * state.limits.max_body_bytes + (1u << 20)) {
    auto [read_ec, bytes] = co_await stream.async_read_some(net::buffer(sink), kTuple);
    if (read_ec) break;
    discarded += bytes;
  }
  stream.socket().close(ec);
}

struct Refusal {
  int status;
  std::string message;
};

// RFC 9112 6.1 and 6.3: with Transfer-Encoding, chunked must be the last coding, or the
// body's end cannot be known (400); other codings are not implemented here (501). Either way
// the connection closes: what follows the header cannot be told apart from a next request.
std::optional<Refusal> unsupported_framing(
    const bhttp::request_parser<bhttp::string_body>& parser) {
  const auto& header = parser.get();
  auto codings = header.equal_range(bhttp::field::transfer_encoding);
  if (codings.first == codings.second) return std::nullopt;
  if (!parser.chunked()) {
    return Refusal{400, "Transfer-Encoding must end with chunked: the body's length is unknown"};
  }
  for (auto field = codings.first; field != codings.second; ++field) {
    for (auto coding : bhttp::token_list{field->value()}) {
      if (!beast::iequals(coding, "chunked")) {
        return Refusal{501, "Transfer-Encoding '" + std::string(coding) +
                                "' is not supported; send the body plain or chunked"};
      }
    }
  }
  return std::nullopt;
}

enum class ParseUntil { kHeaderEnd, kMessageEnd };

// Feeds what `buffer` holds to `parser` as Beast's read operations would, up to the end of
// the header or of the whole message; true when that point is reached. `ec` is set on a
// parse error (not when more bytes are needed).
bool parse_buffered(bhttp::request_parser<bhttp::string_body>& parser, beast::flat_buffer& buffer,
                    ParseUntil until, boost::system::error_code& ec) {
  parser.eager(until == ParseUntil::kMessageEnd);
  auto reached = [&] {
    return until == ParseUntil::kHeaderEnd ? parser.is_header_done() : parser.is_done();
  };
  while (!reached() && buffer.size() > 0) {
    std::size_t used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    if (ec == bhttp::error::need_more) {
      ec = {};
      break;
    }
    if (ec || used == 0) break;
  }
  return !ec && reached();
}

awaitable<void> run_connection(std::shared_ptr<Server::State> state, tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  // Beast reads max(512, free capacity) bytes at a time: room for a typical request's
  // header and body in one read.
  buffer.reserve(kConnectionBuffer);
  // Once per connection: rendering the address costs more than a request's routing.
  std::string remote_address;
  {
    boost::system::error_code ec;
    auto endpoint = stream.socket().remote_endpoint(ec);
    if (!ec) remote_address = endpoint.address().to_string();
  }
  LiveConnection live{&stream, true};
  auto registration = t_live_connections.insert(t_live_connections.end(), &live);
  bool first_request = true;

  for (;;) {
    if (state->draining.load()) break;
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(state->limits.max_header_bytes);
    // The body limit is set after the header: a Content-Length over it is answered 413
    // below, with the path known, instead of failing the header read.
    parser.body_limit(boost::none);

    boost::system::error_code header_ec;
    if (!first_request && buffer.size() == 0) {
      // Waiting for the next request has its own, longer timer. Once its first bytes are
      // here, the rest of its header must follow within the client timeout, as on a new
      // connection: a client that sends half a header is not held for the keep-alive time.
      live.idle = true;
      stream.expires_after(state->limits.keepalive_timeout);
      auto [idle_ec, bytes] = co_await stream.async_read_some(
          buffer.prepare(beast::read_size(buffer, kMaxHeaderRead)), kTuple);
      buffer.commit(bytes);
      header_ec = idle_ec;
    }
    first_request = false;
    // Usually the whole header came in that read: parse it in place, without a read
    // operation and its completion hop.
    if (!header_ec && !parse_buffered(parser, buffer, ParseUntil::kHeaderEnd, header_ec) &&
        !header_ec) {
      stream.expires_after(state->limits.client_timeout);
      auto [read_ec, header_bytes] =
          co_await bhttp::async_read_header(stream, buffer, parser, kTuple);
      header_ec = read_ec;
    }
    live.idle = false;
    if (header_ec) {
      std::string request_id = core::random_hex(16);
      if (header_ec == bhttp::error::header_limit) {
        co_await write_error(*state, stream, "", 431, "request header fields too large",
                             request_id);
      } else if (header_ec != bhttp::error::end_of_stream && header_ec != net::error::eof &&
                 header_ec != beast::error::timeout && header_ec != net::error::operation_aborted &&
                 header_ec != net::error::connection_reset && buffer.size() > 0) {
        co_await write_error(*state, stream, "", 400,
                             "malformed HTTP request: " + header_ec.message(), request_id);
      }
      break;
    }

    auto& header = parser.get();
    std::string request_id;
    if (auto incoming = header.find("x-request-id");
        incoming != header.end() && is_safe_request_id(incoming->value())) {
      request_id = std::string(incoming->value());
    } else {
      request_id = core::random_hex(16);
    }
    // A view into the parser's header, which lives until the request is released below.
    std::string_view path = header.target().substr(0, header.target().find('?'));

    if (auto refusal = unsupported_framing(parser)) {
      co_await write_error(*state, stream, path, refusal->status, refusal->message, request_id);
      co_await linger_and_close(*state, stream);
      break;
    }
    if (auto length = parser.content_length(); length && *length > state->limits.max_body_bytes) {
      co_await write_error(*state, stream, path, 413,
                           "request body of " + std::to_string(*length) +
                               " bytes exceeds the limit of " +
                               std::to_string(state->limits.max_body_bytes) + " bytes",
                           request_id);
      co_await linger_and_close(*state, stream);
      break;
    }
    if (auto expect = header.find(bhttp::field::expect);
        expect != header.end() && beast::iequals(expect->value(), "100-continue")) {
      bhttp::response<bhttp::empty_body> proceed{bhttp::status::continue_, header.version()};
      stream.expires_after(state->limits.client_timeout);
      auto [ec, bytes] = co_await bhttp::async_write(stream, proceed, kTuple);
      if (ec) break;
    }

    parser.body_limit(state->limits.max_body_bytes);
    boost::system::error_code body_ec;
    // Usually the body came with the header: parse it from the buffer without a read
    // operation (and its timer and completion hop); read only what is missing.
    if (!parse_buffered(parser, buffer, ParseUntil::kMessageEnd, body_ec) && !body_ec) {
      // A large body is read in pieces of up to kLargeBodyRead bytes, not 512.
      if (auto length = parser.content_length(); length && *length > buffer.capacity()) {
        buffer.reserve(std::min<std::uint64_t>(*length, kLargeBodyRead));
      }
      stream.expires_after(state->limits.client_timeout);
      auto [read_ec, body_bytes] = co_await bhttp::async_read(stream, buffer, parser, kTuple);
      body_ec = read_ec;
    }
    if (body_ec == bhttp::error::body_limit) {
      co_await write_error(*state, stream, path, 413,
                           "request body exceeds the limit of " +
                               std::to_string(state->limits.max_body_bytes) + " bytes",
                           request_id);
      co_await linger_and_close(*state, stream);
      break;
    }
    if (body_ec) {
      // A body that breaks HTTP's framing (a bad chunk size, a cut chunk) is answered before
      // the connection closes; a client that left or timed out gets nothing.
      if (body_ec.category() == bhttp::make_error_code(bhttp::error::bad_chunk).category() &&
          body_ec != bhttp::error::end_of_stream && body_ec != bhttp::error::partial_message) {
        co_await write_error(*state, stream, path, 400,
                             "malformed request body: " + body_ec.message(), request_id);
        co_await linger_and_close(*state, stream);
      }
      break;
    }
    stream.expires_never();

    bool keep_alive = parser.get().keep_alive();
    unsigned version = parser.get().version();
    ExchangeImpl exchange(*state, stream, buffer, to_request(parser.release(), remote_address),
                          std::move(request_id), keep_alive, version);
    bool failed = false;
    try {
      co_await state->handler(exchange);
    } catch (const std::exception& error) {
      LLMGATE_LOG_ERROR("request {} failed: {}", exchange.request_id(), error.what());
      failed = true;
    }
    if (failed) {
      if (!exchange.answered()) {
        co_await exchange.respond(state->render_error(
            exchange.request().path, 500,
            "internal error; request id " + std::string(exchange.request_id())));
      }
      break;
    }
    if (!exchange.answered()) {
      co_await exchange.respond(
          state->render_error(exchange.request().path, 500, "the handler gave no answer"));
    }
    if (!exchange.keep_alive()) break;
    // A large body grew the buffer: an idle connection goes back to the usual size.
    if (buffer.capacity() > kConnectionBuffer && buffer.size() <= kConnectionBuffer) {
      buffer.shrink_to_fit();
      buffer.reserve(kConnectionBuffer);
    }
  }

  boost::system::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream.socket().close(ec);
  t_live_connections.erase(registration);
  state->connection_closed();
}

// accept() fails this way while the process (or the system) has no descriptor or memory
// left; the waiting connection stays in the backlog, so trying again at once fails again.
bool out_of_resources(const boost::system::error_code& ec) {
  return ec == net::error::no_descriptors || ec == boost::system::errc::too_many_files_open ||
         ec == boost::system::errc::too_many_files_open_in_system ||
         ec == net::error::no_buffer_space || ec == net::error::no_memory;
}

awaitable<void> accept_loop(std::shared_ptr<Server::State> state) {
  net::steady_timer pause(state->acceptor->get_executor());
  bool paused = false;  // accepts failed for want of descriptors, since the last success
  for (;;) {
    auto& context = state->io.next();
    auto [ec, socket] = co_await state->acceptor->async_accept(context, kTuple);
    if (ec) {
      if (ec == net::error::operation_aborted || !state->acceptor->is_open()) co_return;
      if (!out_of_resources(ec)) {
        LLMGATE_LOG_WARN("accept failed: {}", ec.message());
        continue;
      }
      // Retrying at once would spin on the same failure and flood the log: wait, as nginx
      // does, and say so once per episode.
      if (!paused) {
        LLMGATE_LOG_WARN(
            "accept failed: {} ({} connections open); new connections wait in the backlog, "
            "retried every {} ms",
            ec.message(), state->open.load(), kAcceptPause.count());
      }
      paused = true;
      pause.expires_after(kAcceptPause);
      co_await pause.async_wait(kTuple);
      continue;
    }
    if (paused) {
      LLMGATE_LOG_INFO("accepting connections again ({} open)", state->open.load());
      paused = false;
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    state->open.fetch_add(1);
    auto executor = socket.get_executor();
    net::co_spawn(executor, run_connection(state, std::move(socket)),
                  [state](std::exception_ptr failure) {
                    if (!failure) return;
                    try {
                      std::rethrow_exception(failure);
                    } catch (const std::exception& error) {
                      LLMGATE_LOG_ERROR("connection failed: {}", error.what());
                    }
                  });
  }
}

}  // namespace

Server::Server(IoPool& io, ServerLimits limits, Handler handler, ErrorRenderer render_error)
    : state_(std::make_shared<State>(io, limits, std::move(handler), std::move(render_error))) {}

Server::~Server() = default;

std::uint16_t Server::listen(const std::string& host, std::uint16_t port) {
  auto& context = state_->io.at(0);
  tcp::endpoint endpoint(net::ip::make_address(host), port);
  state_->acceptor = std::make_unique<tcp::acceptor>(context);
  state_->acceptor->open(endpoint.protocol());
  state_->acceptor->set_option(net::socket_base::reuse_address(true));
  state_->acceptor->bind(endpoint);
  state_->acceptor->listen(net::socket_base::max_listen_connections);
  auto bound = state_->acceptor->local_endpoint().port();
  net::co_spawn(context, accept_loop(state_), net::detached);
  return bound;
}

void Server::drain(std::function<void()> on_drained) {
  {
    std::lock_guard lock(state_->drained_mutex);
    state_->on_drained = std::move(on_drained);
  }
  state_->draining.store(true);
  auto state = state_;
  net::post(state_->io.at(0), [state] {
    boost::system::error_code ignored;
    if (state->acceptor) state->acceptor->close(ignored);
  });
  // Idle keep-alive connections are closed; busy ones close after their answer.
  for (std::size_t i = 0; i < state_->io.size(); ++i) {
    net::post(state_->io.at(i), [] {
      for (auto* live : t_live_connections) {
        if (live->idle) {
          boost::system::error_code ignored;
          live->stream->socket().cancel(ignored);
        }
      }
    });
  }
  if (state_->open.load() == 0) state_->notify_drained();
}

void Server::end_requests() {
  for (std::size_t i = 0; i < state_->io.size(); ++i) {
    net::post(state_->io.at(i), [] {
      for (auto* live : t_live_connections) {
        // Both ways: a read (the client watch) sees the end at once, and a write to a client
        // that stopped reading fails instead of waiting for its timeout.
        boost::system::error_code ignored;
        live->stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
      }
    });
  }
}

std::size_t Server::open_connections() const { return state_->open.load(); }

}  // namespace http
