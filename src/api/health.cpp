#include "api/health.hpp"

#include "telemetry/metrics.hpp"

namespace api {
namespace {

http::Response text(int status, std::string body,
                    std::string content_type = "text/plain; charset=utf-8") {
  http::Response response;
  response.status = status;
  response.content_type = std::move(content_type);
  response.body = std::move(body);
  return response;
}

}  // namespace

void add_health_routes(Router& router, Database& database, telemetry::Metrics& metrics) {
  auto alive = [](RequestContext& context) -> boost::asio::awaitable<void> {
    co_await context.exchange.respond(text(200, "ok"));
  };
  router.add("GET", "/", Access::kPublic, alive);
  router.add("GET", "/healthz", Access::kPublic, alive);
  router.add("GET", "/readyz", Access::kPublic,
             [&database](RequestContext& context) -> boost::asio::awaitable<void> {
               // The writer: charges and records depend on it, not on the reader.
               auto ping = [](store::Store& store) { return store.ping(); };
               bool ready = co_await database.in_write_order(std::move(ping));
               http::Response response =
                   ready ? text(200, "ok") : text(503, "the database does not answer");
               co_await context.exchange.respond(std::move(response));
             });
  router.add("GET", "/metrics", Access::kPublic,
             [&metrics](RequestContext& context) -> boost::asio::awaitable<void> {
               co_await context.exchange.respond(
                   text(200, metrics.render(), "text/plain; version=0.0.4; charset=utf-8"));
             });
}

}  // namespace api
