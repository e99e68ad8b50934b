#include "providers/error_mapping.hpp"

#include <gtest/gtest.h>

namespace providers {
namespace {

ApiError map(int status, std::string message = "upstream says no", http::Headers headers = {}) {
  return map_upstream_status(status, std::move(message), "openai-compatible", headers);
}

TEST(MapUpstreamStatus, ClientMistakesKeepTheirStatus) {
  for (int status : {400, 404, 413, 422}) {
    SCOPED_TRACE(status);
    auto error = map(status, "Invalid 'messages[0].content'");
    EXPECT_EQ(error.status, status);
    EXPECT_EQ(error.message, "Invalid 'messages[0].content'");
    EXPECT_EQ(error.code, "upstream_" + std::to_string(status));
  }
  EXPECT_EQ(map(404).type, "not_found_error");
  EXPECT_EQ(map(400).type, "invalid_request_error");
}

TEST(MapUpstreamStatus, EmptyUpstreamMessageStillSaysSomething) {
  auto error = map(400, "");
  EXPECT_EQ(error.status, 400);
  EXPECT_FALSE(error.message.empty());
}

TEST(MapUpstreamStatus, RejectedGatewayCredentialsBecome502) {
  for (int status : {401, 403}) {
    SCOPED_TRACE(status);
    auto error = map(status, "Incorrect API key provided");
    EXPECT_EQ(error.status, 502);
    // The client's own key was fine: the message must say it is the gateway's credentials.
    EXPECT_NE(error.message.find("gateway's credentials"), std::string::npos) << error.message;
    EXPECT_NE(error.message.find("rejected"), std::string::npos) << error.message;
    EXPECT_NE(error.message.find("openai-compatible"), std::string::npos) << error.message;
    EXPECT_NE(error.message.find(std::to_string(status)), std::string::npos) << error.message;
    EXPECT_NE(error.message.find("Incorrect API key provided"), std::string::npos);
    EXPECT_NE(error.type, "authentication_error");  // an SDK would blame the client's key
    EXPECT_EQ(error.code, "upstream_auth_failed");
  }
}

TEST(MapUpstreamStatus, RateLimitKeepsRetryAfter) {
  http::Headers headers;
  headers.add("Retry-After", "17");
  auto error = map(429, "Rate limit reached", headers);
  EXPECT_EQ(error.status, 429);
  EXPECT_EQ(error.retry_after, "17");
  EXPECT_EQ(error.type, "rate_limit_error");
  EXPECT_NE(error.message.find("Rate limit reached"), std::string::npos);

  auto without_header = map(429);
  EXPECT_EQ(without_header.status, 429);
  EXPECT_EQ(without_header.retry_after, "");
}

TEST(MapUpstreamStatus, ServerErrorsBecome502) {
  for (int status : {500, 502, 503, 504, 529}) {
    SCOPED_TRACE(status);
    auto error = map(status, "overloaded");
    EXPECT_EQ(error.status, 502);
    EXPECT_NE(error.message.find(std::to_string(status)), std::string::npos) << error.message;
    EXPECT_NE(error.message.find("overloaded"), std::string::npos) << error.message;
    EXPECT_EQ(error.retry_after, "");
  }
}

TEST(MapUpstreamStatus, RetryAfterIsOnlyPassedOnWith429) {
  http::Headers headers;
  headers.add("retry-after", "5");
  EXPECT_EQ(map(503, "down", headers).retry_after, "");
}

TEST(MapUpstreamStatus, OtherClientErrorsPassThrough) {
  for (int status : {402, 405, 409, 410, 415}) {
    SCOPED_TRACE(status);
    auto error = map(status, "nope");
    EXPECT_EQ(error.status, status);
    EXPECT_NE(error.message.find("nope"), std::string::npos);
  }
}

}  // namespace
}  // namespace providers
