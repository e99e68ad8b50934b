#include "api/router.hpp"

#include "api/envelope.hpp"
#include "chat/openai_error.hpp"
#include "core/api_key.hpp"
#include "telemetry/metrics.hpp"

namespace api {
namespace {

bool uses_envelope(std::string_view path) {
  return path.starts_with("/admin/") || path.starts_with("/user/") || path.starts_with("/bot/");
}

const char* openai_type(int status) {
  switch (status) {
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    default:
      return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::string_view presented_key(const http::Request& request, bool& malformed) {
  malformed = false;
  if (auto authorization = request.headers.get("authorization")) {
    auto value = trim(*authorization);
    constexpr std::string_view kBearer = "bearer ";
    if (value.size() > kBearer.size() && http::iequals(value.substr(0, kBearer.size()), kBearer)) {
      return trim(value.substr(kBearer.size()));
    }
    malformed = true;
    return {};
  }
  if (auto api_key = request.headers.get("x-api-key")) return trim(*api_key);
  return {};
}

Router::Router(catalog::CatalogHolder& catalog, telemetry::Metrics& metrics)
    : catalog_(catalog),
      metrics_(metrics),
      unmatched_metric_route_(metrics.register_route("unmatched")) {}

void Router::add(std::string method, std::string path, Access access, RouteHandler handler) {
  auto metric = metrics_.register_route(path);
  exact_[method + " " + path] = Route{access, std::move(handler), metric};
}

void Router::add_with_id(std::string method, std::string prefix, Access access,
                         RouteHandler handler, std::string suffix) {
  auto metric = metrics_.register_route(prefix + ":id" + suffix);
  with_id_.emplace_back(method + " " + prefix,
                        Route{access, std::move(handler), metric, std::move(suffix)});
}

const Router::Route* Router::match(const http::Request& request, std::string_view& path_id,
                                   bool& method_mismatch) const {
  std::string key = request.method + " " + request.path;
  if (auto found = exact_.find(key); found != exact_.end()) return &found->second;
  std::string_view method_and_path = key;
  for (const auto& [prefix, route] : with_id_) {
    if (method_and_path.size() > prefix.size() + route.suffix.size() &&
        method_and_path.starts_with(prefix) && method_and_path.ends_with(route.suffix)) {
      auto id = method_and_path.substr(
          prefix.size(), method_and_path.size() - prefix.size() - route.suffix.size());
      if (id.find('/') == std::string_view::npos) {
        // The same characters in request.path, which outlives `key`.
        path_id = std::string_view(request.path)
                      .substr(request.path.size() - route.suffix.size() - id.size(), id.size());
        return &route;
      }
    }
  }
  for (const auto& [route_key, route] : exact_) {
    auto space = route_key.find(' ');
    if (std::string_view(route_key).substr(space + 1) == request.path) {
      method_mismatch = true;
      break;
    }
  }
  return nullptr;
}

http::Response Router::render_error(std::string_view path, int status, std::string message) {
  if (uses_envelope(path)) return envelope_error(status, std::move(message));
  http::Response response;
  response.status = status;
  response.body = chat::render_openai_error(
      chat::make_api_error(status, std::move(message), openai_type(status), {}));
  return response;
}

boost::asio::awaitable<void> Router::handle(http::Exchange& exchange) {
  const auto& request = exchange.request();
  std::string_view path_id;
  bool method_mismatch = false;
  const Route* route = match(request, path_id, method_mismatch);
  std::size_t metric = route ? route->metric_route : unmatched_metric_route_;

  struct Timer {
    telemetry::Metrics& metrics;
    http::Exchange& exchange;
    std::size_t metric;
    ~Timer() {
      auto elapsed = std::chrono::steady_clock::now() - exchange.started_at();
      metrics.record_request(metric, exchange.response_status(),
                             std::chrono::duration<double>(elapsed).count());
    }
  } timer{metrics_, exchange, metric};

  if (!route) {
    if (method_mismatch) {
      auto response = render_error(
          request.path, 405, "method " + request.method + " is not allowed on " + request.path);
      co_await exchange.respond(std::move(response));
    } else {
      co_await exchange.respond(render_error(
          request.path, 404, "no such endpoint: " + request.method + " " + request.path));
    }
    co_return;
  }

  RequestContext context{exchange, catalog_.current(), nullptr, path_id};
  if (route->access != Access::kPublic) {
    bool malformed = false;
    auto key = presented_key(request, malformed);
    if (malformed) {
      co_await exchange.respond(
          render_error(request.path, 401, "the Authorization header must be 'Bearer <api key>'"));
      co_return;
    }
    if (key.empty()) {
      co_await exchange.respond(render_error(
          request.path, 401,
          "missing API key: send 'Authorization: Bearer <key>' or 'x-api-key: <key>'"));
      co_return;
    }
    context.key = context.snapshot->find_key_by_hash(core::hash_api_key(key));
    if (!context.key) {
      co_await exchange.respond(render_error(request.path, 401, "invalid API key"));
      co_return;
    }
    if (route->access == Access::kAdmin && context.key->role != store::Role::kAdmin) {
      co_await exchange.respond(
          render_error(request.path, 403, "this endpoint needs an admin key"));
      co_return;
    }
  }
  co_await route->handler(context);
}

}  // namespace api
