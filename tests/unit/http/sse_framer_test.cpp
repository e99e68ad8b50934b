#include "http/sse/sse_framer.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace http {
namespace {

// (event, data) pairs: comparable and printable by GoogleTest.
using Events = std::vector<std::pair<std::string, std::string>>;

Events as_pairs(const std::vector<SseEvent>& events) {
  Events pairs;
  for (const auto& event : events) pairs.emplace_back(event.event, event.data);
  return pairs;
}

// A stream as OpenAI sends it, with keep-alive comments, and every line-ending style the
// SSE grammar allows (\n, \r\n and a lone \r), so that a "\r\n" can be cut in the middle.
const std::string kOpenAiStream =
    ": ping\n"
    "\n"
    "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
    "\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n"
    "\n"
    ": ping\r\n"
    "\r\n"
    "data: {\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\r\n"
    "\r\n"
    "data: {\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\\n\"}}]}\r"
    "\r"
    "data: {\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":"
    "\"stop\"}]}\r\n"
    "\n"
    "data: {\"id\":\"chatcmpl-1\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,"
    "\"completion_tokens\":2,\"total_tokens\":11}}\n"
    "\r\n"
    "data: [DONE]\r\n"
    "\r\n";

Events expected_openai_events() {
  return {
      {"",
       "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
       "\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}"},
      {"", "{\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}"},
      {"", "{\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\\n\"}}]}"},
      {"",
       "{\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":"
       "\"stop\"}]}"},
      {"",
       "{\"id\":\"chatcmpl-1\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,"
       "\"completion_tokens\":2,\"total_tokens\":11}}"},
      {"", "[DONE]"},
  };
}

Events feed_pieces(const std::vector<std::string_view>& pieces) {
  SseFramer framer;
  std::vector<SseEvent> events;
  for (auto piece : pieces) EXPECT_TRUE(framer.feed(piece, events));
  EXPECT_FALSE(framer.has_partial_event());
  return as_pairs(events);
}

TEST(SseFramer, OpenAiStreamFedWhole) {
  EXPECT_EQ(feed_pieces({kOpenAiStream}), expected_openai_events());
}

TEST(SseFramer, OpenAiStreamSplitAtEveryPosition) {
  std::string_view stream = kOpenAiStream;
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    SCOPED_TRACE("cut at byte " + std::to_string(cut));
    EXPECT_EQ(feed_pieces({stream.substr(0, cut), stream.substr(cut)}), expected_openai_events());
  }
}

TEST(SseFramer, OpenAiStreamFedByteByByte) {
  std::string_view stream = kOpenAiStream;
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < stream.size(); ++i) bytes.push_back(stream.substr(i, 1));
  EXPECT_EQ(feed_pieces(bytes), expected_openai_events());
}

TEST(SseFramer, EmptyPiecesBetweenCrAndLfChangeNothing) {
  // "\r" ends a piece, empty reads follow, then the "\n" of the same "\r\n" arrives.
  auto events = feed_pieces({"data: a\r", "", "", "\n\r", "", "\ndata: b\n\n"});
  EXPECT_EQ(events, (Events{{"", "a"}, {"", "b"}}));
}

TEST(SseFramer, ShortMixedStreamSplitIntoThreeAtEveryPairOfPositions) {
  const std::string stream = "data: x\r\n\r\n: c\r\rdata:y\rdata: z\n\revent: e\r\ndata: w\r\n\n";
  const Events expected = {{"", "x"}, {"", "y\nz"}, {"e", "w"}};
  std::string_view view = stream;
  for (std::size_t first = 0; first <= view.size(); ++first) {
    for (std::size_t second = first; second <= view.size(); ++second) {
      SCOPED_TRACE("cuts at " + std::to_string(first) + " and " + std::to_string(second));
      EXPECT_EQ(feed_pieces({view.substr(0, first), view.substr(first, second - first),
                             view.substr(second)}),
                expected);
    }
  }
}

