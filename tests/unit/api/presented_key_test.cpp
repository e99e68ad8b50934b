#include "api/router.hpp"

#include <gtest/gtest.h>

namespace api {
namespace {

http::Request with_header(std::string name, std::string value) {
  http::Request request;
  request.headers.add(std::move(name), std::move(value));
  return request;
}

std::string key_of(const http::Request& request, bool expect_malformed = false) {
  bool malformed = !expect_malformed;
  auto key = presented_key(request, malformed);
  EXPECT_EQ(malformed, expect_malformed);
  return std::string(key);
}

TEST(PresentedKey, BearerToken) {
  EXPECT_EQ(key_of(with_header("Authorization", "Bearer sk-abc123")), "sk-abc123");
}

TEST(PresentedKey, BearerSchemeIsCaseInsensitive) {
  EXPECT_EQ(key_of(with_header("authorization", "bearer sk-1")), "sk-1");
  EXPECT_EQ(key_of(with_header("AUTHORIZATION", "BEARER sk-2")), "sk-2");
  EXPECT_EQ(key_of(with_header("Authorization", "BeArEr sk-3")), "sk-3");
}

TEST(PresentedKey, ExtraSpacesAreIgnored) {
  EXPECT_EQ(key_of(with_header("Authorization", "Bearer    sk-abc  ")), "sk-abc");
  EXPECT_EQ(key_of(with_header("Authorization", "  Bearer sk-abc")), "sk-abc");
  EXPECT_EQ(key_of(with_header("Authorization", "Bearer \tsk-abc\t")), "sk-abc");
}

TEST(PresentedKey, XApiKey) {
  EXPECT_EQ(key_of(with_header("x-api-key", "sk-xyz")), "sk-xyz");
  EXPECT_EQ(key_of(with_header("X-API-Key", " sk-xyz ")), "sk-xyz");
}

TEST(PresentedKey, NoKey) {
  http::Request request;
  EXPECT_EQ(key_of(request), "");
  EXPECT_EQ(key_of(with_header("Content-Type", "application/json")), "");
}

TEST(PresentedKey, MalformedAuthorization) {
  EXPECT_EQ(key_of(with_header("Authorization", "Basic dXNlcjpwYXNz"), true), "");
  EXPECT_EQ(key_of(with_header("Authorization", "sk-abc"), true), "");
  EXPECT_EQ(key_of(with_header("Authorization", "Bearer"), true), "");
  EXPECT_EQ(key_of(with_header("Authorization", "Bearer   "), true), "");
  EXPECT_EQ(key_of(with_header("Authorization", "Bearersk-abc"), true), "");
  EXPECT_EQ(key_of(with_header("Authorization", ""), true), "");
}

TEST(PresentedKey, MalformedAuthorizationIsNotRescuedByXApiKey) {
  auto request = with_header("Authorization", "Basic dXNlcjpwYXNz");
  request.headers.add("x-api-key", "sk-xyz");
  EXPECT_EQ(key_of(request, true), "");
}

}  // namespace
}  // namespace api
