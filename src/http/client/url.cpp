#include "http/client/url.hpp"

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
    auto port = parsed->port_number();
    if (port == 0)
      return core::Error::bad_request("URL has an invalid port: '" + std::string(text) + "'");
    url.port = port;
  }
  url.path = std::string(parsed->encoded_path());
  while (!url.path.empty() && url.path.back() == '/') url.path.pop_back();
  return url;
}

}  // namespace http
