#include "chat/json_splice.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace chat {
namespace {

namespace json = boost::json;

// The edited text parses to what setting the field on the parsed document gives.
void expect_same_as_dom(std::string_view text, std::string_view value) {
  auto edited = set_top_level_string(text, "model", value);
  ASSERT_TRUE(edited.has_value()) << text;
  auto expected = json::parse(text).as_object();
  expected["model"] = value;
  EXPECT_EQ(json::parse(*edited), json::value(expected)) << *edited;
}

TEST(SetTopLevelString, ReplacesTheValueAndKeepsEveryOtherByte) {
  std::string_view text = R"({"id":"x","model":"upstream","n":1.50})";
  EXPECT_EQ(set_top_level_string(text, "model", "ours"), R"({"id":"x","model":"ours","n":1.50})");
}

TEST(SetTopLevelString, ReplacesValuesOfAnyType) {
  EXPECT_EQ(set_top_level_string(R"({"model":{"a":[1,"}"]},"b":2})", "model", "m"),
            R"({"model":"m","b":2})");
  EXPECT_EQ(set_top_level_string(R"({"a":1,"model":null})", "model", "m"),
            R"({"a":1,"model":"m"})");
  EXPECT_EQ(set_top_level_string(R"( { "model" : 12e3 , "b" : true } )", "model", "m"),
            R"( { "model" : "m" , "b" : true } )");
}

TEST(SetTopLevelString, AppendsTheFieldWhenAbsent) {
  EXPECT_EQ(set_top_level_string(R"({"id":"x"})", "model", "m"), R"({"id":"x","model":"m"})");
  EXPECT_EQ(set_top_level_string(R"({})", "model", "m"), R"({"model":"m"})");
  EXPECT_EQ(set_top_level_string(" {\n}\n", "model", "m"), " {\n\"model\":\"m\"}\n");
}

TEST(SetTopLevelString, IgnoresNestedAndQuotedLookalikes) {
  std::string_view text =
      R"({"choices":[{"model":"inner","text":"\"model\":\"no\" {[\\"}],"x":"model"})";
  auto edited = set_top_level_string(text, "model", "m");
  ASSERT_TRUE(edited);
  EXPECT_EQ(*edited, std::string(text.substr(0, text.size() - 1)) + R"(,"model":"m"})");
  expect_same_as_dom(text, "m");
}

TEST(SetTopLevelString, EscapesTheValue) {
  EXPECT_EQ(set_top_level_string(R"({"model":"a"})", "model", "q\"\\\n"), R"({"model":"q\"\\\n"})");
  expect_same_as_dom(R"({"model":"a","u":"\u00e9\ud83d\ude00"})", "\xc3\xa9 \"x\"");
}

TEST(SetTopLevelString, GivesUpWhereTheParserDecides) {
  // Duplicate keys, and escaped names that may or may not spell the key.
  EXPECT_FALSE(set_top_level_string(R"({"model":"a","model":"b"})", "model", "m"));
  EXPECT_FALSE(set_top_level_string(R"({"mod\u0065l":"a"})", "model", "m"));
  // Not an object, or cut short.
  EXPECT_FALSE(set_top_level_string(R"([1,2])", "model", "m"));
  EXPECT_FALSE(set_top_level_string(R"({"model":"a")", "model", "m"));
  EXPECT_FALSE(set_top_level_string(R"({"model":"a)", "model", "m"));
  EXPECT_FALSE(set_top_level_string(R"({"a":{"b":1})", "model", "m"));
  EXPECT_FALSE(set_top_level_string("", "model", "m"));
}

TEST(SetTopLevelString, MatchesTheDocumentOnARealCompletion) {
  expect_same_as_dom(
      R"({"id":"chatcmpl-1","object":"chat.completion","created":1700000000,)"
      R"("model":"gpt-4o-2024","choices":[{"index":0,"message":{"role":"assistant",)"
      R"("content":"Hi {there} [\"x\"]","refusal":null},"logprobs":null,"finish_reason":"stop"}],)"
      R"("usage":{"prompt_tokens":14,"completion_tokens":15,"total_tokens":29}})",
      "gateway-model");
}

// Sets "model" to "m" and removes "usage", as the stream relay does.
std::optional<std::string> set_model_drop_usage(std::string_view text) {
  const MemberEdit edits[] = {{"model", "\"m\""}, {"usage", ""}};
  std::string out = "data: ";
  if (!append_edited_object(out, text, edits)) {
    EXPECT_EQ(out, "data: ");  // left as it was
    return std::nullopt;
  }
  EXPECT_TRUE(out.starts_with("data: "));
  auto edited = out.substr(6);
  auto expected = json::parse(text).as_object();
  expected["model"] = "m";
  expected.erase("usage");
  EXPECT_EQ(json::parse(edited), json::value(expected)) << edited;
  return edited;
}

TEST(AppendEditedObject, RemovesAMemberWithOneComma) {
  EXPECT_EQ(set_model_drop_usage(R"({"model":"x","usage":null,"b":1})"), R"({"model":"m","b":1})");
  EXPECT_EQ(set_model_drop_usage(R"({"model":"x","b":1,"usage":{"a":[1]}})"),
            R"({"model":"m","b":1})");
  EXPECT_EQ(set_model_drop_usage(R"({ "usage" : 1 , "b":1,"model":"x"})"),
            R"({ "b":1,"model":"m"})");
  EXPECT_EQ(set_model_drop_usage(R"({"model":"x"})"), R"({"model":"m"})");
}

TEST(AppendEditedObject, AppendsAfterWhatIsLeft) {
  EXPECT_EQ(set_model_drop_usage(R"({"usage":null})"), R"({"model":"m"})");
  EXPECT_EQ(set_model_drop_usage(R"({"usage":null,"b":1})"), R"({"b":1,"model":"m"})");
  EXPECT_EQ(set_model_drop_usage(R"({"b":1,"usage":null})"), R"({"b":1,"model":"m"})");
  EXPECT_EQ(set_model_drop_usage(R"({})"), R"({"model":"m"})");
}

TEST(AppendEditedObject, GivesUpOnDuplicatesOfAnyEditedKey) {
  EXPECT_FALSE(set_model_drop_usage(R"({"model":"x","usage":1,"usage":2})"));
  EXPECT_FALSE(set_model_drop_usage(R"({"model":"x","model":"y","usage":1})"));
  EXPECT_FALSE(set_model_drop_usage(R"({"us\u0061ge":1,"model":"x"})"));
}

TEST(AppendEditedObject, GivesUpOnTwoAdjacentRemovals) {
  const MemberEdit edits[] = {{"a", ""}, {"b", ""}};
  std::string out;
  EXPECT_FALSE(append_edited_object(out, R"({"a":1,"b":2})", edits));
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(append_edited_object(out, R"({"a":1,"c":3,"b":2})", edits));
  EXPECT_EQ(out, R"({"c":3})");
}

TEST(AppendEditedObject, FindsTheEndOfStringsAndContainersAtAnyOffset) {
  // Escapes and brackets at every position around the scanner's 16-byte steps.
  for (std::size_t pad = 0; pad < 40; ++pad) {
    std::string filler(pad, 'x');
    for (std::string inner : {R"(\")", R"(\\)", R"(\\\")", "[", "}", R"(\u005b)"}) {
      std::string text = R"({"a":")" + filler + inner + filler + R"(","b":[{"c":")" + filler +
                         inner + R"("},[1]],"usage":null,"model":")" + filler + R"("})";
      ASSERT_TRUE(set_model_drop_usage(text)) << text;
    }
  }
}

}  // namespace
}  // namespace chat
