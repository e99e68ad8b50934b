#include "http/client/upstream_call.hpp"

#include <sys/socket.h>

#include <array>
#include <chrono>
#include <memory>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "http/client/idle_pool.hpp"
#include "http/client/name_lookup.hpp"
#include "http/client/proxy.hpp"
#include "http/wire.hpp"

namespace http {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using net::awaitable;
constexpr auto kTuple = net::as_tuple(net::use_awaitable);

namespace {

constexpr std::size_t kMaxIdlePerOrigin = 64;
constexpr std::size_t kMaxIdlePerThread = 512;
// A proxy's answer to CONNECT is a status line and a few headers.
constexpr std::size_t kMaxProxyAnswer = 16 * 1024;
constexpr auto kMaxIdleAge = std::chrono::seconds(30);
constexpr std::size_t kReadChunk = 16 * 1024;
// Beast reads max(512, free capacity) bytes at a time: a connection's buffer starts at this
// size so that a whole typical answer arrives with one read instead of one per 512 bytes.
constexpr std::size_t kConnectionBuffer = 16 * 1024;
// A connection back in the pool for less than this is not probed with a recv() before reuse:
// servers keep idle connections for seconds, and a reused connection that fails before any
// answer byte is retried on a fresh one anyway (UpstreamCall::start).
constexpr auto kProbeAfterIdle = std::chrono::seconds(1);

ssl::context& tls_context() {
  static ssl::context* context = [] {
    auto* created = new ssl::context(ssl::context::tls_client);
    created->set_default_verify_paths();
    created->set_verify_mode(ssl::verify_peer);
    created->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                         ssl::context::no_tlsv1_1);
    return created;
  }();
  return *context;
}

}  // namespace

struct UpstreamCall::Connection {
  std::string origin;
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;
  std::chrono::steady_clock::time_point idle_since;
  bool reused = false;

  beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }

  // A pooled connection the peer closed (or sent something unexpected on) is useless.
  bool looks_alive() {
    auto idle_for = std::chrono::steady_clock::now() - idle_since;
    if (idle_for > kMaxIdleAge) return false;
    if (idle_for < kProbeAfterIdle) return true;
    char probe;
    auto received = ::recv(lowest().socket().native_handle(), &probe, 1, MSG_PEEK | MSG_DONTWAIT);
    return received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
};

struct UpstreamCall::Parser {
  bhttp::response_parser<bhttp::buffer_body> parser;
  std::array<char, kReadChunk> chunk;
};

