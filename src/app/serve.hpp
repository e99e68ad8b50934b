#pragma once
// The composition root of `llmgate serve`.

#include "config/settings.hpp"

namespace app {

// Runs until SIGTERM/SIGINT, then drains; returns the process exit code.
int serve_gateway(const config::Settings& settings);

}  // namespace app
