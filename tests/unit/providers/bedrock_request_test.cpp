// OpenAI chat requests translated to Bedrock Converse requests, one rule per test.
#include "providers/bedrock_converse/converse_request.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace providers::bedrock {
namespace {

namespace json = boost::json;

json::object translate(std::string_view openai, ConverseOptions options = {}) {
  auto converse = to_converse_request(json::parse(openai).as_object(), options);
  EXPECT_TRUE(converse.ok()) << (converse.ok() ? "" : converse.error().message);
  return converse.ok() ? *converse : json::object();
}

void expect_json(const json::value& actual, std::string_view expected) {
  EXPECT_EQ(actual, json::parse(expected)) << json::serialize(actual);
}

core::Error translation_error(std::string_view openai) {
  auto converse = to_converse_request(json::parse(openai).as_object(), {});
  EXPECT_FALSE(converse.ok()) << "accepted: " << openai;
  return converse.ok() ? core::Error{} : converse.error();
}

TEST(ConverseRequest, UserTextBecomesAUserTurn) {
  auto converse = translate(R"({"model":"m","messages":[{"role":"user","content":"Hello"}]})");
  expect_json(converse, R"({"messages":[{"role":"user","content":[{"text":"Hello"}]}]})");
}

TEST(ConverseRequest, SystemAndDeveloperMessagesGoToSystemWhereverTheyAre) {
  auto converse = translate(R"({"messages":[
      {"role":"system","content":"Be brief."},
      {"role":"user","content":"Hi"},
      {"role":"developer","content":[{"type":"text","text":"Answer in French."}]}]})");
  expect_json(converse["system"], R"([{"text":"Be brief."},{"text":"Answer in French."}])");
  expect_json(converse["messages"], R"([{"role":"user","content":[{"text":"Hi"}]}])");
}

TEST(ConverseRequest, ConsecutiveSameRoleTurnsAreMerged) {
  auto converse = translate(R"({"messages":[
      {"role":"user","content":"one"},
      {"role":"user","content":[{"type":"text","text":"two"},{"type":"text","text":"three"}]},
      {"role":"assistant","content":"four"},
      {"role":"assistant","content":"five"},
      {"role":"user","content":"six"}]})");
  expect_json(converse["messages"], R"([
      {"role":"user","content":[{"text":"one"},{"text":"two"},{"text":"three"}]},
      {"role":"assistant","content":[{"text":"four"},{"text":"five"}]},
      {"role":"user","content":[{"text":"six"}]}])");
}

TEST(ConverseRequest, DataUrlImagesBecomeImageBlocksWithTheirFormat) {
  auto converse = translate(R"({"messages":[{"role":"user","content":[
      {"type":"text","text":"What is this?"},
      {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},
      {"type":"image_url","image_url":{"url":"data:image/JPEG;base64,/9j/4AAQ"}},
      {"type":"image_url","image_url":{"url":"data:image/gif;base64,R0lGODlh"}},
      {"type":"image_url","image_url":{"url":"data:image/webp;base64,UklGRg=="}}]}]})");
  expect_json(converse["messages"], R"([{"role":"user","content":[
      {"text":"What is this?"},
      {"image":{"format":"png","source":{"bytes":"iVBORw0KGgo="}}},
      {"image":{"format":"jpeg","source":{"bytes":"/9j/4AAQ"}}},
      {"image":{"format":"gif","source":{"bytes":"R0lGODlh"}}},
      {"image":{"format":"webp","source":{"bytes":"UklGRg=="}}}]}])");
}

