#pragma once
// Wall-clock time for timestamps and quota months, shifted by LLMGATE_CLOCK_OFFSET so that
// tests can cross a month boundary. Timeouts use steady_clock and never see the offset.

#include <chrono>
#include <cstdint>

namespace core {

class Clock {
 public:
  explicit Clock(std::chrono::seconds offset = std::chrono::seconds(0)) : offset_(offset) {}
  std::chrono::system_clock::time_point now() const {
    return std::chrono::system_clock::now() + offset_;
  }
  std::int64_t unix_seconds() const {
    return std::chrono::duration_cast<std::chrono::seconds>(now().time_since_epoch()).count();
  }

 private:
  std::chrono::seconds offset_;
};

}  // namespace core
