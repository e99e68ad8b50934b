#include "providers/bedrock_converse/bedrock_errors.hpp"

#include <array>

#include <boost/json/parse.hpp>

#include "core/utf8.hpp"
#include "providers/error_mapping.hpp"

namespace providers::bedrock {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxEchoedBytes = 500;

// Exceptions that mean the gateway's own AWS credentials (or their permissions) are wrong:
// the client cannot fix these, an administrator must.
constexpr std::array<std::string_view, 9> kCredentialExceptions = {
    "AccessDeniedException",     "UnrecognizedClientException",
    "InvalidSignatureException", "IncompleteSignatureException",
    "ExpiredTokenException",     "MissingAuthenticationTokenException",
    "InvalidClientTokenId",      "SignatureDoesNotMatch",
    "UnauthorizedException"};

ApiError make(int status, std::string type, std::string code, std::string message) {
  ApiError error;
  error.status = status;
  error.type = std::move(type);
  error.code = std::move(code);
  error.message = std::move(message);
  return error;
}

// At most kMaxEchoedBytes of an upstream message, cut at a UTF-8 character boundary.
std::string echoed(std::string_view message) {
  return std::string(core::utf8_prefix(message, kMaxEchoedBytes));
}

std::string string_field(const json::object& object, std::string_view key) {
  auto* value = object.if_contains(key);
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

}  // namespace

std::string normalize_exception_type(std::string_view raw) {
  if (auto colon = raw.find(':'); colon != std::string_view::npos) raw = raw.substr(0, colon);
  if (auto hash = raw.rfind('#'); hash != std::string_view::npos) raw = raw.substr(hash + 1);
  while (!raw.empty() && raw.front() == ' ') raw.remove_prefix(1);
  while (!raw.empty() && raw.back() == ' ') raw.remove_suffix(1);
  std::string type(raw);
  // Event streams spell the union member ("throttlingException"), responses the shape name.
  if (!type.empty() && type.front() >= 'a' && type.front() <= 'z') type.front() -= 'a' - 'A';
  return type;
}

ApiError map_bedrock_exception(std::string_view exception_type, std::string_view message,
                               int http_status, const http::Headers& headers) {
  std::string type = normalize_exception_type(exception_type);
  std::string detail = echoed(message);
  std::string suffix = detail.empty() ? std::string() : ": " + detail;

  if (type == "ValidationException") {
    return make(400, "invalid_request_error", "upstream_validation_error",
                detail.empty() ? "Bedrock rejected the request" : detail);
  }
  for (auto credential : kCredentialExceptions) {
    if (type != credential) continue;
    return make(502, "upstream_error", "upstream_auth_failed",
                "the gateway's Bedrock credentials were rejected (" + type + suffix +
                    "); ask an administrator to fix the model's AWS credentials, region or "
                    "model access");
  }
  if (type == "ResourceNotFoundException") {
    return make(404, "not_found_error", "upstream_model_not_found",
                "Bedrock does not know the configured model" + suffix);
  }
  if (type == "ThrottlingException" || type == "ServiceQuotaExceededException") {
    auto error = make(429, "rate_limit_error", "rate_limit_exceeded",
                      "Bedrock is throttling requests (" + type + suffix + ")");
    if (auto retry = headers.get("retry-after")) error.retry_after = std::string(*retry);
    return error;
  }
  if (type == "ModelNotReadyException" || type == "ServiceUnavailableException") {
    return make(503, "upstream_error", "upstream_unavailable",
                "Bedrock is not available right now (" + type + suffix + ")");
  }
  if (type == "ModelTimeoutException") {
    return make(504, "upstream_error", "upstream_timeout",
                "the Bedrock model took too long (" + type + suffix + ")");
  }
  if (type.empty() && http_status > 0) {
    // Not Bedrock's own error (a proxy, a load balancer): judge by the status alone.
    return map_upstream_status(http_status, detail, "bedrock-converse", headers);
  }
  std::string named = type.empty() ? std::string() : " (" + type + ")";
  return make(502, "upstream_error", "upstream_error", "Bedrock failed" + named + suffix);
}

ApiError map_bedrock_error_response(int status, const http::Headers& headers,
                                    std::string_view body) {
  std::string type;
  if (auto header = headers.get("x-amzn-errortype")) type = std::string(*header);
  std::string message;
  boost::system::error_code ec;
  auto parsed = json::parse(body, ec);
  if (!ec && parsed.is_object()) {
    const auto& object = parsed.get_object();
    message = string_field(object, "message");
    if (message.empty()) message = string_field(object, "Message");
    if (type.empty()) type = string_field(object, "__type");
    if (type.empty()) type = string_field(object, "code");
  } else {
    message = echoed(body);
  }
  return map_bedrock_exception(type, message, status, headers);
}

}  // namespace providers::bedrock
