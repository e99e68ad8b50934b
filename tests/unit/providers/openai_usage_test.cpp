#include "providers/openai_compatible/openai_usage.hpp"

#include <string>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace providers {
namespace {

TEST(ReadOpenAiUsage, ReadsAllCounts) {
  auto usage = read_openai_usage(boost::json::parse(
      R"({"prompt_tokens":100,"completion_tokens":50,"total_tokens":150,
          "prompt_tokens_details":{"cached_tokens":64},
          "completion_tokens_details":{"reasoning_tokens":20}})"));
  EXPECT_TRUE(usage.reported);
  EXPECT_EQ(usage.prompt_tokens, 100);
  EXPECT_EQ(usage.completion_tokens, 50);
  EXPECT_EQ(usage.cached_tokens, 64);
  EXPECT_EQ(usage.reasoning_tokens, 20);
}

TEST(ReadOpenAiUsage, MissingDetailsAreZero) {
  auto usage = read_openai_usage(boost::json::parse(
      R"({"prompt_tokens":3,"completion_tokens":4,"prompt_tokens_details":null})"));
  EXPECT_TRUE(usage.reported);
  EXPECT_EQ(usage.prompt_tokens, 3);
  EXPECT_EQ(usage.cached_tokens, 0);
  EXPECT_EQ(usage.reasoning_tokens, 0);
}

TEST(ReadOpenAiUsage, NotAnObjectIsNotReported) {
  EXPECT_FALSE(read_openai_usage(boost::json::value(nullptr)).reported);
  EXPECT_FALSE(read_openai_usage(boost::json::value("12")).reported);
}

TEST(ReadOpenAiUsage, CountsThatAreNotCountsMakeTheUsageUntrusted) {
  // Billing must neither charge 10^18 tokens nor give the request away: not reported, so
  // the pipeline estimates the tokens from the text.
  for (const char* bad : {"-1", "1.5", "\"12\"", "null", "1e400", "9223372036854775807",
                          "18446744073709551615", "1000000000001", "true", "{}"}) {
    auto prompt_bad = std::string(R"({"prompt_tokens":)") + bad + R"(,"completion_tokens":4})";
    auto completion_bad = std::string(R"({"prompt_tokens":4,"completion_tokens":)") + bad + "}";
    EXPECT_FALSE(read_openai_usage(boost::json::parse(prompt_bad)).reported) << prompt_bad;
    EXPECT_FALSE(read_openai_usage(boost::json::parse(completion_bad)).reported) << completion_bad;
  }
  EXPECT_FALSE(read_openai_usage(boost::json::parse(R"({"prompt_tokens":4})")).reported);
  EXPECT_FALSE(read_openai_usage(boost::json::parse("{}")).reported);
}

TEST(ReadOpenAiUsage, WholeDoublesAndTheLargestCountAreCounts) {
  auto usage = read_openai_usage(boost::json::parse(
      R"({"prompt_tokens":3.0,"completion_tokens":1000000000000,
          "prompt_tokens_details":{"cached_tokens":-4},
          "completion_tokens_details":{"reasoning_tokens":"7"}})"));
  EXPECT_TRUE(usage.reported);
  EXPECT_EQ(usage.prompt_tokens, 3);
  EXPECT_EQ(usage.completion_tokens, 1'000'000'000'000);
  EXPECT_EQ(usage.cached_tokens, 0) << "an invalid detail counts as 0";
  EXPECT_EQ(usage.reasoning_tokens, 0);
}

TEST(OpenAiErrorMessage, ExtractsErrorMessage) {
  EXPECT_EQ(
      openai_error_message(
          R"({"error":{"message":"Incorrect API key provided: sk-abc","type":"invalid_request_error","code":"invalid_api_key"}})"),
      "Incorrect API key provided: sk-abc");
  EXPECT_EQ(openai_error_message(R"({"error":"model not loaded"})"), "model not loaded");
  EXPECT_EQ(openai_error_message(R"({"message":"bad request"})"), "bad request");
}

TEST(OpenAiErrorMessage, FallsBackToTheBodyCutShort) {
  EXPECT_EQ(openai_error_message("<html>Bad Gateway</html>"), "<html>Bad Gateway</html>");
  std::string long_body(5000, 'x');
  auto message = openai_error_message(long_body);
  EXPECT_LT(message.size(), 1000u);
  EXPECT_TRUE(long_body.starts_with(message));
  EXPECT_EQ(openai_error_message(""), "");
}

}  // namespace
}  // namespace providers
