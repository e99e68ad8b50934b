#include "chat/chunk_relay.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace chat {
namespace {

namespace json = boost::json;

// A chunk as a decoder reads it from the upstream: parsed, with its text.
providers::StreamChunk upstream_chunk(std::string_view text) {
  return providers::StreamChunk{json::parse(text).as_object(), std::string(text)};
}

std::string relayed(std::string_view text, bool include_usage, std::string_view model = "gw") {
  ChunkRelay relay(model, include_usage);
  auto chunk = upstream_chunk(text);
  std::string events;
  relay.append_event(chunk, events);
  return events;
}

// The event's JSON, checked to be one SSE data line.
json::object data_of(std::string_view events) {
  EXPECT_TRUE(events.starts_with("data: ")) << events;
  EXPECT_TRUE(events.ends_with("\n\n")) << events;
  auto data = events.substr(6, events.size() - 8);
  EXPECT_EQ(data.find_first_of("\r\n"), std::string_view::npos) << events;
  return json::parse(data).as_object();
}

// "1.50" stays "1.50" only when the upstream's text is relayed; serializing gives "1.5E0".
constexpr std::string_view kContent =
    R"({"id":"c1","object":"chat.completion.chunk","created":1.50,"model":"upstream",)"
    R"("choices":[{"index":0,"delta":{"content":"Hi \"model\""},"finish_reason":null}]})";

TEST(ChunkRelay, RelaysTheUpstreamTextWithTheGatewaysModel) {
  EXPECT_EQ(relayed(kContent, false),
            R"(data: {"id":"c1","object":"chat.completion.chunk","created":1.50,"model":"gw",)"
            R"("choices":[{"index":0,"delta":{"content":"Hi \"model\""},"finish_reason":null}]})"
            "\n\n");
}

TEST(ChunkRelay, AddsTheModelWhenTheUpstreamSentNone) {
  EXPECT_EQ(relayed(R"({"id":"c1","created":1.50,"choices":[]})", true),
            "data: {\"id\":\"c1\",\"created\":1.50,\"choices\":[],\"model\":\"gw\"}\n\n");
}

TEST(ChunkRelay, EscapesTheModelName) {
  auto events = relayed(kContent, false, "g\"w\\");
  EXPECT_NE(events.find("1.50"), std::string::npos);
  EXPECT_EQ(data_of(events).at("model"), "g\"w\\");
}

TEST(ChunkRelay, HoldsBackTheUsageChunkTheClientDidNotAskFor) {
  constexpr std::string_view kUsage =
      R"({"id":"c1","model":"upstream","choices":[],"usage":{"prompt_tokens":3}})";
  EXPECT_EQ(relayed(kUsage, false), "");
  EXPECT_EQ(relayed(kUsage, true),
            "data: {\"id\":\"c1\",\"model\":\"gw\",\"choices\":[],"
            "\"usage\":{\"prompt_tokens\":3}}\n\n");
}

TEST(ChunkRelay, RemovesNullUsageFromChunksWhenTheClientDidNotAsk) {
  // OpenAI sends "usage": null on every chunk once the gateway asks for usage.
  EXPECT_EQ(
      relayed(R"({"id":"c1","model":"up","created":1.50,"choices":[{}],"usage":null})", false),
      "data: {\"id\":\"c1\",\"model\":\"gw\",\"created\":1.50,\"choices\":[{}]}\n\n");
  EXPECT_EQ(relayed(R"({ "usage" : null , "model":"up","created":1.50})", false),
            "data: { \"model\":\"gw\",\"created\":1.50}\n\n");
  EXPECT_EQ(relayed(R"({"model":"up","usage":null,"created":1.50})", true),
            "data: {\"model\":\"gw\",\"usage\":null,\"created\":1.50}\n\n");
}

TEST(ChunkRelay, SerializesWhenTheModelAppearsTwice) {
  auto events = relayed(R"({"model":"a","created":1.50,"model":"b","choices":[]})", true);
  EXPECT_EQ(events.find("1.50"), std::string::npos);  // not the upstream text
  auto data = data_of(events);
  EXPECT_EQ(data.at("model"), "gw");
  EXPECT_EQ(events.find("\"model\""), events.rfind("\"model\""));
}

TEST(ChunkRelay, SerializesWhenUsageAppearsTwice) {
  auto events = relayed(R"({"usage":null,"model":"a","usage":null,"choices":[{}]})", false);
  auto data = data_of(events);
  EXPECT_EQ(data.at("model"), "gw");
  EXPECT_FALSE(data.contains("usage"));
}

TEST(ChunkRelay, SerializesDataThatSpansLines) {
  // Several "data:" lines make one event whose JSON holds line breaks as whitespace.
  auto events = relayed("{\"created\":1.50,\n\"model\":\"up\",\r\n\"choices\":[]}", true);
  EXPECT_EQ(events.find("1.50"), std::string::npos);
  EXPECT_EQ(data_of(events).at("model"), "gw");
}

TEST(ChunkRelay, SerializesChunksTheDecoderBuilt) {
  providers::StreamChunk chunk{json::parse(R"({"id":"b","model":"","usage":null})").as_object(),
                               ""};
  std::string events;
  ChunkRelay(std::string_view("gw"), false).append_event(chunk, events);
  EXPECT_EQ(events, "data: {\"id\":\"b\",\"model\":\"gw\"}\n\n");
}

TEST(ChunkRelay, AppendsEventAfterEvent) {
  ChunkRelay relay(std::string_view("gw"), false);
  auto first = upstream_chunk(kContent);
  auto usage = upstream_chunk(R"({"choices":[],"usage":{}})");
  auto last = upstream_chunk(R"({"choices":[{"finish_reason":"stop"}]})");
  std::string events;
  relay.append_event(first, events);
  relay.append_event(usage, events);
  relay.append_event(last, events);
  EXPECT_EQ(events, relayed(kContent, false) +
                        "data: {\"choices\":[{\"finish_reason\":\"stop\"}],\"model\":\"gw\"}\n\n");
}

}  // namespace
}  // namespace chat
