// What the chat sees: the answer's text collected from the pipeline, the short messages
// for the errors that are the user's business (quota, access, model), long answers cut.

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "bots/feishu/answer_sink.hpp"
#include "bots/feishu/open_api.hpp"

namespace bots::feishu {
namespace {

namespace net = boost::asio;

providers::ApiError error_of(int status, std::string message = "upstream said no") {
  providers::ApiError error;
  error.status = status;
  error.message = std::move(message);
  return error;
}

template <class Awaitable>
void run(Awaitable awaitable) {
  boost::asio::io_context io;
  boost::asio::co_spawn(io, std::move(awaitable), boost::asio::detached);
  io.run();
}

TEST(AnswerSinkTest, KeepsTheAnswersText) {
  AnswerSink sink;
  std::string body =
      R"({"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,)"
      R"("message":{"role":"assistant","content":"echo: hello"},"finish_reason":"stop"}]})";
  run(sink.send_completion(std::move(body)));
  EXPECT_FALSE(sink.error().has_value());
  EXPECT_EQ(sink.text(), "echo: hello");
}

TEST(AnswerSinkTest, KeepsTheError) {
  AnswerSink sink;
  auto error = error_of(402, "no money");
  run(sink.send_error(error));
  ASSERT_TRUE(sink.error().has_value());
  EXPECT_EQ(sink.error()->status, 402);
  EXPECT_EQ(sink.text(), "");
}

TEST(AnswerSinkTest, RunsTheWorkAndNobodyLeaves) {
  AnswerSink sink;
  bool ran = false;
  bool left = true;
  auto work = [&]() -> boost::asio::awaitable<void> {
    ran = true;
    co_return;
  };
  auto watch = [&]() -> boost::asio::awaitable<void> {
    // Named first: GCC 12 miscompiles class temporaries inside co_await expressions.
    auto job = work();
    std::function<void()> on_gone = [] {};
    left = co_await sink.run_watching_client(std::move(job), std::move(on_gone));
  };
  run(watch());
  EXPECT_TRUE(ran);
  EXPECT_FALSE(left);
}

// The model call of a message still being answered when the gateway's grace period ends:
// ended as if a client had left (the pipeline then charges what was used).
net::awaitable<void> wait_for(net::steady_timer& timer) {
  co_await timer.async_wait(net::as_tuple(net::use_awaitable));
}

net::awaitable<void> watched(AnswerSink& sink, net::steady_timer& timer, bool& left) {
  auto job = wait_for(timer);
  std::function<void()> on_gone = [&timer] { timer.cancel(); };
  left = co_await sink.run_watching_client(std::move(job), std::move(on_gone));
}

TEST(AnswerSinkTest, EndingsEndTheWorkAsIfItsClientHadLeft) {
  Endings endings;
  AnswerSink sink(&endings);
  net::io_context io;
  net::steady_timer timer(io, std::chrono::hours(1));  // a model call that would run long
  bool left = false;
  net::co_spawn(io, watched(sink, timer, left), net::detached);
  io.poll();  // the work runs and waits
  endings.end_all();
  io.run();  // returns once the work has ended
  EXPECT_TRUE(left);

  // Work that starts after the end is ended at once, and one that ended first is left alone.
  net::steady_timer later(io, std::chrono::hours(1));
  bool later_left = false;
  net::co_spawn(io, watched(sink, later, later_left), net::detached);
  io.restart();
  io.run();
  EXPECT_TRUE(later_left);
}

TEST(ErrorReplyTest, SaysWhatHappenedAndWhoCanFixIt) {
  EXPECT_NE(error_reply(error_of(402), "gw").find("recharge"), std::string::npos);
  EXPECT_NE(error_reply(error_of(402), "gw").find("no money left"), std::string::npos);
  EXPECT_NE(error_reply(error_of(403), "gw-x").find("may not use the model 'gw-x'"),
            std::string::npos);
  EXPECT_NE(error_reply(error_of(404), "gw-y").find("'gw-y' does not exist"), std::string::npos);
  EXPECT_NE(error_reply(error_of(429), "gw").find("try again"), std::string::npos);
  EXPECT_EQ(error_reply(error_of(400, "messages[0]: too long"), "gw"),
            "Sorry, the model refused this message: messages[0]: too long");
  EXPECT_EQ(error_reply(error_of(502, "the upstream is down"), "gw"),
            "Sorry, the model could not answer (error 502): the upstream is down");
  // Short, whatever the upstream said.
  EXPECT_LT(error_reply(error_of(500, std::string(10'000, 'x')), "gw").size(), 700u);
}

TEST(FitReplyTest, CutsLongAnswersAtACharacterBoundary) {
  EXPECT_EQ(fit_reply("short", 100), "short");
  std::string chinese;
  for (int index = 0; index < 100; ++index) chinese += "答";  // 3 bytes each
  auto cut = fit_reply(chinese, 200);
  EXPECT_LE(cut.size(), 200u);
  EXPECT_NE(cut.find("the answer was cut"), std::string::npos);
  auto kept = cut.substr(0, cut.find('\n'));
  EXPECT_EQ(kept.size() % 3, 0u);  // whole characters only
  EXPECT_GT(kept.size(), 0u);
}

TEST(OpenApiTest, UsesATokenUntilShortlyBeforeItExpires) {
  EXPECT_EQ(OpenApi::usable_for(7200), std::chrono::seconds(6900));
  EXPECT_EQ(OpenApi::usable_for(601), std::chrono::seconds(301));
  EXPECT_EQ(OpenApi::usable_for(600), std::chrono::seconds(300));
  EXPECT_EQ(OpenApi::usable_for(60), std::chrono::seconds(30));
  EXPECT_EQ(OpenApi::usable_for(0), std::chrono::seconds(0));
  EXPECT_EQ(OpenApi::usable_for(-5), std::chrono::seconds(0));
  // Absurd lifetimes are capped at a day (minus the margin), never overflow the clock.
  EXPECT_EQ(OpenApi::usable_for(std::numeric_limits<std::int64_t>::max()),
            std::chrono::seconds(24 * 3600 - 300));
}

TEST(OpenApiTest, KnowsTheInvalidTokenCodes) {
  EXPECT_TRUE(is_invalid_token_code(99991663));
  EXPECT_TRUE(is_invalid_token_code(99991664));
  EXPECT_TRUE(is_invalid_token_code(99991661));
  EXPECT_FALSE(is_invalid_token_code(0));
  EXPECT_FALSE(is_invalid_token_code(230002));  // the bot is not in the chat
}

}  // namespace
}  // namespace bots::feishu
