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
           {R"({"AccessKeyId":"a","SecretAccessKey":"s","Expiration":"soon"})", "Expiration"},
           // Past what the clock's nanoseconds hold (2262), or not a date at all.
           {R"({"AccessKeyId":"a","SecretAccessKey":"s","Expiration":"9999-12-31T23:59:59Z"})",
            "Expiration"},
           {R"({"AccessKeyId":"a","SecretAccessKey":"s","Expiration":"2030-13-45T99:00:00Z"})",
            "Expiration"}}) {
    auto answer = parse_role_credentials(text);
    ASSERT_FALSE(answer) << text;
    EXPECT_EQ(answer.error().kind, core::ErrorKind::kUnavailable);
    EXPECT_NE(answer.error().message.find(reason), std::string::npos) << answer.error().message;
  }
}

TEST(RoleCredentialsTest, ReadsStsAnswerToAWebIdentity) {
  auto answer =
      parse_sts_answer("AssumeRoleWithWebIdentity", 200, R"(<AssumeRoleWithWebIdentityResponse
      xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>system:serviceaccount:ai:llmgate</SubjectFromWebIdentityToken>
    <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/gw/llmgate-1</Arn></AssumedRoleUser>
    <Credentials>
      <SessionToken>FwoGZXIvYXdzE+/token==</SessionToken>
      <SecretAccessKey>wJalr&amp;secret</SecretAccessKey>
      <Expiration>2026-11-26T15:30:05Z</Expiration>
      <AccessKeyId>ASIAWEBIDENTITY</AccessKeyId>
    </Credentials>
  </AssumeRoleWithWebIdentityResult>
</AssumeRoleWithWebIdentityResponse>)");
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->credentials.access_key_id, "ASIAWEBIDENTITY");
  EXPECT_EQ(answer->credentials.secret_access_key, "wJalr&secret");
  EXPECT_EQ(answer->credentials.session_token, "FwoGZXIvYXdzE+/token==");
  EXPECT_EQ(Clock::to_time_t(answer->expires_at), 1795707005);
}

TEST(RoleCredentialsTest, StsRefusalsSayStsCodeAndMessage) {
  auto refused = parse_sts_answer("AssumeRoleWithWebIdentity", 400, R"(<ErrorResponse>
  <Error><Type>Sender</Type><Code>InvalidIdentityToken</Code>
  <Message>Couldn&apos;t retrieve verification key from your identity provider</Message></Error>
</ErrorResponse>)");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, core::ErrorKind::kUnavailable);
  EXPECT_EQ(refused.error().message,
            "STS AssumeRoleWithWebIdentity failed: InvalidIdentityToken: Couldn't retrieve "
            "verification key from your identity provider");

  auto bare = parse_sts_answer("AssumeRoleWithWebIdentity", 503, "Service Unavailable");
  ASSERT_FALSE(bare);
  EXPECT_EQ(bare.error().message, "STS AssumeRoleWithWebIdentity failed: HTTP 503");

  auto incomplete = parse_sts_answer(
      "AssumeRoleWithWebIdentity", 200,
      "<Credentials><AccessKeyId>A</AccessKeyId><SecretAccessKey>S</SecretAccessKey>"
      "<Expiration>2030-01-01T00:00:00Z</Expiration></Credentials>");
  ASSERT_FALSE(incomplete);
  EXPECT_NE(incomplete.error().message.find("SessionToken"), std::string::npos);
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
