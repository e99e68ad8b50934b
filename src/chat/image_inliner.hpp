#pragma once
// Providers that take image bytes (Bedrock) cannot use an https image URL: the gateway
// fetches each such image once, with a size cap and a deadline, and replaces its URL by a
// data: URL before translation. Private addresses are refused unless allowed, so that a
// client cannot make the gateway reach its internal network or a cloud metadata service.

#include <cstddef>

#include <boost/asio/awaitable.hpp>

#include "core/result.hpp"
#include "http/client/upstream_call.hpp"
#include "providers/provider.hpp"

namespace chat {

struct ImageFetchOptions {
  http::ClientTimeouts timeouts;
  std::size_t max_bytes = 5 * 1024 * 1024;  // Bedrock refuses larger images anyway
  bool allow_private_addresses = false;
};

// Errors (400) name the part: "messages[0].content[1].image_url.url: ...". Each URL replaced
// is listed in request.fetched_images.
boost::asio::awaitable<core::Status> inline_remote_images(providers::ChatRequest& request,
                                                          const ImageFetchOptions& options);

}  // namespace chat