TEST(ConverseRequest, BadImagesAreRefusedNamingThePart) {
  auto error = translation_error(R"({"messages":[{"role":"user","content":[
      {"type":"text","text":"x"},
      {"type":"image_url","image_url":{"url":"https://example.com/cat.png"}}]}]})");
  EXPECT_EQ(error.kind, core::ErrorKind::kBadRequest);
  EXPECT_EQ(error.field, "messages[0].content[1].image_url.url");
  EXPECT_NE(error.message.find("https image URLs are not supported by bedrock-converse yet"),
            std::string::npos)
      << error.message;

  error = translation_error(R"({"messages":[{"role":"user","content":[
      {"type":"image_url","image_url":{"url":"data:image/bmp;base64,Qk0="}}]}]})");
  EXPECT_NE(error.message.find("image/bmp"), std::string::npos) << error.message;
  error = translation_error(R"({"messages":[{"role":"user","content":[
      {"type":"image_url","image_url":{"url":"data:image/png,rawbytes"}}]}]})");
  EXPECT_NE(error.message.find("base64"), std::string::npos) << error.message;
  error = translation_error(R"({"messages":[{"role":"user","content":[
      {"type":"image_url","image_url":{"url":"data:image/png;base64,not*base64"}}]}]})");
  EXPECT_NE(error.message.find("base64"), std::string::npos) << error.message;
  error = translation_error(R"({"messages":[{"role":"system","content":[
      {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]}]})");
  EXPECT_EQ(error.field, "messages[0].content[0]");
}

TEST(ConverseRequest, AssistantToolCallsBecomeToolUseBlocks) {
  auto converse = translate(R"({"messages":[
      {"role":"user","content":"Weather in Paris and Rome?"},
      {"role":"assistant","content":"","tool_calls":[
        {"id":"call_1","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}},
        {"id":"call_2","type":"function","function":{"name":"weather","arguments":""}}]}],
      "tools":[{"type":"function","function":{"name":"weather"}}]})");
  expect_json(converse["messages"].as_array()[1], R"({"role":"assistant","content":[
      {"toolUse":{"toolUseId":"call_1","name":"weather","input":{"city":"Paris"}}},
      {"toolUse":{"toolUseId":"call_2","name":"weather","input":{}}}]})");
}

TEST(ConverseRequest, ToolResultsGoInOneUserTurnWithTheFollowingUserText) {
  auto converse = translate(R"({"messages":[
      {"role":"user","content":"Weather?"},
      {"role":"assistant","content":null,"tool_calls":[
        {"id":"call_1","type":"function","function":{"name":"weather","arguments":"{}"}},
        {"id":"call_2","type":"function","function":{"name":"weather","arguments":"{}"}}]},
      {"role":"tool","tool_call_id":"call_1","content":"sunny"},
      {"role":"tool","tool_call_id":"call_2","content":[{"type":"text","text":"rainy"}]},
      {"role":"tool","tool_call_id":"call_3","content":""},
      {"role":"user","content":"Thanks"}],
      "tools":[{"type":"function","function":{"name":"weather"}}]})");
  const auto& messages = converse["messages"].as_array();
  ASSERT_EQ(messages.size(), 3u);
  expect_json(messages[2], R"json({"role":"user","content":[
      {"toolResult":{"toolUseId":"call_1","content":[{"text":"sunny"}]}},
      {"toolResult":{"toolUseId":"call_2","content":[{"text":"rainy"}]}},
      {"toolResult":{"toolUseId":"call_3","content":[{"text":"(empty)"}]}},
      {"text":"Thanks"}]})json");
}

TEST(ConverseRequest, BadToolCallArgumentsNameTheField) {
  auto error = translation_error(R"({"messages":[{"role":"assistant","tool_calls":[
      {"id":"c","type":"function","function":{"name":"f","arguments":"{not json"}}]}]})");
  EXPECT_EQ(error.field, "messages[0].tool_calls[0].function.arguments");
  error = translation_error(R"({"messages":[{"role":"function","name":"f","content":"x"}]})");
  EXPECT_EQ(error.field, "messages[0].role");
}

