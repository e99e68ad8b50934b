// AnswerText: the answer's text and tool calls for the record, and its size for estimates.

#include "chat/answer_text.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace chat {
namespace {

namespace json = boost::json;

json::object parsed(const char* text) { return json::parse(text).as_object(); }

// Two stream chunks: text, then a tool call in two pieces.
void feed(AnswerText& answer) {
  answer.add_chunk(
      parsed(R"({"choices":[{"delta":{"content":"Hello, ","reasoning_content":"hm"}}]})"));
  answer.add_chunk(parsed(R"({"choices":[{"delta":{"content":"world","tool_calls":[
      {"index":0,"id":"call_1","function":{"name":"get_time","arguments":"{\"tz\":"}}]}}]})"));
  answer.add_chunk(parsed(R"({"choices":[{"delta":{"tool_calls":[
      {"index":0,"function":{"arguments":"\"UTC\"}"}}]}}]})"));
}

TEST(AnswerTextTest, KeepsTheTextAndMergesToolCalls) {
  AnswerText answer;
  feed(answer);
  EXPECT_EQ(answer.text(), "Hello, world");
  auto calls = json::parse(answer.tool_calls_json()).as_array();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].at("id"), "call_1");
  EXPECT_EQ(calls[0].at("function").at("name"), "get_time");
  EXPECT_EQ(calls[0].at("function").at("arguments"), "{\"tz\":\"UTC\"}");
  // text 12, reasoning 2, name 8, arguments 6 + 6
  EXPECT_EQ(answer.generated_chars(), 34u);
}

TEST(AnswerTextTest, WithoutTextItCountsTheSame) {
  AnswerText kept;
  AnswerText counted(/*keep_text=*/false);
  feed(kept);
  feed(counted);
  EXPECT_EQ(counted.text(), "");
  EXPECT_EQ(counted.tool_calls_json(), "");
  EXPECT_EQ(counted.generated_chars(), kept.generated_chars());
}

TEST(AnswerTextTest, AWholeCompletionCounts) {
  AnswerText answer(false);
  answer.add_completion(parsed(R"({"choices":[{"message":{"content":"four"}}]})"));
  EXPECT_EQ(answer.generated_chars(), 4u);
  EXPECT_EQ(answer.take_text(), "");
}

}  // namespace
}  // namespace chat