namespace {

// Connections wait at most kMaxIdleAge (a server's own keep-alive is often 60 s or less),
// 64 per origin and 512 per I/O thread in all (idle_pool.hpp).
thread_local IdlePool<UpstreamCall::Connection> t_pool({.max_per_origin = kMaxIdlePerOrigin,
                                                        .max_total = kMaxIdlePerThread,
                                                        .max_age = kMaxIdleAge,
                                                        .sweep_every = std::chrono::seconds(5)});

std::unique_ptr<UpstreamCall::Connection> take_pooled(const std::string& origin) {
  auto connection =
      t_pool.take(origin, [](UpstreamCall::Connection& each) { return each.looks_alive(); });
  if (connection) connection->reused = true;
  return connection;
}

void give_back(std::unique_ptr<UpstreamCall::Connection> connection) {
  // A client's image URLs are one-off hosts a client may make up by the thousand: their
  // connections are not kept (they would crowd out the upstreams'). Nor are connections of
  // an io_context that stopped: at exit, a request ended on another thread than its own.
  if (connection->origin.ends_with("|public")) return;
  const auto executor = connection->lowest().get_executor();
  const auto* on_context = executor.target<net::io_context::executor_type>();
  if (on_context == nullptr || on_context->context().stopped()) return;
  connection->reused = false;
  const std::string origin = connection->origin;
  t_pool.give_back(origin, std::move(connection), std::chrono::steady_clock::now());
}

CallError connect_error(const std::string& what, const boost::system::error_code& ec) {
  if (ec == beast::error::timeout) return {CallErrorKind::kTimeout, what + ": timed out"};
  return {CallErrorKind::kConnect, what + ": " + ec.message()};
}

bool non_public(const net::ip::address& address) {
  if (address.is_v4()) {
    auto bytes = address.to_v4().to_bytes();
    return bytes[0] == 0 || bytes[0] == 10 || bytes[0] == 127 ||
           (bytes[0] == 100 && (bytes[1] & 0xC0) == 64) ||  // 100.64/10 carrier-grade NAT
           (bytes[0] == 169 && bytes[1] == 254) ||          // link-local, cloud metadata
           (bytes[0] == 172 && (bytes[1] & 0xF0) == 16) ||  // 172.16/12
           (bytes[0] == 192 && bytes[1] == 168) || bytes[0] >= 224;
  }
  auto v6 = address.to_v6();
  if (v6.is_v4_mapped()) return non_public(net::ip::make_address_v4(net::ip::v4_mapped, v6));
  auto bytes = v6.to_bytes();
  return v6.is_loopback() || v6.is_unspecified() || v6.is_link_local() || v6.is_multicast() ||
         (bytes[0] & 0xFE) == 0xFC;  // fc00::/7 unique local
}

// The endpoints of host:port by the deadline, into `out`.
awaitable<CallError> resolve(const std::string& host, std::uint16_t port,
                             std::chrono::steady_clock::time_point deadline, bool client_chosen,
                             std::vector<tcp::endpoint>& out) {
  const auto lookup = co_await look_up(host, port, deadline, client_chosen);
  if (lookup.timed_out) {
    co_return CallError{CallErrorKind::kTimeout,
                        "resolving " + host + ": timed out (upstream_connect_timeout)"};
  }
  if (lookup.error) co_return connect_error("resolving " + host, lookup.error);
  if (lookup.endpoints.empty()) {
    co_return CallError{CallErrorKind::kConnect, "resolving " + host + ": no address"};
  }
  out = lookup.endpoints;
  co_return CallError{};
}

// The proxy a plain-http request is sent to in absolute form (RFC 9112 3.2.2), as curl does,
// rather than through a tunnel: forward proxies such as Squid refuse CONNECT to ports other
// than 443 by default. Not for URLs a client chose, whose checked address is tunnelled to.
const ProxyServer* forwarding_proxy(const Url& url, bool public_only) {
  if (url.tls || public_only) return nullptr;
  return proxy_for(url);
}

// A proxy's refusal (407, or an error of its own) as the gateway tells it.
CallError proxy_refusal(const std::string& what, const std::string& status_line,
                        const ProxyServer& proxy) {
  if (status_line.find(" 407") != std::string::npos) {
    return CallError{
        CallErrorKind::kConnect,
        what + ": " + status_line +
            (proxy.authorization.empty() ? " (give the credentials in the proxy URL: "
                                           "http://user:password@host:port)"
                                         : " (the credentials in the proxy URL were refused)")};
  }
  return CallError{CallErrorKind::kConnect, what + " answered: " + status_line};
}

// Asks the proxy on `stream` for a tunnel to `authority` (host:port); the stream's expiry
// bounds it. After a 2xx the stream carries the upstream's bytes.
awaitable<CallError> open_tunnel(beast::tcp_stream& stream, const std::string& authority,
                                 const ProxyServer& proxy) {
  std::string request = "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n";
  if (!proxy.authorization.empty()) {
    request += "Proxy-Authorization: " + proxy.authorization + "\r\n";
  }
  request += "\r\n";
  const std::string what = "the proxy " + proxy.shown + " (CONNECT " + authority + ")";
  auto [write_ec, written] = co_await net::async_write(stream, net::buffer(request), kTuple);
  if (write_ec) co_return connect_error(what, write_ec);
  std::string answer;
  auto buffer = net::dynamic_buffer(answer, kMaxProxyAnswer);
  auto [read_ec, header_end] =
      co_await net::async_read_until(stream, std::move(buffer), "\r\n\r\n", kTuple);
  if (read_ec) co_return connect_error(what, read_ec);
  const std::string status_line = answer.substr(0, answer.find("\r\n"));
  const bool http = status_line.starts_with("HTTP/1.") && status_line.size() >= 12;
  const std::string status = http ? status_line.substr(9, 3) : "";
  if (status.size() == 3 && status[0] == '2') {
    // Neither TLS nor HTTP lets the upstream speak first: bytes after the header are wrong.
    if (header_end == answer.size()) co_return CallError{};
    co_return CallError{CallErrorKind::kProtocol, what + ": bytes after the proxy's answer"};
  }
  // A refusal usually comes with a body (Squid's error page), in the same read: not read.
  co_return proxy_refusal(what, status_line, proxy);
}

awaitable<CallError> open_connection(const Url& url, std::chrono::milliseconds timeout,
                                     bool public_only,
                                     std::unique_ptr<UpstreamCall::Connection>& out) {
  auto executor = co_await net::this_coro::executor;
  auto connection = std::make_unique<UpstreamCall::Connection>();
  connection->buffer.reserve(kConnectionBuffer);
  connection->origin = url.origin() + (public_only ? "|public" : "");
  // One deadline for the lookup, the connect, the proxy's tunnel and the handshake. A lookup
  // that outlasts it goes on alone (name_lookup.hpp).
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const ProxyServer* proxy = proxy_for(url);
  std::vector<tcp::endpoint> allowed;
  // Through a proxy, the proxy looks the upstream up, unless its address must be checked
  // here first (a URL a client chose): then the tunnel goes to the checked address.
  if (!proxy || public_only) {
    std::vector<tcp::endpoint> endpoints;
    if (auto error = co_await resolve(url.host, url.port, deadline, public_only, endpoints)) {
      co_return error;
    }
    for (const auto& endpoint : endpoints) {
      if (!public_only || !non_public(endpoint.address())) allowed.push_back(endpoint);
    }
    if (allowed.empty()) {
      co_return CallError{CallErrorKind::kConnect,
                          url.host + " resolves only to non-public addresses, which are refused"};
    }
  }
  std::string tunnel_to;
  if (proxy) {
    const std::string host = public_only ? allowed.front().address().to_string() : url.host;
    const bool ipv6 = host.find(':') != std::string::npos;
    tunnel_to = (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(url.port);
    allowed.clear();
    if (auto error = co_await resolve(proxy->host, proxy->port, deadline, false, allowed)) {
      co_return error;
    }
  }

  if (url.tls) {
    connection->secure =
        std::make_unique<beast::ssl_stream<beast::tcp_stream>>(executor, tls_context());
  } else {
    connection->plain = std::make_unique<beast::tcp_stream>(executor);
  }
  auto& lowest = connection->lowest();
  lowest.expires_at(deadline);
  auto [connect_ec, endpoint] = co_await lowest.async_connect(allowed, kTuple);
  if (connect_ec) {
    const std::string to = proxy ? "the proxy " + proxy->shown : url.origin();
    co_return connect_error("connecting to " + to, connect_ec);
  }
  boost::system::error_code ignored;
  lowest.socket().set_option(tcp::no_delay(true), ignored);
  if (proxy && !forwarding_proxy(url, public_only)) {
    if (auto error = co_await open_tunnel(lowest, tunnel_to, *proxy)) co_return error;
  }

  if (url.tls) {
    auto& stream = *connection->secure;
    boost::system::error_code address_ec;
    net::ip::make_address(url.host, address_ec);
    if (address_ec && !SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str())) {
      co_return CallError{CallErrorKind::kConnect, "setting TLS server name for " + url.host};
    }
    stream.set_verify_callback(ssl::host_name_verification(url.host));
    auto [handshake_ec] = co_await stream.async_handshake(ssl::stream_base::client, kTuple);
    if (handshake_ec) co_return connect_error("TLS handshake with " + url.origin(), handshake_ec);
  }
  lowest.expires_never();
  out = std::move(connection);
  co_return CallError{};
}

// `head` is the request's rendered header block (wire::append_head), written with the body
// in one gather write: Beast's serializer costs several times as much for the same bytes.
template <class Stream>
awaitable<boost::system::error_code> send_and_read_header(
    Stream& stream, beast::flat_buffer& buffer, const std::string& head, const std::string& body,
    bhttp::response_parser<bhttp::buffer_body>& parser) {
  wire::Pieces pieces{net::buffer(head), net::buffer(body)};
  if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
    boost::system::error_code ec;
    wire::send_now(stream.socket(), pieces, ec);
    if (ec) co_return ec;
  }
  if (pieces[0].size() + pieces[1].size() > 0) {
    auto [write_ec, written] = co_await net::async_write(stream, pieces, kTuple);
    if (write_ec) co_return write_ec;
  }
  auto [read_ec, read] = co_await bhttp::async_read_header(stream, buffer, parser, kTuple);
  co_return read_ec;
}

