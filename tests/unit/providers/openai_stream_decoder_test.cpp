#include "providers/openai_compatible/openai_stream_decoder.hpp"

#include <gtest/gtest.h>
#include <boost/json/serialize.hpp>

namespace providers {
namespace {

namespace json = boost::json;

const std::string kRoleChunk =
    R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o",)"
    R"("choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],)"
    R"("usage":null})";
const std::string kContentChunk =
    R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o",)"
    R"("choices":[{"index":0,"delta":{"content":"Hello"},"finish_reason":null}],"usage":null})";
const std::string kFinishChunk =
    R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o",)"
    R"("choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null})";
const std::string kUsageChunk =
    R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o",)"
    R"("choices":[],"usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,)"
    R"("prompt_tokens_details":{"cached_tokens":8},)"
    R"("completion_tokens_details":{"reasoning_tokens":4}}})";

std::string event(const std::string& data) { return "data: " + data + "\n\n"; }

std::string full_stream() {
  return ": ping\n\n" + event(kRoleChunk) + event(kContentChunk) + event(kFinishChunk) +
         event(kUsageChunk) + event("[DONE]");
}

TEST(OpenAiStreamDecoder, RelaysChunksAndCapturesUsage) {
  OpenAiStreamDecoder decoder;
  StreamChunks chunks;
  EXPECT_EQ(decoder.feed(full_stream(), chunks), std::nullopt);
  ASSERT_EQ(chunks.size(), 4u);
  EXPECT_EQ(json::serialize(chunks[0].object), kRoleChunk);
  EXPECT_EQ(json::serialize(chunks[1].object), kContentChunk);
  EXPECT_EQ(json::serialize(chunks[2].object), kFinishChunk);
  EXPECT_EQ(json::serialize(chunks[3].object), kUsageChunk);
  // Each chunk also carries its upstream text, for the pipeline to relay as it is.
  EXPECT_EQ(chunks[0].text, kRoleChunk);
  EXPECT_EQ(chunks[3].text, kUsageChunk);

  const auto& usage = decoder.usage();
  EXPECT_TRUE(usage.reported);
  EXPECT_EQ(usage.prompt_tokens, 19);
  EXPECT_EQ(usage.completion_tokens, 10);
  EXPECT_EQ(usage.cached_tokens, 8);
  EXPECT_EQ(usage.reasoning_tokens, 4);
  EXPECT_EQ(decoder.finish(), std::nullopt);
}

TEST(OpenAiStreamDecoder, NullUsageOnContentChunksIsNotUsage) {
  OpenAiStreamDecoder decoder;
  StreamChunks chunks;
  ASSERT_EQ(decoder.feed(event(kRoleChunk) + event(kContentChunk), chunks), std::nullopt);
  EXPECT_FALSE(decoder.usage().reported);
}

TEST(OpenAiStreamDecoder, SameChunksWhenFedByteByByte) {
  OpenAiStreamDecoder decoder;
  StreamChunks chunks;
  std::string stream = full_stream();
  for (char byte : stream) {
    ASSERT_EQ(decoder.feed(std::string_view(&byte, 1), chunks), std::nullopt);
  }
  ASSERT_EQ(chunks.size(), 4u);
  EXPECT_EQ(json::serialize(chunks[1].object), kContentChunk);
  EXPECT_EQ(decoder.usage().prompt_tokens, 19);
  EXPECT_EQ(decoder.finish(), std::nullopt);
}

TEST(OpenAiStreamDecoder, ChunksAreAppendedAcrossFeeds) {
  OpenAiStreamDecoder decoder;
  StreamChunks chunks;
  ASSERT_EQ(decoder.feed(event(kRoleChunk), chunks), std::nullopt);
  ASSERT_EQ(decoder.feed(event(kContentChunk), chunks), std::nullopt);
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(json::serialize(chunks[0].object), kRoleChunk);
  EXPECT_EQ(json::serialize(chunks[1].object), kContentChunk);
}

TEST(OpenAiStreamDecoder, ClearingChunksAgainAndAgainKeepsTheirMemoryBounded) {
  // Each batch needs more than the arena's first block. An arena that is only released
  // between batches asks for blocks twice as large each time and fails long before 80.
  std::string batch;
  for (int index = 0; index < 40; ++index) batch += event(kContentChunk);
  OpenAiStreamDecoder decoder;
  StreamChunks chunks;
  for (int round = 0; round < 80; ++round) {
    chunks.clear();
    ASSERT_EQ(decoder.feed(batch, chunks), std::nullopt);
    ASSERT_EQ(chunks.size(), 40u);
    EXPECT_EQ(json::serialize(chunks[39].object), kContentChunk);
  }
}

