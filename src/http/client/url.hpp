#pragma once
// An upstream base address, parsed once when a model is configured.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace http {

struct Url {
  bool tls = false;
  std::string host;
  std::uint16_t port = 80;
  std::string path;  // without a trailing '/', "" for the root

  // "https://api.openai.com:443" form, the key of the connection pool.
  std::string origin() const;
  // The Host header value: the port only when it is not the scheme's default.
  std::string host_header() const;
};

// Accepts http:// and https:// URLs with an optional port and path; no query or fragment.
// Errors say what is wrong with the URL.
core::Result<Url> parse_url(std::string_view text);

}  // namespace http