// Feeds what `buffer` holds to `parser` as Beast's read_some would: true when it produced
// body bytes or finished, false when more bytes must be read. `ec` is set on a parse error.
bool parse_buffered(bhttp::response_parser<bhttp::buffer_body>& parser, beast::flat_buffer& buffer,
                    boost::system::error_code& ec) {
  if (buffer.size() == 0) return false;
  std::size_t used = parser.put(buffer.data(), ec);
  buffer.consume(used);
  if (ec == bhttp::error::need_more) {
    ec = {};
    return false;
  }
  if (ec == bhttp::error::need_buffer) ec = {};
  return ec || used > 0;
}

template <class Stream>
awaitable<boost::system::error_code> read_body_some(
    Stream& stream, beast::flat_buffer& buffer,
    bhttp::response_parser<bhttp::buffer_body>& parser) {
  auto [ec, read] = co_await bhttp::async_read_some(stream, buffer, parser, kTuple);
  co_return ec;
}

}  // namespace

UpstreamCall::UpstreamCall(ClientTimeouts timeouts) : timeouts_(timeouts) {}

UpstreamCall::~UpstreamCall() {
  if (connection_ && body_done_ && !cancelled_ && parser_ && parser_->parser.is_done() &&
      parser_->parser.get().keep_alive() && connection_->buffer.size() == 0) {
    connection_->lowest().expires_never();
    give_back(std::move(connection_));
  }
}

