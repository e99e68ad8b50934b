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

namespace {

// The month last asked for on this thread, and the instants it spans: every request asks
// (admission and charge), and a time-zone conversion plus formatting costs more than the
// rest of the admission.
struct CachedMonth {
  const void* zone = nullptr;
  date::sys_seconds from;
  date::sys_seconds until;  // exclusive
  std::string month;
};
thread_local CachedMonth t_cached_month;

// The month holding `instant` in `zone_pointer`, from this thread's cache when it is that one.
const CachedMonth& month_of(const void* zone_pointer,
                            std::chrono::system_clock::time_point instant) {
  const auto seconds = std::chrono::time_point_cast<std::chrono::seconds>(instant);
  CachedMonth& cached = t_cached_month;
  if (cached.zone == zone_pointer && cached.from <= seconds && seconds < cached.until) {
    return cached;
  }
  const auto* zone = static_cast<const date::time_zone*>(zone_pointer);
  date::year_month_day day{date::floor<date::days>(zone->to_local(seconds))};
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u", static_cast<int>(day.year()),
                static_cast<unsigned>(day.month()));
  // The month's first and the next month's first local midnight, as instants: the earliest
  // of each (a DST gap moves a midnight forward, never back).
  const date::year_month month = day.year() / day.month();
  cached.zone = zone_pointer;
  cached.from = zone->to_sys(date::local_days{month / 1}, date::choose::earliest);
  cached.until =
      zone->to_sys(date::local_days{(month + date::months{1}) / 1}, date::choose::earliest);
  cached.month = text;
  return cached;
}

}  // namespace

std::string MonthClock::month_at(std::chrono::system_clock::time_point instant) const {
  return month_of(zone_, instant).month;
}

std::string MonthClock::current_month() const { return month_at(clock_.now()); }

std::int64_t MonthClock::current_month_start() const {
  return month_of(zone_, clock_.now()).from.time_since_epoch().count();
}

}  // namespace billing
