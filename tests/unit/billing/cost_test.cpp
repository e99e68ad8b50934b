#include "billing/cost.hpp"

#include <cstdint>
#include <limits>

#include <gtest/gtest.h>

namespace billing {
namespace {

using core::Money;

constexpr std::int64_t kUnit = 1'000'000'000;  // nanos per currency unit

Money units(std::int64_t whole) { return Money::from_nanos(whole * kUnit); }
Money nanos(std::int64_t count) { return Money::from_nanos(count); }

TEST(CostOf, IsTokensTimesPricePerMillion) {
  // 1,000 tokens at 3 per million = 0.003; 2,000 at 15 per million = 0.03.
  EXPECT_EQ(cost_of(1000, 0, units(3), units(15)).nanos(), 3'000'000);
  EXPECT_EQ(cost_of(0, 2000, units(3), units(15)).nanos(), 30'000'000);
  EXPECT_EQ(cost_of(1000, 2000, units(3), units(15)).nanos(), 33'000'000);
  // A million tokens cost exactly the price, to the nano-unit.
  EXPECT_EQ(cost_of(1'000'000, 0, nanos(123'456'789), Money()).nanos(), 123'456'789);
  EXPECT_EQ(cost_of(0, 1'000'000, Money(), nanos(987'654'321)).nanos(), 987'654'321);
  // 7 tokens at 0.3 and 11 at 1.2 per million: 2.1e-6 + 13.2e-6 = 0.0000153, exactly.
  EXPECT_EQ(cost_of(7, 11, nanos(300'000'000), nanos(1'200'000'000)).nanos(), 15'300);
}

TEST(CostOf, ZeroPricesOrTokensCostNothing) {
  EXPECT_EQ(cost_of(1'000'000, 1'000'000, Money(), Money()).nanos(), 0);
  EXPECT_EQ(cost_of(0, 0, units(3), units(15)).nanos(), 0);
}

TEST(CostOf, NegativeTokenCountsCountAsZero) {
  EXPECT_EQ(cost_of(-5, 1000, units(1000), units(2)).nanos(), 2'000'000);
  EXPECT_EQ(cost_of(1000, -5, units(2), units(1000)).nanos(), 2'000'000);
}

TEST(CostOf, RoundsHalfUpToTheNanoUnit) {
  const Money one_nano = nanos(1);                                 // 1e-9 per million tokens
  EXPECT_EQ(cost_of(499'999, 0, one_nano, Money()).nanos(), 0);    // 0.499999 nano
  EXPECT_EQ(cost_of(500'000, 0, one_nano, Money()).nanos(), 1);    // 0.5 rounds up
  EXPECT_EQ(cost_of(1'499'999, 0, one_nano, Money()).nanos(), 1);  // 1.499999
  EXPECT_EQ(cost_of(1'500'000, 0, one_nano, Money()).nanos(), 2);  // 1.5
  EXPECT_EQ(cost_of(2'500'000, 0, one_nano, Money()).nanos(), 3);  // half up, not to even
  // At 0.123456789 per million a token costs 123.456789 nanos: 1 token rounds down to 123,
  // 2 tokens (246.913578) round up to 247.
  EXPECT_EQ(cost_of(1, 0, nanos(123'456'789), Money()).nanos(), 123);
  EXPECT_EQ(cost_of(2, 0, nanos(123'456'789), Money()).nanos(), 247);
  // 1234 tokens at 0.987654321: 1218765.432114 nanos -> 1218765.
  EXPECT_EQ(cost_of(0, 1234, Money(), nanos(987'654'321)).nanos(), 1'218'765);
}

TEST(CostOf, RoundsOnceOverTheWholeSum) {
  // Each part alone is 0.25 nano (would round to 0); together 0.5 nano rounds to 1.
  EXPECT_EQ(cost_of(250'000, 250'000, nanos(1), nanos(1)).nanos(), 1);
  // Each part is 0.6 nano (would round to 1 each, 2 in all); together 1.2 rounds to 1.
  EXPECT_EQ(cost_of(600'000, 600'000, nanos(1), nanos(1)).nanos(), 1);
}

TEST(CostOf, Uses128BitIntermediatesWithBigTokenCounts) {
  // 10^12 tokens at 1,000 per million: the product 10^12 × 10^12 nanos overflows 64 bits,
  // the cost (10^9 units = 10^18 nanos) does not.
  EXPECT_EQ(cost_of(1'000'000'000'000, 0, units(1000), Money()).nanos(), 1'000'000'000'000'000'000);
  EXPECT_EQ(cost_of(500'000'000'000, 500'000'000'000, units(1000), units(1000)).nanos(),
            1'000'000'000'000'000'000);
  // The largest token count at a fractional price, exactly: (2^63-1) × 3 / 10^6, rounded.
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  __int128 expected = (static_cast<__int128>(kMax) * 3 + 500'000) / 1'000'000;
  EXPECT_EQ(cost_of(kMax, 0, nanos(3), Money()).nanos(), static_cast<std::int64_t>(expected));
}

TEST(CostOf, SaturatesInsteadOfOverflowing) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(cost_of(kMax, kMax, units(1000), units(1000)).nanos(), kMax);
  EXPECT_EQ(cost_of(kMax, 0, units(1), Money()).nanos(), kMax);
}

TEST(SplitCost, FillsTheAllowanceFirst) {
  Split split = split_cost(units(3), units(10), Money());
  EXPECT_EQ(split.from_allowance, units(3));
  EXPECT_EQ(split.from_balance, Money());
}

TEST(SplitCost, TakesWhatExceedsTheAllowanceFromTheBalance) {
  Split split = split_cost(units(3), units(10), units(8));
  EXPECT_EQ(split.from_allowance, units(2));
  EXPECT_EQ(split.from_balance, units(1));
}

TEST(SplitCost, ExactlyFillingTheAllowanceTakesNothingFromTheBalance) {
  Split split = split_cost(units(2), units(10), units(8));
  EXPECT_EQ(split.from_allowance, units(2));
  EXPECT_EQ(split.from_balance, Money());
}

TEST(SplitCost, AllowanceUsedUpTakesAllFromTheBalance) {
  Split split = split_cost(units(3), units(10), units(10));
  EXPECT_EQ(split.from_allowance, Money());
  EXPECT_EQ(split.from_balance, units(3));
}

TEST(SplitCost, MonthFeeAlreadyOverTheQuotaTakesAllFromTheBalance) {
  // A quota lowered below what was already spent this month.
  Split split = split_cost(units(3), units(10), units(12));
  EXPECT_EQ(split.from_allowance, Money());
  EXPECT_EQ(split.from_balance, units(3));
}

TEST(SplitCost, NoQuotaTakesAllFromTheBalance) {
  Split split = split_cost(nanos(7), Money(), Money());
  EXPECT_EQ(split.from_allowance, Money());
  EXPECT_EQ(split.from_balance, nanos(7));
}

TEST(SplitCost, ZeroCostSplitsIntoZeros) {
  Split split = split_cost(Money(), units(10), units(3));
  EXPECT_EQ(split.from_allowance, Money());
  EXPECT_EQ(split.from_balance, Money());
}

TEST(SplitCost, PartsAlwaysSumToTheCostToTheNanoUnit) {
  const std::int64_t values[] = {0,
                                 1,
                                 2,
                                 999'999'999,
                                 1'000'000'000,
                                 1'000'000'001,
                                 123'456'789'012,
                                 std::numeric_limits<std::int64_t>::max() / 2};
  for (std::int64_t cost : values) {
    for (std::int64_t quota : values) {
      for (std::int64_t fee : values) {
        Split split = split_cost(nanos(cost), nanos(quota), nanos(fee));
        EXPECT_EQ(split.from_allowance.nanos() + split.from_balance.nanos(), cost)
            << cost << " " << quota << " " << fee;
        EXPECT_GE(split.from_allowance.nanos(), 0);
        EXPECT_GE(split.from_balance.nanos(), 0);
        // Never more from the allowance than the room left in it.
        EXPECT_LE(split.from_allowance.nanos(), std::max<std::int64_t>(quota - fee, 0));
        // The balance pays only once the allowance is full.
        if (split.from_balance.nanos() > 0) {
          EXPECT_GE(fee + split.from_allowance.nanos(), quota);
        }
      }
    }
  }
}

}  // namespace
}  // namespace billing
