#include "api/envelope.hpp"

#include <boost/json/object.hpp>

#include "api/json_text.hpp"

namespace api {
namespace {

const char* error_code(core::ErrorKind kind) {
  switch (kind) {
    case core::ErrorKind::kBadRequest:
      return "bad_request";
    case core::ErrorKind::kUnauthorized:
      return "unauthorized";
    case core::ErrorKind::kForbidden:
      return "forbidden";
    case core::ErrorKind::kNotFound:
      return "not_found";
    case core::ErrorKind::kConflict:
      return "conflict";
    case core::ErrorKind::kPayloadTooLarge:
      return "payload_too_large";
    case core::ErrorKind::kUnsupportedMediaType:
      return "unsupported_media_type";
    case core::ErrorKind::kInternal:
      return "internal_error";
    case core::ErrorKind::kUnavailable:
      return "unavailable";
  }
  return "internal_error";
}

core::ErrorKind kind_for_status(int status) {
  switch (status) {
    case 400:
      return core::ErrorKind::kBadRequest;
    case 401:
      return core::ErrorKind::kUnauthorized;
    case 403:
      return core::ErrorKind::kForbidden;
    case 404:
      return core::ErrorKind::kNotFound;
    case 409:
      return core::ErrorKind::kConflict;
    case 413:
      return core::ErrorKind::kPayloadTooLarge;
    case 415:
      return core::ErrorKind::kUnsupportedMediaType;
    case 503:
      return core::ErrorKind::kUnavailable;
    default:
      return core::ErrorKind::kInternal;
  }
}

}  // namespace

http::Response envelope_ok(boost::json::value data) {
  boost::json::object body;
  body["success"] = true;
  body["data"] = std::move(data);
  http::Response response;
  response.body = to_json_text(body);
  return response;
}

http::Response envelope_error(const core::Error& error) {
  boost::json::object detail;
  detail["message"] = error.message;
  detail["type"] = core::error_type(error.kind);
  detail["code"] = error_code(error.kind);
  if (!error.field.empty()) detail["param"] = error.field;
  boost::json::object body;
  body["success"] = false;
  body["data"] = error.message;
  body["error"] = std::move(detail);
  http::Response response;
  response.status = core::http_status(error.kind);
  response.body = to_json_text(body);
  return response;
}

http::Response envelope_error(int status, std::string message) {
  auto response = envelope_error(core::Error{kind_for_status(status), std::move(message), {}});
  response.status = status;
  return response;
}

}  // namespace api
