// SigV4 against AWS's published examples: the Signature Version 4 test suite
// (credentials AKIDEXAMPLE, 2015-08-30T12:36:00Z, us-east-1, service "service") and the IAM
// ListUsers example of the AWS General Reference.
#include "providers/bedrock_converse/sigv4.hpp"

#include <gtest/gtest.h>

namespace providers::bedrock {
namespace {

using std::chrono::system_clock;

const AwsCredentials kSuiteCredentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                       ""};
constexpr std::string_view kSuiteDate = "20150830T123600Z";
constexpr std::string_view kEmptyHash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

SigV4Result sign_suite(SignableRequest request,
                       const AwsCredentials& credentials = kSuiteCredentials) {
  return sign_v4(request, credentials, "us-east-1", "service", kSuiteDate);
}

TEST(SigV4, GetVanilla) {
  auto result =
      sign_suite({"GET",
                  "/",
                  "",
                  {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", std::string(kSuiteDate)}},
                  ""});
  EXPECT_EQ(result.canonical_request,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "host;x-amz-date\n" +
                std::string(kEmptyHash));
  EXPECT_EQ(result.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(SigV4, PostVanilla) {
  auto result =
      sign_suite({"POST",
                  "/",
                  "",
                  {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", std::string(kSuiteDate)}},
                  ""});
  EXPECT_EQ(result.signature, "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
}

TEST(SigV4, PostWithBodyAndContentType) {
  auto result = sign_suite({"POST",
                            "/",
                            "",
                            {{"Content-Type", "application/x-www-form-urlencoded"},
                             {"Host", "example.amazonaws.com"},
                             {"X-Amz-Date", std::string(kSuiteDate)}},
                            "Param1=value1"});
  EXPECT_EQ(result.canonical_request,
            "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\n"
            "host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "content-type;host;x-amz-date\n"
            "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
  EXPECT_EQ(result.string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281");
  EXPECT_EQ(result.signature, "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a");
}

TEST(SigV4, SessionTokenIsASignedHeader) {
  constexpr std::string_view kToken =
      "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
  AwsCredentials credentials = kSuiteCredentials;
  credentials.session_token = std::string(kToken);
  auto result = sign_suite({"GET",
                            "/",
                            "",
                            {{"Host", "example.amazonaws.com"},
                             {"X-Amz-Date", std::string(kSuiteDate)},
                             {"X-Amz-Security-Token", std::string(kToken)}},
                            ""},
                           credentials);
  EXPECT_EQ(result.signed_headers, "host;x-amz-date;x-amz-security-token");
  EXPECT_EQ(result.signature, "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8");
}

TEST(SigV4, Utf8PathIsPercentEncoded) {
  auto result =
      sign_suite({"GET",
                  "/\xE1\x88\xB4",
                  "",
                  {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", std::string(kSuiteDate)}},
                  ""});
  EXPECT_TRUE(result.canonical_request.starts_with("GET\n/%E1%88%B4\n"))
      << result.canonical_request;
  EXPECT_EQ(result.signature, "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85");
}

TEST(SigV4, IamListUsersExample) {
  auto result = sign_v4({"GET",
                         "/",
                         "Action=ListUsers&Version=2010-05-08",
                         {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                          {"Host", "iam.amazonaws.com"},
                          {"X-Amz-Date", "20150830T123600Z"}},
                         ""},
                        kSuiteCredentials, "us-east-1", "iam", "20150830T123600Z");
  EXPECT_EQ(sha256_hex(result.canonical_request),
            "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
  EXPECT_EQ(result.signature, "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
  EXPECT_EQ(to_hex(derive_signing_key(kSuiteCredentials.secret_access_key, "20150830", "us-east-1",
                                      "iam")),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
}

TEST(SigV4, HeaderValuesAreTrimmedAndRepeatedNamesJoined) {
  auto result = sign_suite({"GET",
                            "/",
                            "",
                            {{"Host", "example.amazonaws.com"},
                             {"My-Header1", "  value4  "},
                             {"my-header1", "a   b   c"},
                             {"X-Amz-Date", std::string(kSuiteDate)}},
                            ""});
  EXPECT_NE(result.canonical_request.find("\nmy-header1:value4,a b c\n"), std::string::npos)
      << result.canonical_request;
}

TEST(SigV4, UriEncodeKeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(uri_encode("AZaz09-_.~"), "AZaz09-_.~");
  EXPECT_EQ(uri_encode("a b:c/d+e%"), "a%20b%3Ac%2Fd%2Be%25");
  EXPECT_EQ(uri_encode("anthropic.claude-3-5-sonnet-20240620-v1:0"),
            "anthropic.claude-3-5-sonnet-20240620-v1%3A0");
  EXPECT_EQ(uri_encode("arn:aws:bedrock:us-east-1:123456789012:inference-profile/"
                       "us.anthropic.claude-3-7-sonnet-20250219-v1:0"),
            "arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2F"
            "us.anthropic.claude-3-7-sonnet-20250219-v1%3A0");
}

TEST(SigV4, CanonicalUriEncodesTheWirePathAgain) {
  // Services other than S3 sign the path encoded twice: the SDKs encode the model id into the
  // path, and the signer encodes every segment once more.
  EXPECT_EQ(canonical_uri("/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"),
            "/model/anthropic.claude-3-haiku-20240307-v1%253A0/converse");
  EXPECT_EQ(canonical_uri("/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Aapplication-inference-"
                          "profile%2Fabc/converse-stream"),
            "/model/arn%253Aaws%253Abedrock%253Aus-east-1%253A1%253Aapplication-inference-"
            "profile%252Fabc/converse-stream");
  EXPECT_EQ(canonical_uri(""), "/");
  EXPECT_EQ(canonical_uri("/"), "/");
}

TEST(SigV4, AmzDateIsUtc) {
  system_clock::time_point time{std::chrono::seconds(1440938160)};  // 2015-08-30T12:36:00Z
  EXPECT_EQ(amz_date(time), "20150830T123600Z");
}

TEST(SigV4, SignOutgoingRequestAddsDateTokenAndAuthorization) {
  http::OutgoingRequest request;
  request.method = "POST";
  request.target = "/model/m%3A0/converse";
  request.headers.set("content-type", "application/json");
  request.headers.set("accept", "application/json");
  request.body = R"({"messages":[]})";
  AwsCredentials credentials = kSuiteCredentials;
  credentials.session_token = "session-token";
  system_clock::time_point time{std::chrono::seconds(1440938160)};
  sign_outgoing_request(request, "bedrock-runtime.eu-west-1.amazonaws.com", request.target,
                        credentials, "eu-west-1", "bedrock", time);

  EXPECT_EQ(request.headers.get("x-amz-date"), "20150830T123600Z");
  EXPECT_EQ(request.headers.get("x-amz-security-token"), "session-token");
  auto expected = sign_v4({"POST",
                           "/model/m%3A0/converse",
                           "",
                           {{"host", "bedrock-runtime.eu-west-1.amazonaws.com"},
                            {"content-type", "application/json"},
                            {"x-amz-date", "20150830T123600Z"},
                            {"x-amz-security-token", "session-token"}},
                           request.body},
                          credentials, "eu-west-1", "bedrock", "20150830T123600Z");
  EXPECT_EQ(request.headers.get("authorization"), expected.authorization);
  EXPECT_NE(expected.authorization.find("/20150830/eu-west-1/bedrock/aws4_request, "
                                        "SignedHeaders=content-type;host;x-amz-date;"
                                        "x-amz-security-token, "),
            std::string::npos);
  EXPECT_NE(expected.canonical_request.find("\n/model/m%253A0/converse\n"), std::string::npos);
}

}  // namespace
}  // namespace providers::bedrock
