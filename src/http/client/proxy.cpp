#include "http/client/proxy.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <cstring>

#include <boost/url/parse.hpp>

#include "core/ascii.hpp"
#include "core/base64.hpp"

namespace http {
namespace {

// The lower-case variable wins, as in curl; an empty one counts as unset.
std::optional<std::pair<std::string, std::string>> variable(
    const std::map<std::string, std::string>& env, const std::string& upper) {
  for (const auto& name : {core::ascii_lower(upper), upper}) {
    if (auto found = env.find(name); found != env.end() && !found->second.empty()) {
      return std::pair{name, found->second};
    }
  }
  return std::nullopt;
}

core::Result<ProxyServer> parse_proxy(const std::string& name, const std::string& text) {
  std::string with_scheme = text.find("://") == std::string::npos ? "http://" + text : text;
  auto fail = [&](const std::string& why) {
    return core::Error::bad_request(name + ": " + why + " (got '" + text + "')");
  };
  auto parsed = boost::urls::parse_absolute_uri(with_scheme);
  if (!parsed) return fail("not a proxy URL such as http://proxy.example.com:3128");
  if (core::ascii_lower(parsed->scheme()) != "http") {
    return fail("only http:// proxies are supported (the tunnel to the upstream is TLS)");
  }
  ProxyServer proxy;
  proxy.host = std::string(parsed->encoded_host_address());
  if (proxy.host.size() >= 2 && proxy.host.front() == '[') {
    proxy.host = proxy.host.substr(1, proxy.host.size() - 2);
  }
  if (proxy.host.empty()) return fail("the proxy URL has no host");
  proxy.port = 80;
  if (parsed->has_port()) {
    auto digits = parsed->port();
    unsigned port = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (ec != std::errc{} || end != digits.data() + digits.size() || port == 0 || port > 65535) {
      return fail("the proxy's port must be a number from 1 to 65535");
    }
    proxy.port = static_cast<std::uint16_t>(port);
  }
  if (!parsed->encoded_path().empty() && parsed->encoded_path() != "/") {
    return fail("a proxy URL has no path");
  }
  if (parsed->has_userinfo()) {
    proxy.authorization = "Basic " + core::base64_encode(parsed->user() + ":" + parsed->password());
  }
  const bool ipv6 = proxy.host.find(':') != std::string::npos;
  proxy.shown =
      "http://" + (ipv6 ? "[" + proxy.host + "]" : proxy.host) + ":" + std::to_string(proxy.port);
  return proxy;
}

// An address as bytes (4 or 16), or nothing for a name.
std::optional<std::array<unsigned char, 16>> address_bytes(std::string_view text, int& family) {
  std::array<unsigned char, 16> bytes{};
  const std::string copy(text);
  if (::inet_pton(AF_INET, copy.c_str(), bytes.data()) == 1) {
    family = AF_INET;
    return bytes;
  }
  if (::inet_pton(AF_INET6, copy.c_str(), bytes.data()) == 1) {
    family = AF_INET6;
    return bytes;
  }
  return std::nullopt;
}

core::Result<NoProxyEntry> parse_no_proxy_entry(std::string text) {
  NoProxyEntry entry;
  if (text == "*") {
    entry.everything = true;
    return entry;
  }
  auto fail = [&](const std::string& why) {
    return core::Error::bad_request("NO_PROXY: " + why + " (in '" + text + "')");
  };
  // A port: "host:port" or "[v6]:port"; a bare IPv6 address has colons of its own.
  std::string host = text;
  std::string port_text;
  if (host.starts_with('[')) {
    auto close = host.find(']');
    if (close == std::string::npos) return fail("an unclosed '['");
    std::string after;
    if (close + 1 < host.size()) {
      if (host[close + 1] == ':') {
        port_text = host.substr(close + 2);
      } else if (host[close + 1] == '/') {
        after = host.substr(close + 1);  // "[fd00::]/8"
      } else {
        return fail("text after ']' that is not a port");
      }
    }
    host = host.substr(1, close - 1) + after;
  } else if (std::count(host.begin(), host.end(), ':') == 1) {
    port_text = host.substr(host.find(':') + 1);
    host = host.substr(0, host.find(':'));
  }
  if (!port_text.empty()) {
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      return fail("a port must be a number from 1 to 65535");
    }
    entry.port = static_cast<std::uint16_t>(port);
  }
  if (auto slash = host.find('/'); slash != std::string::npos) {
    int prefix = -1;
    auto bits = std::string_view(host).substr(slash + 1);
    auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
    host = host.substr(0, slash);
    int family = 0;
    if (ec != std::errc{} || end != bits.data() + bits.size() || !address_bytes(host, family) ||
        prefix < 0 || prefix > (family == AF_INET ? 32 : 128)) {
      return fail("an address block must be an address and a prefix length, as 10.0.0.0/8");
    }
    entry.prefix = prefix;
  }
  if (host.starts_with("*.")) host.erase(0, 1);
  if (host.starts_with('.')) host.erase(0, 1);
  if (host.empty()) return fail("an empty host");
  entry.host = core::ascii_lower(host);
  return entry;
}

bool same_block(const std::array<unsigned char, 16>& a, const std::array<unsigned char, 16>& b,
                int prefix) {
  const int whole = prefix / 8;
  if (std::memcmp(a.data(), b.data(), static_cast<std::size_t>(whole)) != 0) return false;
  const int rest = prefix % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<unsigned char>(0xFF << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

// Never through a proxy, as in Go: this machine (localhost, loopback addresses) and the
// link-local addresses of the AWS instance and container metadata services (and EC2's IPv6
// metadata address).
bool always_direct(std::string_view host) {
  const std::string name = core::ascii_lower(host);
  if (name == "localhost" || name.ends_with(".localhost")) return true;
  int family = 0;
  auto bytes = address_bytes(name, family);
  if (!bytes) return false;
  const auto& b = *bytes;
  if (family == AF_INET) return b[0] == 127 || (b[0] == 169 && b[1] == 254);
  static constexpr std::array<unsigned char, 16> kLoopback{0, 0, 0, 0, 0, 0, 0, 0,
                                                           0, 0, 0, 0, 0, 0, 0, 1};
  static constexpr std::array<unsigned char, 16> kEc2Metadata{
      0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0x54};
  return b == kLoopback || b == kEc2Metadata || (b[0] == 0xFE && (b[1] & 0xC0) == 0x80);
}

ProxySettings* g_settings = nullptr;

}  // namespace

core::Result<ProxySettings> proxy_settings_from(const std::map<std::string, std::string>& env) {
  ProxySettings settings;
  if (auto found = variable(env, "HTTP_PROXY")) {
    auto proxy = parse_proxy(found->first, found->second);
    if (!proxy) return proxy.take_error();
    settings.for_http = std::move(*proxy);
  }
  if (auto found = variable(env, "HTTPS_PROXY")) {
    auto proxy = parse_proxy(found->first, found->second);
    if (!proxy) return proxy.take_error();
    settings.for_https = std::move(*proxy);
  }
  if (auto found = variable(env, "NO_PROXY")) {
    std::string item;
    const std::string& text = found->second;
    for (std::size_t start = 0; start <= text.size();) {
      auto comma = text.find(',', start);
      if (comma == std::string::npos) comma = text.size();
      item = text.substr(start, comma - start);
      item.erase(0, item.find_first_not_of(" \t"));
      item.erase(item.find_last_not_of(" \t") + 1);
      if (!item.empty()) {
        auto entry = parse_no_proxy_entry(item);
        if (!entry) return entry.take_error();
        settings.no_proxy.push_back(std::move(*entry));
      }
      start = comma + 1;
    }
  }
  return settings;
}

bool bypasses_proxy(const std::vector<NoProxyEntry>& no_proxy, std::string_view host,
                    std::uint16_t port) {
  const std::string name = core::ascii_lower(host);
  int family = 0;
  const auto address = address_bytes(name, family);
  for (const auto& entry : no_proxy) {
    if (entry.everything) return true;
    if (entry.port && *entry.port != port) continue;
    int entry_family = 0;
    const auto entry_address = address_bytes(entry.host, entry_family);
    if (entry_address) {
      if (!address || entry_family != family) continue;
      const int bits = entry.prefix.value_or(family == AF_INET ? 32 : 128);
      if (same_block(*address, *entry_address, bits)) return true;
      continue;
    }
    if (name == entry.host || (name.size() > entry.host.size() && name.ends_with(entry.host) &&
                               name[name.size() - entry.host.size() - 1] == '.')) {
      return true;
    }
  }
  return false;
}

std::map<std::string, std::string> proxy_environment() {
  std::map<std::string, std::string> env;
  for (const char* name :
       {"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy"}) {
    if (const char* value = std::getenv(name)) env[name] = value;
  }
  return env;
}

void use_proxies(ProxySettings settings) {
  static ProxySettings* stored = new ProxySettings;
  *stored = std::move(settings);
  g_settings = stored;
}

const ProxyServer* proxy_for(const Url& target) {
  if (g_settings == nullptr) return nullptr;
  const auto& proxy = target.tls ? g_settings->for_https : g_settings->for_http;
  if (!proxy) return nullptr;
  if (always_direct(target.host) ||
      bypasses_proxy(g_settings->no_proxy, target.host, target.port)) {
    return nullptr;
  }
  return &*proxy;
}

}  // namespace http
