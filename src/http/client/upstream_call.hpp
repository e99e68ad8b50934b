#pragma once
// One HTTP request to an upstream, its answer read either whole or piece by piece. The
// connection comes from (and, when the answer was read to the end, goes back to) the
// calling I/O thread's keep-alive pool. Every phase has its own deadline.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "http/client/url.hpp"
#include "http/message.hpp"

namespace http {

struct ClientTimeouts {
  std::chrono::milliseconds connect{10'000};      // resolve, TCP connect, TLS handshake
  std::chrono::milliseconds first_byte{120'000};  // request written to response header read
  std::chrono::milliseconds idle{300'000};        // longest gap between body reads
};

enum class CallErrorKind { kNone, kConnect, kTimeout, kProtocol, kCancelled, kTooLarge };

struct CallError {
  CallErrorKind kind = CallErrorKind::kNone;
  std::string message;
  explicit operator bool() const { return kind != CallErrorKind::kNone; }
};

class UpstreamCall {
 public:
  explicit UpstreamCall(ClientTimeouts timeouts);
  ~UpstreamCall();
  UpstreamCall(const UpstreamCall&) = delete;
  UpstreamCall& operator=(const UpstreamCall&) = delete;

  // Connects (or reuses a pooled connection), sends the request and reads the response
  // header. On success status() and headers() are valid.
  boost::asio::awaitable<CallError> start(const Url& url, OutgoingRequest&& request);
  int status() const;
  const Headers& headers() const;

  // The next piece of the body; an empty view means the body is complete. The view is
  // valid until the next call.
  boost::asio::awaitable<CallError> read_some(std::string_view& piece);
  // The rest of the body, failing with kTooLarge beyond `limit` bytes.
  boost::asio::awaitable<CallError> read_all(std::string& body, std::size_t limit);

  // Closes the connection at once; a pending read completes with kCancelled. Call from the
  // I/O thread that runs this call.
  void cancel();

  struct Connection;

 private:
  ClientTimeouts timeouts_;
  std::unique_ptr<Connection> connection_;
  struct Parser;
  std::unique_ptr<Parser> parser_;
  // Copied from the parser on first use: most answers (2xx) never need them.
  mutable Headers headers_;
  mutable bool headers_copied_ = true;
  bool cancelled_ = false;
  bool body_done_ = false;
};

// Trusts the PEM certificates in `ca_file` for upstream HTTPS, besides the system store.
// Call once at start, before any upstream call.
core::Status trust_extra_certificates(const std::string& ca_file);

// True for addresses a client-chosen URL must not reach: loopback, private (RFC 1918, ULA),
// link-local (cloud metadata lives there), unspecified, multicast and the like.
bool is_non_public_address(const std::string& address);

}  // namespace http
