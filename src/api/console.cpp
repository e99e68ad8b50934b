#include "api/console.hpp"

#include <string>

#include <boost/asio/awaitable.hpp>

#include "api/console_files.hpp"
#include "api/router.hpp"

namespace api {

namespace {

http::Response file_response(const ConsoleFile& file) {
  http::Response response;
  response.content_type = std::string(file.content_type);
  response.body = std::string(file.body);
  // Files change with the binary: a browser checks again rather than run an old console
  // against a new gateway. The page holds no secret, but it must not be framed by others.
  response.headers.add("cache-control", "no-cache");
  response.headers.add("x-content-type-options", "nosniff");
  response.headers.add("x-frame-options", "DENY");
  response.headers.add("content-security-policy", "default-src 'self'; frame-ancestors 'none'");
  return response;
}

}  // namespace

void add_console_routes(Router& router) {
  for (const ConsoleFile& file : console_files()) {
    auto serve = [&file](RequestContext& context) -> boost::asio::awaitable<void> {
      co_await context.exchange.respond(file_response(file));
    };
    router.add("GET", "/console/" + std::string(file.name), Access::kPublic, serve);
    if (file.name == "index.html") {
      router.add("GET", "/console/", Access::kPublic, serve);
      router.add("GET", "/console", Access::kPublic,
                 [](RequestContext& context) -> boost::asio::awaitable<void> {
                   http::Response response;
                   response.status = 308;
                   response.content_type = "text/plain; charset=utf-8";
                   response.headers.add("location", "/console/");
                   co_await context.exchange.respond(std::move(response));
                 });
    }
  }
}

}  // namespace api
