#pragma once
// Plain request/response values that cross the http boundary, free of Beast types so that
// handlers and providers compile fast and stay testable.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace http {

// Header names compare case-insensitively, as HTTP says.
bool iequals(std::string_view a, std::string_view b);

struct Headers {
  std::vector<std::pair<std::string, std::string>> entries;

  std::optional<std::string_view> get(std::string_view name) const;
  void set(std::string name, std::string value);  // replaces an existing entry
  void add(std::string name, std::string value) {
    entries.emplace_back(std::move(name), std::move(value));
  }
};

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query as sent
  std::string path;    // decoded path, no query
  std::string query;   // raw query string, without '?'
  Headers headers;
  std::string body;
  std::string remote_address;

  // The first value of a query parameter, percent-decoded; nullopt when absent.
  std::optional<std::string> query_param(std::string_view name) const;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string content_type = "application/json";
  std::string body;
};

// A request to an upstream, relative to its base URL.
struct OutgoingRequest {
  std::string method = "POST";
  std::string target;  // appended to the base URL's path, e.g. "/chat/completions"
  Headers headers;     // Host and Content-Length are added when sent
  std::string body;
  // Refuse to connect to loopback, private, link-local and other non-public addresses
  // (for URLs a client chose, such as images to fetch).
  bool public_addresses_only = false;
};

}  // namespace http
