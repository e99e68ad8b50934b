#include "core/json_numbers.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace {

std::optional<std::string> first_out_of_range(std::string_view text, const std::string& root = {}) {
  return core::non_finite_number_at(boost::json::parse(text), root);
}

TEST(JsonNumbers, FiniteNumbersOfEveryKindPass) {
  EXPECT_EQ(first_out_of_range(R"({"a": [1, -2, 1.5, 1e308, -1e308, 18446744073709551615,
                                   18446744073709551616, 9223372036854775808], "b": {"c": 0}})"),
            std::nullopt);
}

TEST(JsonNumbers, TheFirstOutOfRangeNumberIsNamedByItsPath) {
  EXPECT_EQ(first_out_of_range(R"({"messages": [{"role": "user"},
                                   {"tool_calls": [{"x": -1e400}]}]})"),
            "messages[1].tool_calls[0].x");
  EXPECT_EQ(first_out_of_range(R"({"a": 1, "temperature": 1e400, "b": 1e999})"), "temperature");
  EXPECT_EQ(first_out_of_range(R"([[1], [2, 1e400]])"), "[1][1]");
  EXPECT_EQ(first_out_of_range("1e400"), "");
}

TEST(JsonNumbers, TheRootPrefixesThePath) {
  EXPECT_EQ(first_out_of_range(R"({"maxTokens": 1e400})", "config"), "config.maxTokens");
  EXPECT_EQ(first_out_of_range(R"([1e400])", "stop"), "stop[0]");
  EXPECT_EQ(first_out_of_range("1e400", "temperature"), "temperature");
}

}  // namespace
