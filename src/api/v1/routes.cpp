#include "api/v1/routes.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "api/request_body.hpp"
#include "api/v1/http_sink.hpp"
#include "chat/chat_request.hpp"
#include "chat/openai_error.hpp"
#include "core/utf8.hpp"

namespace api::v1 {
namespace {

namespace json = boost::json;

boost::asio::awaitable<void> chat_completions(RequestContext& context, chat::Pipeline& pipeline) {
  HttpSink sink(context.exchange);
  auto body = parse_json_body(context.exchange.request());
  if (!body) {
    co_await sink.send_error(chat::api_error_from(body.error()));
    co_return;
  }
  auto request = chat::parse_chat_request(std::move(*body));
  if (!request) {
    co_await sink.send_error(chat::api_error_from(request.error()));
    co_return;
  }
  if (auto session = context.exchange.request().headers.get("session-id")) {
    // Stored as text (PostgreSQL takes UTF-8 only) and shown as JSON: other bytes are refused,
    // and a long id is cut at a character boundary.
    if (!core::is_valid_utf8(*session)) {
      auto error = chat::api_error_from(core::Error::bad_request(
          "Session-Id: must be UTF-8 text (it names the conversation)", "Session-Id"));
      co_await sink.send_error(error);
      co_return;
    }
    request->session_id = std::string(core::utf8_prefix(*session, 256));
  }
  co_await pipeline.complete(context.snapshot, *context.key, std::move(*request),
                             context.exchange.request_id(), sink);
}

boost::asio::awaitable<void> list_models(RequestContext& context) {
  json::array data;
  for (const auto* model : context.snapshot->models_for(*context.key)) {
    json::object entry;
    entry["id"] = model->name;
    entry["object"] = "model";
    entry["created"] = model->created_at;
    entry["owned_by"] = model->provider;
    entry["multiple"] = model->multiple;
    data.push_back(std::move(entry));
  }
  json::object body;
  body["object"] = "list";
  body["data"] = std::move(data);
  http::Response response;
  response.body = json::serialize(body);
  co_await context.exchange.respond(std::move(response));
}

}  // namespace

void add_routes(Router& router, chat::Pipeline& pipeline) {
  router.add("POST", "/v1/chat/completions", Access::kAnyKey,
             [&pipeline](RequestContext& context) { return chat_completions(context, pipeline); });
  router.add("GET", "/v1/models", Access::kAnyKey,
             [](RequestContext& context) { return list_models(context); });
}

}  // namespace api::v1
