#include "core/money.hpp"

#include <limits>

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace core {
namespace {

std::int64_t nanos_of(std::string_view text) {
  auto money = Money::parse(text);
  EXPECT_TRUE(money.has_value()) << text;
  return money ? money->nanos() : 0;
}

TEST(MoneyParse, Decimals) {
  EXPECT_EQ(nanos_of("0.23"), 230'000'000);
  EXPECT_EQ(nanos_of("12"), 12'000'000'000);
  EXPECT_EQ(nanos_of("0"), 0);
  EXPECT_EQ(nanos_of("-1.5"), -1'500'000'000);
  EXPECT_EQ(nanos_of("+2"), 2'000'000'000);
  EXPECT_EQ(nanos_of("0.000000001"), 1);
  EXPECT_EQ(nanos_of("0.1000000000"), 100'000'000);  // trailing zeros are not precision
  EXPECT_EQ(nanos_of("9223372036.854775807"), std::numeric_limits<std::int64_t>::max());
}

TEST(MoneyParse, Exponents) {
  EXPECT_EQ(nanos_of("1e-3"), 1'000'000);
  EXPECT_EQ(nanos_of("2.5E+2"), 250'000'000'000);
  EXPECT_EQ(nanos_of("1e-9"), 1);
  EXPECT_EQ(nanos_of("1e-07"), 100);
  EXPECT_EQ(nanos_of("0e-400"), 0);
}

TEST(MoneyParse, Rejects) {
  for (const char* text : {"", "-", ".", "abc", "1.2.3", "1,5", "0x10", " 1", "1 ", "1e", "e5",
                           "1e+-3", "--1", "nan", "inf"}) {
    EXPECT_FALSE(Money::parse(text).has_value()) << text;
  }
}

TEST(MoneyParse, RejectsPrecisionFinerThanANanoUnit) {
  EXPECT_FALSE(Money::parse("0.0000000001").has_value());
  EXPECT_FALSE(Money::parse("1e-10").has_value());
  EXPECT_FALSE(Money::parse("1.0000000001").has_value());
}

TEST(MoneyParse, RejectsOverflow) {
  EXPECT_FALSE(Money::parse("9223372036.854775808").has_value());
  EXPECT_FALSE(Money::parse("10000000000").has_value());
  EXPECT_FALSE(Money::parse("99999999999999999999999").has_value());
  EXPECT_FALSE(Money::parse("1e30").has_value());
}

TEST(MoneyParse, NegativeLimitsAndHugeExponents) {
  EXPECT_EQ(nanos_of("-9223372036.854775807"), -std::numeric_limits<std::int64_t>::max());
  EXPECT_FALSE(Money::parse("-9223372036.854775809").has_value());
  EXPECT_FALSE(Money::parse("-1e30").has_value());
  // An exponent that does not fit an int is an error, not a wrapped-around scale.
  EXPECT_FALSE(Money::parse("1e99999999999").has_value());
  EXPECT_FALSE(Money::parse("1e-99999999999").has_value());
  // Scaling up by 10^9 overflows although the digits alone fit.
  EXPECT_FALSE(Money::parse("9300000000").has_value());
  EXPECT_EQ(nanos_of("9200000000"), 9'200'000'000'000'000'000);
}

TEST(MoneyJson, FromJson) {
  EXPECT_EQ(Money::from_json(boost::json::value(5))->nanos(), 5'000'000'000);
  EXPECT_EQ(Money::from_json(boost::json::value(-2))->nanos(), -2'000'000'000);
  EXPECT_EQ(Money::from_json(boost::json::value(3u))->nanos(), 3'000'000'000);
  EXPECT_EQ(Money::from_json(boost::json::value(0.23))->nanos(), 230'000'000);
  EXPECT_EQ(Money::from_json(boost::json::value(0.1 + 0.2)), std::nullopt);  // 0.30000000000000004
  EXPECT_EQ(Money::from_json(boost::json::value(1e-7))->nanos(), 100);
  EXPECT_EQ(Money::from_json(boost::json::value("0.23"))->nanos(), 230'000'000);
  EXPECT_EQ(Money::from_json(boost::json::parse("12.5"))->nanos(), 12'500'000'000);

  EXPECT_FALSE(Money::from_json(boost::json::value("abc")).has_value());
  EXPECT_FALSE(Money::from_json(boost::json::value(true)).has_value());
  EXPECT_FALSE(Money::from_json(boost::json::value(nullptr)).has_value());
  EXPECT_FALSE(Money::from_json(boost::json::array{}).has_value());
  EXPECT_FALSE(Money::from_json(boost::json::value(std::int64_t{10'000'000'000})).has_value());
  EXPECT_FALSE(Money::from_json(boost::json::value(std::uint64_t{1} << 63)).has_value());
  EXPECT_FALSE(Money::from_json(boost::json::value(1e300)).has_value());
}

TEST(MoneyText, ToString) {
  EXPECT_EQ(Money::from_nanos(230'000'000).to_string(), "0.23");
  EXPECT_EQ(Money::from_nanos(12'000'000'000).to_string(), "12");
  EXPECT_EQ(Money::from_nanos(0).to_string(), "0");
  EXPECT_EQ(Money::from_nanos(-1).to_string(), "-0.000000001");
  EXPECT_EQ(Money::from_nanos(-1'500'000'000).to_string(), "-1.5");
  EXPECT_EQ(Money::from_nanos(std::numeric_limits<std::int64_t>::min()).to_string(),
            "-9223372036.854775808");
}

TEST(MoneyText, RoundTrips) {
  for (std::int64_t nanos :
       {std::int64_t{0}, std::int64_t{1}, std::int64_t{-1}, std::int64_t{230'000'000},
        std::int64_t{1'234'567'891}, std::int64_t{-987'654'321'000}, std::int64_t{100},
        std::numeric_limits<std::int64_t>::max()}) {
    auto money = Money::from_nanos(nanos);
    auto parsed = Money::parse(money.to_string());
    ASSERT_TRUE(parsed.has_value()) << money.to_string();
    EXPECT_EQ(*parsed, money);
  }
}

TEST(MoneyJson, ToJson) {
  auto whole = Money::from_nanos(12'000'000'000).to_json();
  ASSERT_TRUE(whole.is_int64());
  EXPECT_EQ(whole.get_int64(), 12);

  auto fraction = Money::from_nanos(230'000'000).to_json();
  ASSERT_TRUE(fraction.is_double());
  EXPECT_EQ(fraction.get_double(), 0.23);
  EXPECT_EQ(Money::from_json(fraction)->nanos(), 230'000'000);

  // Every value of at most 15 significant digits survives the trip through a JSON double.
  for (std::int64_t nanos : {std::int64_t{1}, std::int64_t{-1}, std::int64_t{123'456'789},
                             std::int64_t{999'999'999'999'999}, std::int64_t{-999'999'999'999'999},
                             std::int64_t{123'456'789'100'000'000}}) {
    auto json = Money::from_nanos(nanos).to_json();
    auto back = Money::from_json(boost::json::parse(boost::json::serialize(json)));
    ASSERT_TRUE(back.has_value()) << boost::json::serialize(json);
    EXPECT_EQ(back->nanos(), nanos);
  }
}

TEST(MoneyCompare, Ordering) {
  EXPECT_LT(Money::from_nanos(1), Money::from_nanos(2));
  EXPECT_EQ(Money::from_nanos(5), Money::from_nanos(5));
  EXPECT_EQ(Money(), Money::from_nanos(0));
}

}  // namespace
}  // namespace core
