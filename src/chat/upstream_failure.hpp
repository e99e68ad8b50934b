#pragma once
// How a failed upstream call reads to the client and counts in metrics.

#include <string_view>

#include "http/client/upstream_call.hpp"
#include "providers/provider.hpp"
#include "telemetry/metrics.hpp"

namespace chat {

providers::ApiError call_failure(const http::CallError& error, std::string_view model);
telemetry::UpstreamErrorKind metric_kind(http::CallErrorKind kind);
telemetry::UpstreamErrorKind metric_kind_for_status(int status);
// A failure another region (or a fresh attempt) may not have: connect, timeout, 429, 5xx.
bool worth_another_attempt(const http::CallError& error);
bool worth_another_attempt(int status);

}  // namespace chat
