// ConverseStream event streams translated to OpenAI chunks.
#include "providers/bedrock_converse/converse_stream.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "bedrock_event_stream_frames.hpp"

namespace providers::bedrock {
namespace {

namespace json = boost::json;
using testing::event_frame;
using testing::exception_frame;

const json::object& delta_of(const json::object& chunk) {
  return chunk.at("choices").as_array()[0].as_object().at("delta").as_object();
}

const json::value& finish_of(const json::object& chunk) {
  return chunk.at("choices").as_array()[0].as_object().at("finish_reason");
}

std::vector<json::object> decode_all(ConverseStreamDecoder& decoder, std::string_view bytes) {
  StreamChunks chunks;
  auto error = decoder.feed(bytes, chunks);
  EXPECT_FALSE(error) << error->message;
  std::vector<json::object> objects;
  for (auto& chunk : chunks) {
    // Built here, not read from the upstream: no text to relay, the pipeline serializes.
    EXPECT_TRUE(chunk.text.empty());
    objects.push_back(json::object(std::move(chunk.object), json::storage_ptr()));
  }
  return objects;
}

std::string text_answer() {
  return event_frame("messageStart", R"({"p":"abc","role":"assistant"})") +
         event_frame("contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"text":"Hel"}})") +
         event_frame("contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"text":"lo"}})") +
         event_frame("contentBlockStop", R"({"contentBlockIndex":0})") +
         event_frame("messageStop", R"({"stopReason":"max_tokens"})") +
         event_frame("metadata", R"({"usage":{"inputTokens":7,"outputTokens":2,
             "cacheReadInputTokens":3,"totalTokens":12},"metrics":{"latencyMs":5}})");
}

TEST(ConverseStream, TextStreamBecomesOpenAiChunks) {
  ConverseStreamDecoder decoder;
  auto chunks = decode_all(decoder, text_answer());
  ASSERT_EQ(chunks.size(), 5u);
  EXPECT_EQ(delta_of(chunks[0]), json::parse(R"({"role":"assistant","content":""})"));
  EXPECT_EQ(chunks[0].at("object"), "chat.completion.chunk");
  EXPECT_EQ(delta_of(chunks[1]).at("content"), "Hel");
  EXPECT_EQ(delta_of(chunks[2]).at("content"), "lo");
  EXPECT_TRUE(delta_of(chunks[3]).empty());
  EXPECT_EQ(finish_of(chunks[3]), "length");
  EXPECT_TRUE(chunks[4].at("choices").as_array().empty());
  EXPECT_EQ(chunks[4].at("usage").at("prompt_tokens"), 10);
  EXPECT_EQ(chunks[4].at("usage").at("completion_tokens"), 2);
  EXPECT_EQ(chunks[4].at("usage").at("prompt_tokens_details").at("cached_tokens"), 3);
  // One id for the whole answer.
  for (const auto& chunk : chunks) EXPECT_EQ(chunk.at("id"), chunks[0].at("id"));
  EXPECT_FALSE(decoder.finish());
  EXPECT_EQ(decoder.usage().prompt_tokens, 10);
  EXPECT_TRUE(decoder.usage().reported);
}

TEST(ConverseStream, ToolUseBecomesToolCallDeltasWithIndexes) {
  ConverseStreamDecoder decoder;
  std::string stream =
      event_frame("messageStart", R"({"role":"assistant"})") +
      event_frame("contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"text":"Checking."}})") +
      event_frame("contentBlockStop", R"({"contentBlockIndex":0})") +
      event_frame("contentBlockStart", R"({"contentBlockIndex":1,"start":{"toolUse":
          {"toolUseId":"tooluse_a","name":"weather"}}})") +
      event_frame("contentBlockDelta",
                  R"({"contentBlockIndex":1,"delta":{"toolUse":{"input":"{\"city\":"}}})") +
      event_frame("contentBlockDelta",
                  R"({"contentBlockIndex":1,"delta":{"toolUse":{"input":"\"Paris\"}"}}})") +
      event_frame("contentBlockStop", R"({"contentBlockIndex":1})") +
      event_frame("contentBlockStart", R"({"contentBlockIndex":2,"start":{"toolUse":
          {"toolUseId":"tooluse_b","name":"now"}}})") +
      event_frame("contentBlockDelta",
                  R"({"contentBlockIndex":2,"delta":{"toolUse":{"input":"{}"}}})") +
      event_frame("messageStop", R"({"stopReason":"tool_use"})");
  auto chunks = decode_all(decoder, stream);
  ASSERT_EQ(chunks.size(), 8u);
  EXPECT_EQ(delta_of(chunks[2]), json::parse(R"({"tool_calls":[{"index":0,"id":"tooluse_a",
      "type":"function","function":{"name":"weather","arguments":""}}]})"));
  EXPECT_EQ(delta_of(chunks[3]),
            json::parse(R"({"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]})"));
  EXPECT_EQ(delta_of(chunks[4]),
            json::parse(R"({"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]})"));
  EXPECT_EQ(delta_of(chunks[5]).at("tool_calls").as_array()[0].at("index"), 1);
  EXPECT_EQ(delta_of(chunks[5]).at("tool_calls").as_array()[0].at("id"), "tooluse_b");
  EXPECT_EQ(delta_of(chunks[6]).at("tool_calls").as_array()[0].at("index"), 1);
  EXPECT_EQ(finish_of(chunks[7]), "tool_calls");
  // No metadata event: the answer is whole, its usage unknown.
  EXPECT_FALSE(decoder.finish());
  EXPECT_FALSE(decoder.usage().reported);
}

