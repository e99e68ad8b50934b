#include "api/fields.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace api {
namespace {

namespace json = boost::json;

template <class T>
void expect_field_error(const core::Result<T>& result, const std::string& field) {
  ASSERT_FALSE(result.ok()) << "accepted";
  EXPECT_EQ(result.error().kind, core::ErrorKind::kBadRequest);
  EXPECT_EQ(result.error().field, field);
  EXPECT_TRUE(result.error().message.starts_with(field + ": ")) << result.error().message;
}

class FieldsTest : public ::testing::Test {
 protected:
  Fields fields(std::string_view text) {
    body_ = json::parse(text).as_object();
    return Fields(body_);
  }

 private:
  json::object body_;
};

TEST_F(FieldsTest, IdsAcceptIntegersAndNumericStrings) {
  EXPECT_EQ(*fields(R"({"id":5})").required_id("id"), 5);
  EXPECT_EQ(*fields(R"({"id":"17"})").required_id("id"), 17);
  EXPECT_EQ(*fields(R"({"id":9223372036854775807})").required_id("id"), INT64_MAX);
  EXPECT_EQ(*fields(R"({"id":3.0})").required_id("id"), 3);
}

TEST_F(FieldsTest, IdsRejectZeroNegativeAndNonNumbers) {
  for (const char* text :
       {R"({"groupId":0})", R"({"groupId":-3})", R"({"groupId":"0"})", R"({"groupId":"-1"})",
        R"({"groupId":"abc"})", R"({"groupId":"12abc"})", R"({"groupId":" 12"})",
        R"({"groupId":1.5})", R"({"groupId":true})", R"({"groupId":[1]})",
        R"({"groupId":18446744073709551615})", R"({"groupId":"99999999999999999999"})",
        R"({"groupId":1e20})", R"({"groupId":-1e300})"}) {
    SCOPED_TRACE(text);
    expect_field_error(fields(text).required_id("groupId"), "groupId");
    expect_field_error(fields(text).optional_id("groupId"), "groupId");
  }
}

TEST_F(FieldsTest, MissingIds) {
  EXPECT_EQ(*fields(R"({})").optional_id("id"), std::nullopt);
  EXPECT_EQ(*fields(R"({"id":null})").optional_id("id"), std::nullopt);
  EXPECT_EQ(*fields(R"({"id":""})").optional_id("id"), std::nullopt);
  expect_field_error(fields(R"({})").required_id("id"), "id");
  expect_field_error(fields(R"({"id":null})").required_id("id"), "id");
}

TEST_F(FieldsTest, MoneyIsExact) {
  EXPECT_EQ(fields(R"({"price":0.23})").optional_money("price")->value().nanos(), 230'000'000);
  EXPECT_EQ(fields(R"({"price":"1.5"})").optional_money("price")->value().nanos(), 1'500'000'000);
  EXPECT_EQ(fields(R"({"price":2})").optional_money("price")->value().nanos(), 2'000'000'000);
  EXPECT_EQ(fields(R"({"price":0})").optional_money("price")->value().nanos(), 0);
  EXPECT_EQ(fields(R"({"price":"0.000000001"})").optional_money("price")->value().nanos(), 1);
  EXPECT_EQ(*fields(R"({"price":""})").optional_money("price"), std::nullopt);
  EXPECT_EQ(*fields(R"({})").optional_money("price"), std::nullopt);
}

TEST_F(FieldsTest, MoneyRejectsNegativeAndTooPrecise) {
  auto negative = fields(R"({"quota":-1})").optional_money("quota");
  expect_field_error(negative, "quota");
  EXPECT_NE(negative.error().message.find("negative"), std::string::npos);
  expect_field_error(fields(R"({"quota":"-0.5"})").optional_money("quota"), "quota");

  auto too_precise = fields(R"({"quota":"0.0000000001"})").optional_money("quota");
  expect_field_error(too_precise, "quota");
  EXPECT_NE(too_precise.error().message.find("9 decimals"), std::string::npos);
  expect_field_error(fields(R"({"quota":1e-10})").optional_money("quota"), "quota");
  expect_field_error(fields(R"({"quota":"abc"})").optional_money("quota"), "quota");
  expect_field_error(fields(R"({"quota":true})").optional_money("quota"), "quota");
  expect_field_error(fields(R"({"quota":1e30})").optional_money("quota"), "quota");
}

TEST_F(FieldsTest, RequiredString) {
  EXPECT_EQ(*fields(R"({"name":"gpt-4o"})").required_string("name"), "gpt-4o");
  expect_field_error(fields(R"({})").required_string("name"), "name");
  expect_field_error(fields(R"({"name":null})").required_string("name"), "name");
  expect_field_error(fields(R"({"name":""})").required_string("name"), "name");
  auto blank = fields(R"({"name":" \t\r\n "})").required_string("name");
  expect_field_error(blank, "name");
  EXPECT_NE(blank.error().message.find("empty"), std::string::npos);
  expect_field_error(fields(R"({"name":42})").required_string("name"), "name");
  expect_field_error(fields(R"({"name":"abcdef"})").required_string("name", 5), "name");
  EXPECT_EQ(*fields(R"({"name":"abcde"})").required_string("name", 5), "abcde");
}

TEST_F(FieldsTest, OptionalString) {
  EXPECT_EQ(*fields(R"({})").optional_string("note"), std::nullopt);
  EXPECT_EQ(*fields(R"({"note":""})").optional_string("note"), std::optional<std::string>(""));
  expect_field_error(fields(R"({"note":{}})").optional_string("note"), "note");
}

TEST_F(FieldsTest, OptionalBool) {
  EXPECT_EQ(*fields(R"({"on":true})").optional_bool("on"), true);
  EXPECT_EQ(*fields(R"({"on":false})").optional_bool("on"), false);
  EXPECT_EQ(*fields(R"({"on":1})").optional_bool("on"), true);
  EXPECT_EQ(*fields(R"({"on":0})").optional_bool("on"), false);
  EXPECT_EQ(*fields(R"({})").optional_bool("on"), std::nullopt);
  expect_field_error(fields(R"({"on":"yes"})").optional_bool("on"), "on");
  expect_field_error(fields(R"({"on":2})").optional_bool("on"), "on");
}

TEST_F(FieldsTest, HasIgnoresNull) {
  auto body = fields(R"({"a":null,"b":0})");
  EXPECT_FALSE(body.has("a"));
  EXPECT_TRUE(body.has("b"));
  EXPECT_FALSE(body.has("c"));
}

TEST(RequireObject, RejectsOtherValues) {
  EXPECT_TRUE(require_object(json::parse(R"({"a":1})")).ok());
  EXPECT_FALSE(require_object(json::parse("[1]")).ok());
  EXPECT_FALSE(require_object(json::parse("\"x\"")).ok());
}

}  // namespace
}  // namespace api
