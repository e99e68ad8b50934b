// Bedrock exceptions mapped to the statuses and messages clients get.
#include "providers/bedrock_converse/bedrock_errors.hpp"

#include <gtest/gtest.h>

namespace providers::bedrock {
namespace {

http::Headers error_type(std::string_view type) {
  http::Headers headers;
  headers.set("x-amzn-ErrorType", std::string(type));
  return headers;
}

TEST(BedrockErrors, ExceptionTypesAreNormalized) {
  EXPECT_EQ(normalize_exception_type(
                "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/"),
            "ValidationException");
  EXPECT_EQ(normalize_exception_type("com.amazon.coral.service#UnrecognizedClientException"),
            "UnrecognizedClientException");
  EXPECT_EQ(normalize_exception_type("throttlingException"), "ThrottlingException");
  EXPECT_EQ(normalize_exception_type(""), "");
}

TEST(BedrockErrors, EachExceptionHasItsStatus) {
  struct Case {
    std::string_view type;
    int upstream_status;
    int status;
    std::string_view code;
  };
  for (const auto& test : {
           Case{"ValidationException", 400, 400, "upstream_validation_error"},
           Case{"AccessDeniedException", 403, 502, "upstream_auth_failed"},
           Case{"UnrecognizedClientException", 403, 502, "upstream_auth_failed"},
           Case{"InvalidSignatureException", 403, 502, "upstream_auth_failed"},
           Case{"ExpiredTokenException", 403, 502, "upstream_auth_failed"},
           Case{"ResourceNotFoundException", 404, 404, "upstream_model_not_found"},
           Case{"ThrottlingException", 429, 429, "rate_limit_exceeded"},
           Case{"ServiceQuotaExceededException", 400, 429, "rate_limit_exceeded"},
           Case{"ModelNotReadyException", 429, 503, "upstream_unavailable"},
           Case{"ServiceUnavailableException", 503, 503, "upstream_unavailable"},
           Case{"ModelTimeoutException", 408, 504, "upstream_timeout"},
           Case{"InternalServerException", 500, 502, "upstream_error"},
           Case{"ModelErrorException", 424, 502, "upstream_error"},
       }) {
    auto error = map_bedrock_error_response(test.upstream_status, error_type(test.type),
                                            R"({"message":"details here"})");
    EXPECT_EQ(error.status, test.status) << test.type;
    EXPECT_EQ(error.code, test.code) << test.type;
    EXPECT_NE(error.message.find("details here"), std::string::npos) << error.message;
  }
}

TEST(BedrockErrors, CredentialFailuresSayTheGatewaysCredentialsAreWrong) {
  auto error = map_bedrock_error_response(
      403, error_type("UnrecognizedClientException:http://internal.amazon.com/coral/"),
      R"({"message":"The security token included in the request is invalid."})");
  EXPECT_EQ(error.status, 502);
  EXPECT_EQ(error.type, "upstream_error");
  EXPECT_NE(error.message.find("the gateway's Bedrock credentials were rejected"),
            std::string::npos)
      << error.message;
  EXPECT_NE(error.message.find("administrator"), std::string::npos);
}

TEST(BedrockErrors, TypeMayComeFromTheBody) {
  auto error = map_bedrock_error_response(
      400, {}, R"({"__type":"com.amazon.bedrock#ValidationException","Message":"bad input"})");
  EXPECT_EQ(error.status, 400);
  EXPECT_EQ(error.message, "bad input");
}

TEST(BedrockErrors, ThrottlingKeepsRetryAfter) {
  auto headers = error_type("ThrottlingException");
  headers.set("Retry-After", "3");
  auto error = map_bedrock_error_response(429, headers, R"({"message":"Too many requests"})");
  EXPECT_EQ(error.status, 429);
  EXPECT_EQ(error.retry_after, "3");
}

TEST(BedrockErrors, WithoutATypeTheStatusDecides) {
  EXPECT_EQ(map_bedrock_error_response(413, {}, "too large").status, 413);
  EXPECT_EQ(map_bedrock_error_response(401, {}, "").status, 502);
  EXPECT_EQ(map_bedrock_error_response(503, {}, "<html>").status, 502);
}

}  // namespace
}  // namespace providers::bedrock