int UpstreamCall::status() const { return parser_ ? parser_->parser.get().result_int() : 0; }

const Headers& UpstreamCall::headers() const {
  if (!headers_copied_ && parser_) {
    headers_.entries.reserve(16);
    for (const auto& field : parser_->parser.get()) {
      headers_.add(std::string(field.name_string()), std::string(field.value()));
    }
  }
  headers_copied_ = true;
  return headers_;
}

awaitable<CallError> UpstreamCall::start(const Url& url, OutgoingRequest&& request) {
  bhttp::request<bhttp::string_body> message;
  message.method_string(request.method);
  const ProxyServer* forward = forwarding_proxy(url, request.public_addresses_only);
  message.target(forward ? "http://" + url.host_header() + url.path + request.target
                         : url.path + request.target);
  message.version(11);
  message.set(bhttp::field::host, url.host_header());
  if (forward && !forward->authorization.empty()) {
    message.set(bhttp::field::proxy_authorization, forward->authorization);
  }
  for (const auto& [name, value] : request.headers.entries) message.set(name, value);
  message.body() = std::move(request.body);
  message.keep_alive(true);
  message.prepare_payload();
  std::string head;
  head.reserve(512);
  wire::append_head(head, message.base());

  // A pooled connection may have been closed by the peer in the meantime: one retry on a
  // fresh connection when a reused one fails before any answer byte.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (cancelled_) co_return CallError{CallErrorKind::kCancelled, "cancelled"};
    std::string origin = url.origin() + (request.public_addresses_only ? "|public" : "");
    connection_ = attempt == 0 ? take_pooled(origin) : nullptr;
    if (!connection_) {
      if (auto error = co_await open_connection(url, timeouts_.connect,
                                                request.public_addresses_only, connection_)) {
        connection_.reset();
        co_return error;
      }
      if (cancelled_) co_return CallError{CallErrorKind::kCancelled, "cancelled"};
    }
    // For overwrite: make_unique would zero the 16 KiB read chunk on every request.
    parser_ = std::make_unique_for_overwrite<Parser>();
    parser_->parser.body_limit(boost::none);
    parser_->parser.header_limit(64 * 1024);
    connection_->lowest().expires_after(timeouts_.first_byte);
    boost::system::error_code ec;
    if (connection_->secure) {
      ec = co_await send_and_read_header(*connection_->secure, connection_->buffer, head,
                                         message.body(), parser_->parser);
    } else {
      ec = co_await send_and_read_header(*connection_->plain, connection_->buffer, head,
                                         message.body(), parser_->parser);
    }
    if (!ec) break;
    bool stale = connection_->reused && attempt == 0 && connection_->buffer.size() == 0 &&
                 (ec == bhttp::error::end_of_stream || ec == net::error::eof ||
                  ec == net::error::connection_reset || ec == net::error::broken_pipe);
    connection_.reset();
    if (stale) continue;
    if (cancelled_ || ec == net::error::operation_aborted) {
      co_return CallError{CallErrorKind::kCancelled, "cancelled"};
    }
    if (ec == beast::error::timeout) {
      co_return CallError{CallErrorKind::kTimeout,
                          "no answer from " + url.origin() + " within " +
                              std::to_string(timeouts_.first_byte.count()) + " ms"};
    }
    co_return CallError{CallErrorKind::kProtocol,
                        "request to " + url.origin() + " failed: " + ec.message()};
  }
  // The proxy's own refusal is not the upstream's answer (a 502 with the proxy's words, as
  // for a tunnel); the connection is not reused.
  if (forward && parser_->parser.get().result_int() == 407) {
    const auto& head = parser_->parser.get();
    const std::string status_line = "HTTP/1.1 407 " + std::string(head.reason());
    connection_.reset();
    co_return proxy_refusal("the proxy " + forward->shown + " (for " + url.origin() + ")",
                            status_line, *forward);
  }
  headers_.entries.clear();
  headers_copied_ = false;
  body_done_ = parser_->parser.is_done();
  co_return CallError{};
}

