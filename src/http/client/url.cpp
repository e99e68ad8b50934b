#include "http/client/url.hpp"

#include <charconv>

#include <boost/url/parse.hpp>

namespace http {

std::string Url::origin() const {
  return (tls ? "https://" : "http://") + host + ":" + std::to_string(port);
}

std::string Url::host_header() const {
  bool default_port = (tls && port == 443) || (!tls && port == 80);
  bool ipv6 = host.find(':') != std::string::npos;
  std::string name = ipv6 ? "[" + host + "]" : host;
  return default_port ? name : name + ":" + std::to_string(port);
}

core::Result<Url> parse_url(std::string_view text) {
  auto parsed = boost::urls::parse_absolute_uri(text);
  if (!parsed) return core::Error::bad_request("not an absolute URL: '" + std::string(text) + "'");
  Url url;
  auto scheme = parsed->scheme();
  if (scheme == "https") {
    url.tls = true;
    url.port = 443;
  } else if (scheme != "http") {
    return core::Error::bad_request("URL scheme must be http or https: '" + std::string(text) +
                                    "'");
  }
  if (parsed->has_query() || parsed->has_fragment()) {
    return core::Error::bad_request("URL must not have a query or fragment: '" + std::string(text) +
                                    "'");
  }
  url.host = std::string(parsed->encoded_host_address());
  if (url.host.size() >= 2 && url.host.front() == '[')
    url.host = url.host.substr(1, url.host.size() - 2);
  if (url.host.empty())
    return core::Error::bad_request("URL has no host: '" + std::string(text) + "'");
  if (parsed->has_port()) {
    // Boost.URL's port_number() wraps modulo 65536; read the digits ourselves.
    auto text = parsed->port();
    unsigned port = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (ec != std::errc() || end != text.data() + text.size() || port == 0 || port > 65535) {
      return core::Error::bad_request("URL has an invalid port: '" + std::string(text) + "'");
    }
    url.port = static_cast<std::uint16_t>(port);
  }
  url.path = std::string(parsed->encoded_path());
  while (!url.path.empty() && url.path.back() == '/') url.path.pop_back();
  return url;
}

}  // namespace http
