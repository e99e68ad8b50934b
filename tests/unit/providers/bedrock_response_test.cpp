// Bedrock Converse answers translated to OpenAI chat completions.
#include "providers/bedrock_converse/converse_response.hpp"

#include <string>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "providers/openai_compatible/openai_usage.hpp"

namespace providers::bedrock {
namespace {

namespace json = boost::json;

Completion translate(std::string_view converse) {
  auto completion = to_openai_completion(converse);
  EXPECT_TRUE(completion.ok()) << (completion.ok() ? "" : completion.error().message);
  return completion.ok() ? *completion : Completion{};
}

const json::object& first_choice(const Completion& completion) {
  return completion.body.at("choices").as_array()[0].as_object();
}

TEST(ConverseResponse, TextAnswer) {
  auto completion = translate(R"({
      "output":{"message":{"role":"assistant","content":[{"text":"Hello "},{"text":"there"}]}},
      "stopReason":"end_turn",
      "usage":{"inputTokens":12,"outputTokens":3,"totalTokens":15},
      "metrics":{"latencyMs":100}})");
  const auto& body = completion.body;
  EXPECT_EQ(body.at("object"), "chat.completion");
  EXPECT_TRUE(body.at("id").as_string().starts_with("chatcmpl-"));
  EXPECT_TRUE(body.at("created").is_int64());
  const auto& choice = first_choice(completion);
  EXPECT_EQ(choice.at("message"), json::parse(R"({"role":"assistant","content":"Hello there"})"));
  EXPECT_EQ(choice.at("finish_reason"), "stop");
  EXPECT_EQ(body.at("usage"), json::parse(R"({"prompt_tokens":12,"completion_tokens":3,
      "total_tokens":15,"prompt_tokens_details":{"cached_tokens":0}})"));
  EXPECT_TRUE(completion.usage.reported);
  EXPECT_EQ(completion.usage.prompt_tokens, 12);
  EXPECT_EQ(completion.usage.completion_tokens, 3);
}

TEST(ConverseResponse, ToolUseBecomesToolCalls) {
  auto completion = translate(R"({
      "output":{"message":{"role":"assistant","content":[
        {"toolUse":{"toolUseId":"tooluse_1","name":"weather","input":{"city":"Paris"}}},
        {"toolUse":{"toolUseId":"tooluse_2","name":"now","input":{}}}]}},
      "stopReason":"tool_use","usage":{"inputTokens":1,"outputTokens":2}})");
  const auto& choice = first_choice(completion);
  EXPECT_EQ(choice.at("finish_reason"), "tool_calls");
  EXPECT_EQ(choice.at("message"), json::parse(R"({"role":"assistant","content":null,"tool_calls":[
      {"id":"tooluse_1","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}},
      {"id":"tooluse_2","type":"function","function":{"name":"now","arguments":"{}"}}]})"));
}

TEST(ConverseResponse, ReasoningBecomesReasoningContent) {
  auto completion = translate(R"({
      "output":{"message":{"role":"assistant","content":[
        {"reasoningContent":{"reasoningText":{"text":"Let me think.","signature":"sig"}}},
        {"text":"42"}]}},
      "stopReason":"end_turn","usage":{"inputTokens":1,"outputTokens":2}})");
  const auto& message = first_choice(completion).at("message").as_object();
  EXPECT_EQ(message.at("content"), "42");
  EXPECT_EQ(message.at("reasoning_content"), "Let me think.");
}

TEST(ConverseResponse, StopReasonsMapToFinishReasons) {
  EXPECT_EQ(finish_reason("end_turn"), "stop");
  EXPECT_EQ(finish_reason("stop_sequence"), "stop");
  EXPECT_EQ(finish_reason("max_tokens"), "length");
  EXPECT_EQ(finish_reason("model_context_window_exceeded"), "length");
  EXPECT_EQ(finish_reason("tool_use"), "tool_calls");
  EXPECT_EQ(finish_reason("guardrail_intervened"), "content_filter");
  EXPECT_EQ(finish_reason("content_filtered"), "content_filter");
  EXPECT_EQ(finish_reason(""), "stop");
}

TEST(ConverseResponse, CacheTokensCountAsPromptAndCachedTokens) {
  auto usage = read_converse_usage(json::parse(R"({"inputTokens":10,"outputTokens":5,
      "totalTokens":1215,"cacheReadInputTokens":1000,"cacheWriteInputTokens":200})"));
  EXPECT_EQ(usage.prompt_tokens, 1210);
  EXPECT_EQ(usage.completion_tokens, 5);
  EXPECT_EQ(usage.cached_tokens, 1000);
  EXPECT_EQ(json::value(write_openai_usage(usage)),
            json::parse(R"({"prompt_tokens":1210,"completion_tokens":5,"total_tokens":1215,
                "prompt_tokens_details":{"cached_tokens":1000}})"));
}

TEST(ConverseResponse, CountsThatAreNotCountsMakeTheUsageUntrusted) {
  for (const char* bad : {"-1", "2.5", "1e308", "9223372036854775807", "\"5\"", "null"}) {
    auto input_bad = std::string(R"({"inputTokens":)") + bad + R"(,"outputTokens":5})";
    auto output_bad = std::string(R"({"inputTokens":5,"outputTokens":)") + bad + "}";
    EXPECT_FALSE(read_converse_usage(json::parse(input_bad)).reported) << input_bad;
    EXPECT_FALSE(read_converse_usage(json::parse(output_bad)).reported) << output_bad;
  }
  auto odd_cache = read_converse_usage(
      json::parse(R"({"inputTokens":10,"outputTokens":5,"cacheReadInputTokens":-3})"));
  EXPECT_TRUE(odd_cache.reported);
  EXPECT_EQ(odd_cache.prompt_tokens, 10) << "an invalid cache count counts as 0";
}

TEST(ConverseResponse, AnAnswerWithANumberOutOfRangeIsAnError) {
  // Written back out it would be `Infinity`, which the client could not read.
  auto answer = to_openai_completion(R"({"output":{"message":{"role":"assistant","content":[
      {"toolUse":{"toolUseId":"t","name":"f","input":{"x":1e400}}}]}},"stopReason":"tool_use",
      "usage":{"inputTokens":1,"outputTokens":1}})");
  ASSERT_FALSE(answer.ok());
  EXPECT_NE(answer.error().message.find("output.message.content[0].toolUse.input.x"),
            std::string::npos)
      << answer.error().message;
}

TEST(ConverseResponse, MalformedAnswersAreErrors) {
  EXPECT_FALSE(to_openai_completion("not json").ok());
  EXPECT_FALSE(to_openai_completion(R"({"output":{}})").ok());
  EXPECT_FALSE(to_openai_completion(R"([])").ok());
}

}  // namespace
}  // namespace providers::bedrock