awaitable<CallError> UpstreamCall::read_some(std::string_view& piece) {
  piece = {};
  if (cancelled_) co_return CallError{CallErrorKind::kCancelled, "cancelled"};
  if (!connection_ || !parser_) co_return CallError{CallErrorKind::kProtocol, "no response"};
  auto& parser = parser_->parser;
  while (!parser.is_done()) {
    auto& body = parser.get().body();
    body.data = parser_->chunk.data();
    body.size = parser_->chunk.size();
    boost::system::error_code ec;
    // The body often arrived with the header: no read operation for what is buffered.
    if (!parse_buffered(parser, connection_->buffer, ec)) {
      connection_->lowest().expires_after(timeouts_.idle);
      if (connection_->secure) {
        ec = co_await read_body_some(*connection_->secure, connection_->buffer, parser);
      } else {
        ec = co_await read_body_some(*connection_->plain, connection_->buffer, parser);
      }
    }
    std::size_t produced = parser_->chunk.size() - parser.get().body().size;
    if (ec == bhttp::error::need_buffer) ec = {};
    if (ec) {
      if (cancelled_ || ec == net::error::operation_aborted) {
        co_return CallError{CallErrorKind::kCancelled, "cancelled"};
      }
      if (ec == beast::error::timeout) {
        co_return CallError{
            CallErrorKind::kTimeout,
            "the upstream sent nothing for " + std::to_string(timeouts_.idle.count()) + " ms"};
      }
      co_return CallError{CallErrorKind::kProtocol, "reading the upstream answer: " + ec.message()};
    }
    if (produced > 0) {
      piece = std::string_view(parser_->chunk.data(), produced);
      co_return CallError{};
    }
  }
  body_done_ = true;
  co_return CallError{};
}

awaitable<CallError> UpstreamCall::read_all(std::string& body, std::size_t limit) {
  for (;;) {
    std::string_view piece;
    if (auto error = co_await read_some(piece)) co_return error;
    if (piece.empty()) co_return CallError{};
    if (body.size() + piece.size() > limit) {
      co_return CallError{CallErrorKind::kTooLarge,
                          "the upstream answer exceeds " + std::to_string(limit) + " bytes"};
    }
    body.append(piece);
  }
}

void UpstreamCall::cancel() {
  cancelled_ = true;
  if (connection_) {
    boost::system::error_code ignored;
    connection_->lowest().socket().close(ignored);
  }
}

core::Status trust_extra_certificates(const std::string& ca_file) {
  boost::system::error_code ec;
  tls_context().load_verify_file(ca_file, ec);
  if (ec)
    return core::Error::bad_request(
        "LLMGATE_UPSTREAM_CA_FILE: cannot load '" + ca_file + "': " + ec.message(),
        "upstream_ca_file");
  return core::Ok{};
}

bool is_non_public_address(const std::string& address) {
  boost::system::error_code ec;
  auto parsed = net::ip::make_address(address, ec);
  return !ec && non_public(parsed);
}

}  // namespace http
