#include "chat/openai_error.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "core/utf8.hpp"

namespace chat {

std::string render_openai_error(const providers::ApiError& error) {
  boost::json::object inner;
  // Upstream text can arrive as any bytes (an error page in GBK, a message cut mid-character):
  // JSON takes UTF-8 only.
  inner["message"] = core::to_valid_utf8(error.message);
  inner["type"] = error.type;
  inner["param"] =
      error.param.empty() ? boost::json::value(nullptr) : boost::json::value(error.param);
  inner["code"] = error.code.empty() ? boost::json::value(nullptr) : boost::json::value(error.code);
  boost::json::object outer;
  outer["error"] = std::move(inner);
  return boost::json::serialize(outer);
}

providers::ApiError api_error_from(const core::Error& error) {
  providers::ApiError api;
  api.status = core::http_status(error.kind);
  api.message = error.message;
  api.type = core::error_type(error.kind);
  api.param = error.field;
  return api;
}

providers::ApiError make_api_error(int status, std::string message, std::string type,
                                   std::string code, std::string param) {
  providers::ApiError error;
  error.status = status;
  error.message = std::move(message);
  error.type = std::move(type);
  error.code = std::move(code);
  error.param = std::move(param);
  return error;
}

}  // namespace chat
