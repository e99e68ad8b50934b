#include "api/json_text.hpp"

#include <cmath>
#include <cstdlib>
#include <limits>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace api {
namespace {

namespace json = boost::json;

TEST(ToJsonText, DoublesArePlainDecimals) {
  EXPECT_EQ(to_json_text(json::value(0.23)), "0.23");
  EXPECT_EQ(to_json_text(json::value(1500.5)), "1500.5");
  EXPECT_EQ(to_json_text(json::value(1e-9)), "0.000000001");
  EXPECT_EQ(to_json_text(json::value(0.000002)), "0.000002");
  EXPECT_EQ(to_json_text(json::value(-2.75)), "-2.75");
  EXPECT_EQ(to_json_text(json::value(12345678.125)), "12345678.125");
  EXPECT_EQ(to_json_text(json::value(3.0)), "3");
  EXPECT_EQ(to_json_text(json::value(1e15)), "1000000000000000");
}

TEST(ToJsonText, HugeAndTinyDoublesStayValidJson) {
  for (double number : {1e300, -1e300, std::numeric_limits<double>::max(), 1e-300,
                        std::numeric_limits<double>::denorm_min()}) {
    SCOPED_TRACE(number);
    auto text = to_json_text(json::value(number));
    boost::system::error_code ec;
    auto parsed = json::parse(text, ec);
    ASSERT_FALSE(ec) << text;
    ASSERT_TRUE(parsed.is_double()) << text;
    // strtod, not Boost.JSON 1.81's parser, which is not exact near DBL_MAX.
    EXPECT_EQ(std::strtod(text.c_str(), nullptr), number) << text;
  }
}

TEST(ToJsonText, NonFiniteDoublesAreNull) {
  EXPECT_EQ(to_json_text(json::value(std::numeric_limits<double>::infinity())), "null");
  EXPECT_EQ(to_json_text(json::value(std::nan(""))), "null");
}

TEST(ToJsonText, IntegersBoolsAndNull) {
  EXPECT_EQ(to_json_text(json::value(42)), "42");
  EXPECT_EQ(to_json_text(json::value(-7)), "-7");
  EXPECT_EQ(to_json_text(json::value(18446744073709551615ull)), "18446744073709551615");
  EXPECT_EQ(to_json_text(json::value(true)), "true");
  EXPECT_EQ(to_json_text(json::value(nullptr)), "null");
}

TEST(ToJsonText, StringsAreEscaped) {
  EXPECT_EQ(to_json_text(json::value("say \"hi\"\n\\ \t\x01")), R"("say \"hi\"\n\\ \t\u0001")");
  EXPECT_EQ(to_json_text(json::value("\xE4\xBD\xA0\xE5\xA5\xBD")), "\"\xE4\xBD\xA0\xE5\xA5\xBD\"");
}

TEST(ToJsonText, ObjectKeysAreEscaped) {
  json::object object;
  object["a\"b"] = 1;
  EXPECT_EQ(to_json_text(object), R"({"a\"b":1})");
}

TEST(ToJsonText, NestedObjectsAndArrays) {
  json::object inner;
  inner["price"] = 0.23;
  inner["tags"] = json::array{"a", 1, 2.5, nullptr, json::array{}};
  json::object outer;
  outer["success"] = true;
  outer["data"] = inner;
  outer["empty"] = json::object();
  EXPECT_EQ(to_json_text(outer),
            R"({"success":true,"data":{"price":0.23,"tags":["a",1,2.5,null,[]]},"empty":{}})");
}

TEST(ToJsonText, RoundTripsThroughAParser) {
  auto original = json::parse(
      R"({"items":[{"id":1,"name":"gpt-4o","price":{"input":0.0000025,"output":1e-5}},
          {"id":2,"name":"\u00e9\n","nested":[[[0.1]]]}],"total":2,"limit":20,"offset":0})");
  EXPECT_EQ(json::parse(to_json_text(original)), original);
}

}  // namespace
}  // namespace api
