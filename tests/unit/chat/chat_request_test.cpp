#include "chat/chat_request.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace chat {
namespace {

namespace json = boost::json;

core::Result<providers::ChatRequest> parse(std::string_view text) {
  return parse_chat_request(json::parse(text));
}

// The request must be refused with a 400 whose message starts with the field's name.
void expect_rejected(std::string_view text, const std::string& field) {
  SCOPED_TRACE(std::string(text));
  auto request = parse(text);
  ASSERT_FALSE(request.ok()) << "accepted";
  EXPECT_EQ(request.error().kind, core::ErrorKind::kBadRequest);
  EXPECT_EQ(request.error().field, field);
  EXPECT_TRUE(request.error().message.starts_with(field + ": ")) << request.error().message;
}

// A valid request with `extra` members spliced into the top-level object.
std::string with(std::string_view extra) {
  return R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],)" + std::string(extra) +
         "}";
}

TEST(ParseChatRequest, MinimalRequest) {
  auto request = parse(R"({"model":"gpt-4o","messages":[{"role":"user","content":"hello"}]})");
  ASSERT_TRUE(request.ok()) << request.error().message;
  EXPECT_EQ(request->model, "gpt-4o");
  EXPECT_FALSE(request->stream);
  EXPECT_FALSE(request->include_usage);
  EXPECT_FALSE(request->has_images);
  EXPECT_EQ(request->body.at("messages").as_array().size(), 1u);
}

TEST(ParseChatRequest, FullConversationIsAccepted) {
  auto request = parse(R"({
    "model": "m",
    "messages": [
      {"role": "system", "content": "be brief"},
      {"role": "developer", "content": "really"},
      {"role": "user", "content": [{"type": "text", "text": "weather?"}]},
      {"role": "assistant", "content": null,
       "tool_calls": [{"id": "call_1", "type": "function",
                       "function": {"name": "weather", "arguments": "{}"}}]},
      {"role": "tool", "tool_call_id": "call_1", "content": "sunny"}
    ],
    "tools": [{"type": "function", "function": {"name": "weather", "parameters": {}}}],
    "tool_choice": "auto", "temperature": 0.2, "top_p": 1, "max_tokens": 100,
    "max_completion_tokens": 50, "stop": ["\n\n", "END"], "seed": 42, "user": "u-1",
    "n": 1, "response_format": {"type": "json_object"}, "presence_penalty": -2,
    "frequency_penalty": 2
  })");
  ASSERT_TRUE(request.ok()) << request.error().message;
}

TEST(ParseChatRequest, BodyMustBeAnObject) {
  auto request = parse("[1, 2]");
  ASSERT_FALSE(request.ok());
  EXPECT_EQ(request.error().kind, core::ErrorKind::kBadRequest);
}

TEST(ParseChatRequest, ModelIsRequired) {
  expect_rejected(R"({"messages":[{"role":"user","content":"hi"}]})", "model");
  expect_rejected(R"({"model":"","messages":[{"role":"user","content":"hi"}]})", "model");
  expect_rejected(R"({"model":7,"messages":[{"role":"user","content":"hi"}]})", "model");
}

TEST(ParseChatRequest, MessagesMustBeANonEmptyArray) {
  expect_rejected(R"({"model":"m"})", "messages");
  expect_rejected(R"({"model":"m","messages":[]})", "messages");
  expect_rejected(R"({"model":"m","messages":{"role":"user","content":"hi"}})", "messages");
  expect_rejected(R"({"model":"m","messages":"hi"})", "messages");
}

TEST(ParseChatRequest, RoleErrorNamesTheMessageIndex) {
  expect_rejected(
      R"({"model":"m","messages":[{"role":"user","content":"a"},{"role":"robot","content":"b"}]})",
      "messages[1].role");
  expect_rejected(R"({"model":"m","messages":[{"content":"a"}]})", "messages[0].role");
  expect_rejected(R"({"model":"m","messages":["hi"]})", "messages[0]");
}

TEST(ParseChatRequest, ContentMustBeStringOrParts) {
  expect_rejected(R"({"model":"m","messages":[{"role":"user"}]})", "messages[0].content");
  expect_rejected(R"({"model":"m","messages":[{"role":"user","content":5}]})",
                  "messages[0].content");
}

TEST(ParseChatRequest, ContentPartErrorsNameThePart) {
  expect_rejected(
      R"({"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"audio"}]}]})",
      "messages[0].content[1].type");
  expect_rejected(R"({"model":"m","messages":[{"role":"user","content":[{"text":"a"}]}]})",
                  "messages[0].content[0].type");
  expect_rejected(R"({"model":"m","messages":[{"role":"user","content":[{"type":"text"}]}]})",
                  "messages[0].content[0].text");
  expect_rejected(
      R"({"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{}}]}]})",
      "messages[0].content[0].image_url.url");
  expect_rejected(R"({"model":"m","messages":[{"role":"user","content":[{"type":"image_url"}]}]})",
                  "messages[0].content[0].image_url.url");
  expect_rejected(
      R"({"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"ftp://x/a.png"}}]}]})",
      "messages[0].content[0].image_url.url");
  expect_rejected(
      R"({"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"file:///etc/passwd"}}]}]})",
      "messages[0].content[0].image_url.url");
}

TEST(ParseChatRequest, ImageUrlMustBeHttpsOrData) {
  // SPEC 6: "image_url with https or data: URLs"; the error message says the same.
  expect_rejected(
      R"({"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"http://example.com/a.png"}}]}]})",
      "messages[0].content[0].image_url.url");
}

