#pragma once
// Shared steps of admin and user handlers: read the JSON body, answer in the envelope.

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include "api/envelope.hpp"
#include "api/request_body.hpp"
#include "api/router.hpp"

namespace api::admin {

inline boost::asio::awaitable<void> answer(RequestContext& context,
                                           core::Result<boost::json::value>&& result) {
  // No ?: with class operands inside co_await: GCC 12 miscompiles it (docs/architecture.md).
  http::Response response =
      result ? envelope_ok(std::move(*result)) : envelope_error(result.error());
  co_await context.exchange.respond(std::move(response));
}

inline boost::asio::awaitable<void> answer_error(RequestContext& context,
                                                 const core::Error& error) {
  http::Response response = envelope_error(error);
  co_await context.exchange.respond(std::move(response));
}

// The request body as an object, or the error to answer with.
inline core::Result<boost::json::object> object_body(const RequestContext& context) {
  auto body = parse_json_body(context.exchange.request());
  if (!body) return body.take_error();
  if (!body->is_object()) return core::Error::bad_request("the request body must be a JSON object");
  return std::move(body->get_object());
}

}  // namespace api::admin
