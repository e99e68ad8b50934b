#include "billing/month.hpp"

#include <chrono>
#include <string>

#include <gtest/gtest.h>

namespace billing {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

// An instant given in UTC.
system_clock::time_point utc(int y, unsigned m, unsigned d, int hh = 0, int mm = 0, int ss = 0) {
  return sys_days{year{y} / month{m} / day{d}} + hours{hh} + minutes{mm} + seconds{ss};
}

MonthClock make(const std::string& zone, core::Clock clock = core::Clock()) {
  auto months = MonthClock::create(clock, zone);
  EXPECT_TRUE(months) << (months ? "" : months.error().message);
  return std::move(*months);
}

// A clock whose "now" is `target` (give or take the test's own run time).
core::Clock clock_at(system_clock::time_point target) {
  return core::Clock(duration_cast<seconds>(target - system_clock::now()));
}

TEST(MonthClock, UtcMonthStartsAtMidnightOfTheFirst) {
  auto months = make("UTC");
  EXPECT_EQ(months.month_at(utc(2026, 11, 30, 23, 59, 59)), "2026-11");
  EXPECT_EQ(months.month_at(utc(2026, 12, 1, 0, 0, 0)), "2026-12");
  EXPECT_EQ(months.month_at(utc(2026, 12, 1, 0, 0, 0) - 1ms), "2026-11");
  EXPECT_EQ(months.month_at(utc(2026, 12, 31, 23, 59, 59)), "2026-12");
  EXPECT_EQ(months.month_at(utc(2027, 1, 1)), "2027-01");
  EXPECT_EQ(months.month_at(utc(2028, 2, 29, 12)), "2028-02");
  EXPECT_EQ(months.month_at(utc(2028, 3, 1)), "2028-03");
}

TEST(MonthClock, ShanghaiMonthStartsEightHoursBeforeUtc) {
  auto shanghai = make("Asia/Shanghai");
  auto utc_months = make("UTC");
  // 2026-12-01 00:00 in Shanghai is 2026-11-30 16:00 UTC.
  EXPECT_EQ(shanghai.month_at(utc(2026, 11, 30, 15, 59, 59)), "2026-11");
  EXPECT_EQ(shanghai.month_at(utc(2026, 11, 30, 16, 0, 0)), "2026-12");
  EXPECT_EQ(utc_months.month_at(utc(2026, 11, 30, 16, 0, 0)), "2026-11");
  EXPECT_EQ(utc_months.month_at(utc(2026, 11, 30, 15, 59, 59)), "2026-11");
  // Across a year: 2027-01-01 00:00 in Shanghai is 2026-12-31 16:00 UTC.
  EXPECT_EQ(shanghai.month_at(utc(2026, 12, 31, 15, 59, 59)), "2026-12");
  EXPECT_EQ(shanghai.month_at(utc(2026, 12, 31, 16, 0, 0)), "2027-01");
  EXPECT_EQ(utc_months.month_at(utc(2026, 12, 31, 16, 0, 0)), "2026-12");
  // Late on the last day in UTC is already the next month in Shanghai, not earlier ones.
  EXPECT_EQ(shanghai.month_at(utc(2026, 12, 1, 0, 0, 0)), "2026-12");
}

TEST(MonthClock, ZoneWithDaylightSavingUsesTheOffsetInForceAtMidnight) {
  // New York leaves daylight saving on Sunday 2026-11-01 at 02:00, so its midnight is
  // still EDT (UTC-4): 04:00 UTC. In March (2026-03-01) it is EST (UTC-5): 05:00 UTC.
  auto new_york = make("America/New_York");
  EXPECT_EQ(new_york.month_at(utc(2026, 11, 1, 3, 59, 59)), "2026-10");
  EXPECT_EQ(new_york.month_at(utc(2026, 11, 1, 4, 0, 0)), "2026-11");
  EXPECT_EQ(new_york.month_at(utc(2026, 3, 1, 4, 59, 59)), "2026-02");
  EXPECT_EQ(new_york.month_at(utc(2026, 3, 1, 5, 0, 0)), "2026-03");
}

TEST(MonthClock, MonthsAreZeroPadded) {
  auto months = make("UTC");
  EXPECT_EQ(months.month_at(utc(2031, 1, 15)), "2031-01");
  EXPECT_EQ(months.month_at(utc(2031, 9, 15)), "2031-09");
  EXPECT_EQ(months.month_at(utc(2031, 10, 15)), "2031-10");
}

TEST(MonthClock, UnknownZoneIsAnErrorNamingTheSetting) {
  auto months = MonthClock::create(core::Clock(), "Mars/Olympus_Mons");
  ASSERT_FALSE(months);
  EXPECT_NE(months.error().message.find("LLMGATE_TIMEZONE"), std::string::npos)
      << months.error().message;
  EXPECT_NE(months.error().message.find("Mars/Olympus_Mons"), std::string::npos)
      << months.error().message;
  EXPECT_EQ(months.error().kind, core::ErrorKind::kBadRequest);

  EXPECT_FALSE(MonthClock::create(core::Clock(), ""));
  EXPECT_FALSE(MonthClock::create(core::Clock(), "utc+8"));
}

TEST(MonthClock, CurrentMonthFollowsTheClock) {
  auto now = make("UTC");
  EXPECT_EQ(now.current_month(), now.month_at(system_clock::now()));
}

TEST(MonthClock, ClockOffsetShiftsTheMonth) {
  // Mid-month targets, so that the seconds this test takes cannot cross a boundary.
  auto november = make("UTC", clock_at(utc(2026, 11, 15, 12)));
  EXPECT_EQ(november.current_month(), "2026-11");
  auto december = make("UTC", clock_at(utc(2026, 12, 15, 12)));
  EXPECT_EQ(december.current_month(), "2026-12");
  // The offset moves "now" but not month_at of a given instant.
  EXPECT_EQ(december.month_at(utc(2026, 11, 15, 12)), "2026-11");
  // A negative offset goes back in time.
  auto past = make("UTC", clock_at(utc(2001, 3, 15)));
  EXPECT_EQ(past.current_month(), "2001-03");
}

TEST(MonthClock, ClockOffsetAndZoneTogether) {
  // 20:00 UTC on the last of November is 04:00 on 1 December in Shanghai.
  auto target = utc(2026, 11, 30, 20);
  auto shanghai = make("Asia/Shanghai", clock_at(target));
  auto in_utc = make("UTC", clock_at(target));
  EXPECT_EQ(shanghai.current_month(), "2026-12");
  EXPECT_EQ(in_utc.current_month(), "2026-11");
}

TEST(MonthClock, CurrentMonthStartIsTheFirstLocalMidnight) {
  const auto seconds_of = [](system_clock::time_point instant) {
    return duration_cast<seconds>(instant.time_since_epoch()).count();
  };
  auto target = utc(2026, 11, 15, 12);
  EXPECT_EQ(make("UTC", clock_at(target)).current_month_start(), seconds_of(utc(2026, 11, 1)));
  EXPECT_EQ(make("Asia/Shanghai", clock_at(target)).current_month_start(),
            seconds_of(utc(2026, 10, 31, 16)));
  // New York's midnight on 1 November 2026 is still daylight time (UTC-4).
  EXPECT_EQ(make("America/New_York", clock_at(target)).current_month_start(),
            seconds_of(utc(2026, 11, 1, 4)));
  // Asked on the same thread right after another month and zone: no stale answer.
  EXPECT_EQ(make("UTC", clock_at(utc(2027, 2, 10))).current_month_start(),
            seconds_of(utc(2027, 2, 1)));
  EXPECT_EQ(make("UTC", clock_at(utc(2027, 2, 10))).current_month(), "2027-02");
}

}  // namespace
}  // namespace billing