TEST(SseFramer, MultiLineDataIsJoinedWithNewlines) {
  auto events = feed_pieces({"data: first\ndata:second\ndata:  third\ndata\n\n"});
  ASSERT_EQ(events.size(), 1u);
  // One space after the colon is removed, no more; a bare "data" line adds an empty line.
  EXPECT_EQ(events[0].second, "first\nsecond\n third\n");
}

TEST(SseFramer, EventFieldIsKeptAndResetAfterDispatch) {
  auto events =
      feed_pieces({"event: content_block_delta\ndata: {\"a\":1}\n\ndata: "
                   "{\"b\":2}\n\nevent:error\ndata: x\n\n"});
  EXPECT_EQ(events,
            (Events{{"content_block_delta", "{\"a\":1}"}, {"", "{\"b\":2}"}, {"error", "x"}}));
}

TEST(SseFramer, CommentsAndUnknownFieldsAreIgnored) {
  auto events = feed_pieces({": keep-alive\n\nid: 7\nretry: 1000\n\nid: 8\ndata: d\nfoo: bar\n\n"});
  EXPECT_EQ(events, (Events{{"", "d"}}));
}

TEST(SseFramer, EventWithoutDataIsNotDispatched) {
  // The SSE spec dispatches nothing when no data line was seen; a keep-alive "event:" alone
  // must not reach a decoder as an event with empty data.
  auto events = feed_pieces({"event: keepalive\n\ndata: real\n\n"});
  EXPECT_EQ(events, (Events{{"", "real"}}));
}

TEST(SseFramer, EmptyDataLineIsAnEventWithEmptyData) {
  auto events = feed_pieces({"data:\n\n"});
  EXPECT_EQ(events, (Events{{"", ""}}));
}

TEST(SseFramer, EventLargerThanTheLimitIsRefused) {
  SseFramer framer(16);
  std::vector<SseEvent> events;
  EXPECT_FALSE(framer.feed("data: " + std::string(40, 'x') + "\n\n", events));
  EXPECT_TRUE(events.empty());
}

TEST(SseFramer, UnterminatedLineLargerThanTheLimitIsRefused) {
  SseFramer framer(16);
  std::vector<SseEvent> events;
  bool ok = true;
  // The line never ends: the framer must not keep buffering it.
  for (int piece = 0; piece < 10 && ok; ++piece) ok = framer.feed("xxxxxxxx", events);
  EXPECT_FALSE(ok);
}

TEST(SseFramer, ManyLinesAddingUpPastTheLimitAreRefused) {
  SseFramer framer(16);
  std::vector<SseEvent> events;
  bool ok = true;
  for (int line = 0; line < 10 && ok; ++line) ok = framer.feed("data: abcd\n", events);
  EXPECT_FALSE(ok);
}

TEST(SseFramer, LimitIsPerEventNotPerStream) {
  SseFramer framer(16);
  std::vector<SseEvent> events;
  for (int event = 0; event < 100; ++event) {
    ASSERT_TRUE(framer.feed("data: 0123456789\n\n", events)) << "event " << event;
  }
  EXPECT_EQ(events.size(), 100u);
}

TEST(SseFramer, PartialEventAfterACut) {
  SseFramer framer;
  std::vector<SseEvent> events;
  EXPECT_FALSE(framer.has_partial_event());

  ASSERT_TRUE(framer.feed("data: {\"choices\":[", events));  // cut mid-line
  EXPECT_TRUE(framer.has_partial_event());
  EXPECT_TRUE(events.empty());

  ASSERT_TRUE(framer.feed("]}\n", events));  // the line is whole, the event is not
  EXPECT_TRUE(framer.has_partial_event());
  EXPECT_TRUE(events.empty());

  ASSERT_TRUE(framer.feed("\n", events));
  EXPECT_FALSE(framer.has_partial_event());
  EXPECT_EQ(as_pairs(events), (Events{{"", "{\"choices\":[]}"}}));

  ASSERT_TRUE(framer.feed(": ping\n", events));  // a comment is not an event
  EXPECT_FALSE(framer.has_partial_event());
}

}  // namespace
}  // namespace http
