#pragma once
// The quota month: "2026-11" for an instant, in the configured time zone. A month starts
// at 00:00 of the 1st there; comparing a stored month with the current one is the whole
// rollover (no cron job, exactly once, also for reads).

#include <memory>
#include <string>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace billing {

class MonthClock {
 public:
  // Errors name the setting when the zone is unknown ("LLMGATE_TIMEZONE: unknown time zone").
  static core::Result<MonthClock> create(core::Clock clock, const std::string& time_zone);

  std::string current_month() const;
  // Unix seconds of 00:00 on the 1st of the current month, in the zone.
  std::int64_t current_month_start() const;
  std::string month_at(std::chrono::system_clock::time_point instant) const;
  const core::Clock& clock() const { return clock_; }

 private:
  MonthClock(core::Clock clock, const void* zone) : clock_(clock), zone_(zone) {}
  core::Clock clock_;
  const void* zone_;  // const date::time_zone*, kept out of this header
};

}  // namespace billing
