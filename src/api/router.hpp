#pragma once
// Paths to handlers, with the role each path needs, metrics per route, and the error shape
// each family of paths uses (OpenAI's under /v1, the envelope under /admin and /user).

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "catalog/catalog.hpp"
#include "http/server/exchange.hpp"

namespace telemetry {
class Metrics;
}

namespace api {

enum class Access { kPublic, kAnyKey, kAdmin };

struct RequestContext {
  http::Exchange& exchange;
  std::shared_ptr<const catalog::Catalog> snapshot;
  const catalog::KeyEntry* key = nullptr;  // set unless the route is public
  std::string_view path_id;                // the ":id" of "detail/:id" (and ":id/..") routes
};

using RouteHandler = std::function<boost::asio::awaitable<void>(RequestContext&)>;

class Router {
 public:
  Router(catalog::CatalogHolder& catalog, telemetry::Metrics& metrics);

  void add(std::string method, std::string path, Access access, RouteHandler handler);
  // "/admin/api-key/detail/:id" style: `prefix` is "/admin/api-key/detail/". With a
  // `suffix`, the id sits between the two: "/bot/feishu/:id/webhook/event" is prefix
  // "/bot/feishu/" and suffix "/webhook/event". An id is never empty and holds no '/'.
  void add_with_id(std::string method, std::string prefix, Access access, RouteHandler handler,
                   std::string suffix = {});

  boost::asio::awaitable<void> handle(http::Exchange& exchange);

  // The right error shape for a path (used by the server for 413 and the like).
  static http::Response render_error(std::string_view path, int status, std::string message);

 private:
  struct Route {
    Access access;
    RouteHandler handler;
    std::size_t metric_route;
    std::string suffix;  // routes with an id: what follows the id
  };
  const Route* match(const http::Request& request, std::string_view& path_id,
                     bool& method_mismatch) const;

  catalog::CatalogHolder& catalog_;
  telemetry::Metrics& metrics_;
  std::unordered_map<std::string, Route> exact_;        // "POST /v1/chat/completions"
  std::vector<std::pair<std::string, Route>> with_id_;  // ("GET /admin/api-key/detail/", route)
  std::size_t unmatched_metric_route_;
};

// The presented key from Authorization: Bearer or x-api-key; empty when none.
// `malformed` is set when an Authorization header is present but not a Bearer token.
std::string_view presented_key(const http::Request& request, bool& malformed);

}  // namespace api
