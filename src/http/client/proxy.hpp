#pragma once
// The outbound proxy, as curl and the AWS SDKs read it from the environment: HTTPS_PROXY
// for https upstreams, HTTP_PROXY for http ones (lower-case names too; the lower-case one
// wins), NO_PROXY for the hosts reached directly. https upstreams are reached through a
// CONNECT tunnel (TLS stays end to end); plain-http requests are sent to the proxy in
// absolute form, as curl does (upstream_call.cpp). This machine (localhost, loopback addresses) and
// link-local addresses (the AWS instance and container metadata services) are always reached
// directly, as Go does. Read once at start, before the I/O threads run.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "http/client/url.hpp"

namespace http {

struct ProxyServer {
  std::string host;
  std::uint16_t port = 0;
  std::string authorization;  // "Basic ..." from the URL's user and password, or ""
  std::string shown;          // for logs: http://host:port, never the password
};

// One NO_PROXY entry: "*", a name ("example.com" and ".example.com" also match its
// subdomains), an address, or an address block in CIDR form ("10.0.0.0/8"); with ":port",
// only that port.
struct NoProxyEntry {
  std::string host;           // lower-case, without a leading '.'
  std::optional<int> prefix;  // CIDR prefix length, for an address block
  std::optional<std::uint16_t> port;
  bool everything = false;
};

struct ProxySettings {
  std::optional<ProxyServer> for_http;
  std::optional<ProxyServer> for_https;
  std::vector<NoProxyEntry> no_proxy;
};

// From the environment; an error names the variable and what is wrong with it.
core::Result<ProxySettings> proxy_settings_from(const std::map<std::string, std::string>& env);
// The process's proxy variables, both cases.
std::map<std::string, std::string> proxy_environment();

// Whether NO_PROXY sends `host`:`port` directly.
bool bypasses_proxy(const std::vector<NoProxyEntry>& no_proxy, std::string_view host,
                    std::uint16_t port);

// The process's settings, set once at start; the proxy for `target`, or nullptr: direct.
void use_proxies(ProxySettings settings);
const ProxyServer* proxy_for(const Url& target);

}  // namespace http