TEST(ConverseRequest, InferenceParametersMapToInferenceConfig) {
  auto converse = translate(R"({"messages":[{"role":"user","content":"x"}],
      "max_tokens":100,"temperature":0.5,"top_p":0.9,"stop":["END","STOP"],
      "seed":7,"presence_penalty":1,"response_format":{"type":"json_object"},"user":"u"})");
  expect_json(converse["inferenceConfig"],
              R"({"maxTokens":100,"temperature":0.5,"topP":0.9,"stopSequences":["END","STOP"]})");
  EXPECT_FALSE(converse.contains("seed"));
  EXPECT_FALSE(converse.contains("additionalModelRequestFields"));
}

TEST(ConverseRequest, MaxCompletionTokensWinsAndTheConfigCapIsTheDefault) {
  auto converse = translate(R"({"messages":[{"role":"user","content":"x"}],
      "max_tokens":100,"max_completion_tokens":50,"stop":"END"})",
                            {.default_max_tokens = 4096});
  expect_json(converse["inferenceConfig"], R"({"maxTokens":50,"stopSequences":["END"]})");
  converse =
      translate(R"({"messages":[{"role":"user","content":"x"}]})", {.default_max_tokens = 4096});
  expect_json(converse["inferenceConfig"], R"({"maxTokens":4096})");
  converse = translate(R"({"messages":[{"role":"user","content":"x"}]})");
  EXPECT_FALSE(converse.contains("inferenceConfig"));
}

TEST(ConverseRequest, ToolsBecomeToolSpecs) {
  auto converse = translate(R"({"messages":[{"role":"user","content":"x"}],"tools":[
      {"type":"function","function":{"name":"weather","description":"Current weather",
        "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}},
      {"type":"function","function":{"name":"now"}}]})");
  expect_json(converse["toolConfig"], R"({"tools":[
      {"toolSpec":{"name":"weather","description":"Current weather","inputSchema":{"json":
        {"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}},
      {"toolSpec":{"name":"now","inputSchema":{"json":{"type":"object","properties":{}}}}}]})");
}

TEST(ConverseRequest, ToolChoiceMapsToAutoAnyOrTool) {
  std::string base = R"({"messages":[{"role":"user","content":"x"}],
      "tools":[{"type":"function","function":{"name":"weather"}}],"tool_choice":)";
  expect_json(translate(base + R"("auto"})")["toolConfig"].at("toolChoice"), R"({"auto":{}})");
  expect_json(translate(base + R"("required"})")["toolConfig"].at("toolChoice"), R"({"any":{}})");
  expect_json(
      translate(base + R"({"type":"function","function":{"name":"weather"}}})")["toolConfig"].at(
          "toolChoice"),
      R"({"tool":{"name":"weather"}})");
  // "none": no tools offered at all.
  EXPECT_FALSE(translate(base + R"("none"})").contains("toolConfig"));
  EXPECT_EQ(translation_error(base + R"("sometimes"})").field, "tool_choice");
}

TEST(ConverseRequest, ToolChoiceNoneKeepsToolsWhenTheConversationUsesThem) {
  auto converse = translate(R"({"messages":[
      {"role":"user","content":"x"},
      {"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"weather","arguments":"{}"}}]},
      {"role":"tool","tool_call_id":"c","content":"sunny"}],
      "tools":[{"type":"function","function":{"name":"weather"}}],"tool_choice":"none"})");
  ASSERT_TRUE(converse.contains("toolConfig"));
  EXPECT_FALSE(converse["toolConfig"].as_object().contains("toolChoice"));
}

TEST(ConverseRequest, ThinkingBudgetAsksForExtendedThinking) {
  auto converse = translate(R"({"messages":[{"role":"user","content":"x"}]})",
                            {.default_max_tokens = 8000, .thinking_budget = 2048});
  expect_json(converse["additionalModelRequestFields"],
              R"({"thinking":{"type":"enabled","budget_tokens":2048}})");
}

}  // namespace
}  // namespace providers::bedrock
