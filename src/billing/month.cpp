#include "billing/month.hpp"

#include <cstdio>

#include <date/tz.h>

namespace billing {

core::Result<MonthClock> MonthClock::create(core::Clock clock, const std::string& time_zone) {
  try {
    const date::time_zone* zone = date::locate_zone(time_zone);
    return MonthClock(clock, zone);
  } catch (const std::exception& error) {
    return core::Error::bad_request(
        "LLMGATE_TIMEZONE: unknown time zone '" + time_zone + "' (" + error.what() + ")",
        "timezone");
  }
}

std::string MonthClock::month_at(std::chrono::system_clock::time_point instant) const {
  const auto* zone = static_cast<const date::time_zone*>(zone_);
  auto local = zone->to_local(std::chrono::time_point_cast<std::chrono::seconds>(instant));
  date::year_month_day day{date::floor<date::days>(local)};
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u", static_cast<int>(day.year()),
                static_cast<unsigned>(day.month()));
  return text;
}

std::string MonthClock::current_month() const { return month_at(clock_.now()); }

std::int64_t MonthClock::current_month_start() const {
  const auto* zone = static_cast<const date::time_zone*>(zone_);
  auto local = zone->to_local(std::chrono::time_point_cast<std::chrono::seconds>(clock_.now()));
  date::year_month_day day{date::floor<date::days>(local)};
  date::local_days first{day.year() / day.month() / 1};
  // The earliest instant of that local midnight (a DST gap moves it forward, never back).
  auto instant = zone->to_sys(first, date::choose::earliest);
  return std::chrono::duration_cast<std::chrono::seconds>(instant.time_since_epoch()).count();
}

}  // namespace billing
