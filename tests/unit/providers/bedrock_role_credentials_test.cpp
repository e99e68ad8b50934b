// The role's temporary credentials ("instanceCredentials": true): what the metadata
// service's answer is read as, and when they are fetched again.

#include "providers/bedrock_converse/role_credentials.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "providers/bedrock_converse/bedrock_converse.hpp"

namespace providers::bedrock {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

TEST(RoleCredentialsTest, ReadsTheInstanceServicesAnswer) {
  auto answer = parse_role_credentials(R"({"Code":"Success","LastUpdated":"2026-11-26T09:00:00Z",
      "Type":"AWS-HMAC","AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":"secret",
      "Token":"session-token","Expiration":"2026-11-26T15:30:05Z"})");
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->credentials.access_key_id, "ASIAEXAMPLE");
  EXPECT_EQ(answer->credentials.secret_access_key, "secret");
  EXPECT_EQ(answer->credentials.session_token, "session-token");
  // 2026-11-26T15:30:05Z
  EXPECT_EQ(Clock::to_time_t(answer->expires_at), 1795707005);
}

TEST(RoleCredentialsTest, ReadsTheContainerEndpointsAnswer) {
  // No "Code" there.
  auto answer = parse_role_credentials(
      R"({"AccessKeyId":"ASIA2","SecretAccessKey":"s2","Token":"t2","Expiration":"2030-01-01T00:00:00Z"})");
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->credentials.access_key_id, "ASIA2");
}

TEST(RoleCredentialsTest, AnswersItCannotUseAreErrorsSayingWhy) {
  for (auto [text, reason] : std::initializer_list<std::pair<const char*, const char*>>{
           {"not json", "not a JSON object"},
           {R"({"Code":"AssumeRoleUnauthorizedAccess","Message":"denied"})", "denied"},
           {R"({"SecretAccessKey":"s","Expiration":"2030-01-01T00:00:00Z"})", "AccessKeyId"},
           {R"({"AccessKeyId":"a","SecretAccessKey":"s","Expiration":"soon"})", "Expiration"}}) {
    auto answer = parse_role_credentials(text);
    ASSERT_FALSE(answer) << text;
    EXPECT_EQ(answer.error().kind, core::ErrorKind::kUnavailable);
    EXPECT_NE(answer.error().message.find(reason), std::string::npos) << answer.error().message;
  }
}

TEST(RoleCredentialsTest, RenewsFiveMinutesBeforeExpiryAndNeverSoonerThanASecond) {
  const auto now = Clock::now();
  EXPECT_EQ(refresh_delay(now + 1h, now), std::chrono::milliseconds(55min));
  EXPECT_EQ(refresh_delay(now + 5min + 1500ms, now), 1500ms);
  EXPECT_EQ(refresh_delay(now + 2min, now), 1s);
  EXPECT_EQ(refresh_delay(now - 1h, now), 1s);
}

TEST(RoleCredentialsTest, AreNotMixedWithOtherCredentials) {
  BedrockConverseProvider provider([](std::string_view) { return std::nullopt; });
  for (const char* extra :
       {R"("accessKeyId":"A","secretAccessKey":"s")", R"("bearerToken":"b")", R"("profile":"p")"}) {
    auto configured = provider.configure(
        boost::json::parse(
            std::string(R"({"modelId":"m","region":"us-east-1","instanceCredentials":true,)") +
            extra + "}")
            .as_object(),
        "gw");
    ASSERT_FALSE(configured) << extra;
    EXPECT_EQ(configured.error().field, "config.instanceCredentials");
  }
  auto wrong_type = provider.configure(
      boost::json::parse(R"({"modelId":"m","region":"us-east-1","instanceCredentials":"yes"})")
          .as_object(),
      "gw");
  ASSERT_FALSE(wrong_type);
  EXPECT_EQ(wrong_type.error().field, "config.instanceCredentials");
}

}  // namespace
}  // namespace providers::bedrock
