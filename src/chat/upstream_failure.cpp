#include "chat/upstream_failure.hpp"

#include "chat/openai_error.hpp"

namespace chat {

telemetry::UpstreamErrorKind metric_kind(http::CallErrorKind kind) {
  switch (kind) {
    case http::CallErrorKind::kConnect:
      return telemetry::UpstreamErrorKind::kConnect;
    case http::CallErrorKind::kTimeout:
      return telemetry::UpstreamErrorKind::kTimeout;
    default:
      return telemetry::UpstreamErrorKind::kProtocol;
  }
}

telemetry::UpstreamErrorKind metric_kind_for_status(int status) {
  return status / 100 == 4 ? telemetry::UpstreamErrorKind::kStatus4xx
                           : telemetry::UpstreamErrorKind::kStatus5xx;
}

providers::ApiError call_failure(const http::CallError& error, std::string_view model) {
  std::string prefix = "the upstream of model '" + std::string(model) + "' ";
  switch (error.kind) {
    case http::CallErrorKind::kTimeout:
      return make_api_error(504, prefix + "did not answer in time: " + error.message,
                            "upstream_error", "upstream_timeout");
    case http::CallErrorKind::kConnect:
      return make_api_error(502, prefix + "is unreachable: " + error.message, "upstream_error",
                            "upstream_unreachable");
    default:
      return make_api_error(502, prefix + "failed: " + error.message, "upstream_error",
                            "upstream_error");
  }
}

bool worth_another_attempt(const http::CallError& error) {
  return error.kind == http::CallErrorKind::kConnect || error.kind == http::CallErrorKind::kTimeout;
}

bool worth_another_attempt(int status) { return status == 429 || status >= 500; }

}  // namespace chat
