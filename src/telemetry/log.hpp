#pragma once
// Logging macros over spdlog. Lines go to stderr, as text or one JSON object per line.

#include <string>

#include <spdlog/spdlog.h>

namespace telemetry {

enum class LogFormat { kText, kJson };

// level: trace, debug, info, warn, error, off. Returns false for an unknown level name.
bool init_logging(const std::string& level, LogFormat format);

}  // namespace telemetry

// Filtered at run time (LLMGATE_LOG), and formatted only when the level is enabled.
#define LLMGATE_LOG_DEBUG(...) ::spdlog::debug(__VA_ARGS__)
#define LLMGATE_LOG_INFO(...) ::spdlog::info(__VA_ARGS__)
#define LLMGATE_LOG_WARN(...) ::spdlog::warn(__VA_ARGS__)
#define LLMGATE_LOG_ERROR(...) ::spdlog::error(__VA_ARGS__)
