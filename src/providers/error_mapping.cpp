#include "providers/error_mapping.hpp"

namespace providers {

ApiError map_upstream_status(int status, std::string upstream_message, std::string_view provider,
                             const http::Headers& headers) {
  ApiError error;
  std::string detail = upstream_message.empty() ? std::string() : ": " + upstream_message;
  switch (status) {
    case 400:
    case 404:
    case 413:
    case 422:
      error.status = status;
      error.type = status == 404 ? "not_found_error" : "invalid_request_error";
      error.code = "upstream_" + std::to_string(status);
      error.message = upstream_message.empty() ? "the upstream rejected the request"
                                               : std::move(upstream_message);
      return error;
    case 401:
    case 403:
      error.status = 502;
      error.type = "upstream_error";
      error.code = "upstream_auth_failed";
      error.message = "the gateway's credentials for the " + std::string(provider) +
                      " upstream were rejected (upstream " + std::to_string(status) + detail +
                      "); ask an administrator to fix the model's config";
      return error;
    case 429:
      error.status = 429;
      error.type = "rate_limit_error";
      error.code = "rate_limit_exceeded";
      error.message = "the upstream is rate limiting requests" + detail;
      if (auto retry = headers.get("retry-after")) error.retry_after = std::string(*retry);
      return error;
    default:
      break;
  }
  error.type = "upstream_error";
  error.code = "upstream_" + std::to_string(status);
  if (status >= 400 && status < 500) {
    error.status = status;
    error.message = "the upstream rejected the request (" + std::to_string(status) + ")" + detail;
  } else {
    error.status = 502;
    error.message = "the upstream failed (" + std::to_string(status) + ")" + detail;
  }
  return error;
}

}  // namespace providers