TEST(ConverseStream, ReasoningBecomesReasoningContent) {
  ConverseStreamDecoder decoder;
  auto chunks = decode_all(
      decoder,
      event_frame("contentBlockDelta",
                  R"({"contentBlockIndex":0,"delta":{"reasoningContent":{"text":"Hmm."}}})") +
          event_frame("contentBlockDelta",
                      R"({"contentBlockIndex":0,"delta":{"reasoningContent":{"signature":"s"}}})"));
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(delta_of(chunks[0]), json::parse(R"({"reasoning_content":"Hmm."})"));
}

TEST(ConverseStream, EverySplitGivesTheSameChunks) {
  std::string stream = text_answer();
  for (std::size_t split = 0; split <= stream.size(); ++split) {
    ConverseStreamDecoder decoder;
    auto chunks = decode_all(decoder, std::string_view(stream).substr(0, split));
    auto rest = decode_all(decoder, std::string_view(stream).substr(split));
    ASSERT_EQ(chunks.size() + rest.size(), 5u) << "split at " << split;
    EXPECT_FALSE(decoder.finish());
  }
}

TEST(ConverseStream, ExceptionFramesBecomeMappedErrors) {
  struct Case {
    std::string_view type;
    int status;
  };
  for (auto [type, status] :
       {Case{"throttlingException", 429}, Case{"validationException", 400},
        Case{"serviceUnavailableException", 503}, Case{"modelStreamErrorException", 502},
        Case{"internalServerException", 502}}) {
    ConverseStreamDecoder decoder;
    StreamChunks chunks;
    auto error = decoder.feed(event_frame("messageStart", R"({"role":"assistant"})") +
                                  exception_frame(type, R"({"message":"it broke"})"),
                              chunks);
    ASSERT_TRUE(error) << type;
    EXPECT_EQ(error->status, status) << type;
    EXPECT_NE(error->message.find("it broke"), std::string::npos) << error->message;
    EXPECT_EQ(chunks.size(), 1u);  // the event before the exception is still relayed
  }
}

TEST(ConverseStream, GenericErrorMessagesAreErrors) {
  ConverseStreamDecoder decoder;
  StreamChunks chunks;
  auto error =
      decoder.feed(testing::frame(testing::string_header(":message-type", "error") +
                                      testing::string_header(":error-code", "InternalFailure") +
                                      testing::string_header(":error-message", "boom"),
                                  ""),
                   chunks);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->status, 502);
  EXPECT_NE(error->message.find("boom"), std::string::npos);
}

TEST(ConverseStream, CorruptOrIncompleteStreamsAreErrors) {
  ConverseStreamDecoder corrupt;
  StreamChunks chunks;
  std::string bytes = text_answer();
  bytes[bytes.size() / 2] ^= 0x20;
  EXPECT_TRUE(corrupt.feed(bytes, chunks));

  ConverseStreamDecoder cut_inside_a_frame;
  std::string answer = text_answer();
  EXPECT_FALSE(
      cut_inside_a_frame.feed(std::string_view(answer).substr(0, answer.size() - 3), chunks));
  EXPECT_TRUE(cut_inside_a_frame.finish());

  ConverseStreamDecoder no_stop;
  EXPECT_FALSE(no_stop.feed(event_frame("messageStart", R"({"role":"assistant"})"), chunks));
  auto error = no_stop.finish();
  ASSERT_TRUE(error);
  EXPECT_EQ(error->status, 502);

  ConverseStreamDecoder not_json;
  EXPECT_TRUE(not_json.feed(event_frame("messageStart", "{oops"), chunks));
}

}  // namespace
}  // namespace providers::bedrock