TEST(OpenAiStreamDecoder, DataOverSeveralLinesKeepsItsText) {
  OpenAiStreamDecoder decoder;
  StreamChunks chunks;
  ASSERT_EQ(decoder.feed("data: {\"choices\":[],\ndata: \"model\":\"m\"}\n\n", chunks),
            std::nullopt);
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].text, "{\"choices\":[],\n\"model\":\"m\"}");
  EXPECT_EQ(chunks[0].object.at("model"), "m");
}

TEST(OpenAiStreamDecoder, DoneWithoutFinishReasonIsComplete) {
  OpenAiStreamDecoder decoder;
  StreamChunks chunks;
  ASSERT_EQ(decoder.feed(event(kContentChunk) + event("[DONE]"), chunks), std::nullopt);
  EXPECT_EQ(chunks.size(), 1u);
  EXPECT_EQ(decoder.finish(), std::nullopt);
}

TEST(OpenAiStreamDecoder, FinishReasonWithoutDoneIsComplete) {
  // Some OpenAI-compatible servers close the stream without [DONE].
  OpenAiStreamDecoder decoder;
  StreamChunks chunks;
  ASSERT_EQ(decoder.feed(event(kContentChunk) + event(kFinishChunk), chunks), std::nullopt);
  EXPECT_EQ(decoder.finish(), std::nullopt);
}

TEST(OpenAiStreamDecoder, StreamCutShortIsAnError) {
  OpenAiStreamDecoder decoder;
  StreamChunks chunks;
  ASSERT_EQ(decoder.feed(event(kRoleChunk) + event(kContentChunk), chunks), std::nullopt);
  auto error = decoder.finish();
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->status, 502);
  EXPECT_FALSE(error->message.empty());
}

TEST(OpenAiStreamDecoder, EmptyStreamIsAnError) {
  OpenAiStreamDecoder decoder;
  EXPECT_TRUE(decoder.finish().has_value());
}

TEST(OpenAiStreamDecoder, ErrorEventBecomesAnApiError) {
  OpenAiStreamDecoder decoder;
  StreamChunks chunks;
  auto error = decoder.feed(
      event(kRoleChunk) +
          event(R"({"error":{"message":"The server is overloaded","type":"server_error"}})"),
      chunks);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->status, 502);
  EXPECT_NE(error->message.find("The server is overloaded"), std::string::npos) << error->message;
  ASSERT_EQ(chunks.size(), 1u);  // the chunk before the error still went out
}

TEST(OpenAiStreamDecoder, ErrorEventWithoutMessageIsStillAnError) {
  OpenAiStreamDecoder decoder;
  StreamChunks chunks;
  auto error = decoder.feed(event(R"({"error":"boom"})"), chunks);
  ASSERT_TRUE(error.has_value());
  EXPECT_TRUE(chunks.empty());
}

TEST(OpenAiStreamDecoder, NonJsonEventIsAnError) {
  OpenAiStreamDecoder decoder;
  StreamChunks chunks;
  auto error = decoder.feed(event("Internal Server Error"), chunks);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->status, 502);
  EXPECT_NE(error->message.find("not JSON"), std::string::npos) << error->message;
  EXPECT_TRUE(chunks.empty());
}

TEST(OpenAiStreamDecoder, JsonThatIsNotAnObjectIsAnError) {
  OpenAiStreamDecoder decoder;
  StreamChunks chunks;
  EXPECT_TRUE(decoder.feed(event("[1,2,3]"), chunks).has_value());
}

TEST(OpenAiStreamDecoder, KeepAliveEventWithoutDataIsIgnored) {
  OpenAiStreamDecoder decoder;
  StreamChunks chunks;
  EXPECT_EQ(decoder.feed("event: keepalive\n\n" + event(kContentChunk), chunks), std::nullopt);
  EXPECT_EQ(chunks.size(), 1u);
}

TEST(OpenAiStreamDecoder, OversizedEventIsAnError) {
  OpenAiStreamDecoder decoder;
  StreamChunks chunks;
  std::string huge = "data: {\"pad\":\"" + std::string(9 * 1024 * 1024, 'x');
  auto error = decoder.feed(huge, chunks);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->status, 502);
}

}  // namespace
}  // namespace providers