TEST(ParseChatRequest, ToolMessageNeedsToolCallId) {
  expect_rejected(
      R"({"model":"m","messages":[{"role":"user","content":"a"},{"role":"tool","content":"r"}]})",
      "messages[1].tool_call_id");
  expect_rejected(R"({"model":"m","messages":[{"role":"tool","content":"r","tool_call_id":1}]})",
                  "messages[0].tool_call_id");
}

TEST(ParseChatRequest, OnlyNEqualOneIsSupported) {
  expect_rejected(with(R"("n":2)"), "n");
  expect_rejected(with(R"("n":0)"), "n");
  expect_rejected(with(R"("n":"1")"), "n");
  EXPECT_TRUE(parse(with(R"("n":1)")).ok());
  EXPECT_TRUE(parse(with(R"("n":null)")).ok());
}

TEST(ParseChatRequest, SamplingRanges) {
  expect_rejected(with(R"("temperature":3)"), "temperature");
  expect_rejected(with(R"("temperature":-0.1)"), "temperature");
  expect_rejected(with(R"("temperature":"0.5")"), "temperature");
  expect_rejected(with(R"("top_p":1.5)"), "top_p");
  expect_rejected(with(R"("presence_penalty":2.5)"), "presence_penalty");
  expect_rejected(with(R"("frequency_penalty":-3)"), "frequency_penalty");
  EXPECT_TRUE(parse(with(R"("temperature":2)")).ok());
  EXPECT_TRUE(parse(with(R"("temperature":0)")).ok());
  EXPECT_TRUE(parse(with(R"("temperature":null)")).ok());
}

TEST(ParseChatRequest, TokenLimitsMustBePositiveIntegers) {
  expect_rejected(with(R"("max_tokens":0)"), "max_tokens");
  expect_rejected(with(R"("max_tokens":"10")"), "max_tokens");
  expect_rejected(with(R"("max_tokens":-5)"), "max_tokens");
  expect_rejected(with(R"("max_tokens":10.5)"), "max_tokens");
  expect_rejected(with(R"("max_completion_tokens":0)"), "max_completion_tokens");
  EXPECT_TRUE(parse(with(R"("max_tokens":10)")).ok());
}

TEST(ParseChatRequest, StreamFlags) {
  expect_rejected(with(R"("stream":"true")"), "stream");
  expect_rejected(with(R"("stream":1)"), "stream");
  expect_rejected(with(R"("stream":true,"stream_options":{"include_usage":"yes"})"),
                  "stream_options.include_usage");
  expect_rejected(with(R"("stream":true,"stream_options":true)"), "stream_options");

  auto streamed = parse(with(R"("stream":true)"));
  ASSERT_TRUE(streamed.ok());
  EXPECT_TRUE(streamed->stream);
  EXPECT_FALSE(streamed->include_usage);

  auto with_usage = parse(with(R"("stream":true,"stream_options":{"include_usage":true})"));
  ASSERT_TRUE(with_usage.ok());
  EXPECT_TRUE(with_usage->stream);
  EXPECT_TRUE(with_usage->include_usage);

  auto not_streamed = parse(with(R"("stream":false,"stream_options":{"include_usage":false})"));
  ASSERT_TRUE(not_streamed.ok());
  EXPECT_FALSE(not_streamed->stream);
  EXPECT_FALSE(not_streamed->include_usage);
}

TEST(ParseChatRequest, StopIsAStringOrStrings) {
  expect_rejected(with(R"("stop":5)"), "stop");
  expect_rejected(with(R"("stop":["a",5])"), "stop");
  EXPECT_TRUE(parse(with(R"("stop":"END")")).ok());
  EXPECT_TRUE(parse(with(R"("stop":["a","b"])")).ok());
}

TEST(ParseChatRequest, OtherTypedFields) {
  expect_rejected(with(R"("tools":{})"), "tools");
  expect_rejected(with(R"("tools":[{"type":"function"}])"), "tools[0].function");
  expect_rejected(with(R"("tools":[{"type":"function","function":{"name":""}}])"),
                  "tools[0].function.name");
  expect_rejected(with(R"("seed":1.5)"), "seed");
  expect_rejected(with(R"("user":5)"), "user");
  expect_rejected(with(R"("response_format":"json")"), "response_format");
  expect_rejected(with(R"("tool_choice":5)"), "tool_choice");
}

TEST(ParseChatRequest, ImagesSetHasImages) {
  auto https = parse(
      R"({"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"what is it?"},
          {"type":"image_url","image_url":{"url":"https://example.com/cat.png","detail":"low"}}]}]})");
  ASSERT_TRUE(https.ok()) << https.error().message;
  EXPECT_TRUE(https->has_images);

  auto data_url = parse(
      R"({"model":"m","messages":[{"role":"user","content":"a"},{"role":"user","content":[
          {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]}]})");
  ASSERT_TRUE(data_url.ok()) << data_url.error().message;
  EXPECT_TRUE(data_url->has_images);

  auto text_parts =
      parse(R"({"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a"}]}]})");
  ASSERT_TRUE(text_parts.ok());
  EXPECT_FALSE(text_parts->has_images);
}

TEST(ParseChatRequest, UnknownFieldsAreIgnoredAndKept) {
  auto request = parse(with(R"("logprobs":true,"metadata":{"k":"v"},"vendor_extension":[1,2])"));
  ASSERT_TRUE(request.ok()) << request.error().message;
  EXPECT_EQ(request->body.at("logprobs"), json::value(true));
  EXPECT_EQ(json::serialize(request->body.at("metadata")), R"({"k":"v"})");
  EXPECT_EQ(json::serialize(request->body.at("vendor_extension")), "[1,2]");
  EXPECT_EQ(request->body.at("model"), json::value("gpt-4o"));
}

}  // namespace
}  // namespace chat
