#include "api/request_body.hpp"

#include <gtest/gtest.h>

namespace api {
namespace {

http::Request request_with(std::string body, std::string content_type = "application/json") {
  http::Request request;
  request.method = "POST";
  request.body = std::move(body);
  if (!content_type.empty()) request.headers.add("Content-Type", std::move(content_type));
  return request;
}

std::string error_of(const http::Request& request, core::ErrorKind kind) {
  auto parsed = parse_json_body(request);
  EXPECT_FALSE(parsed.ok()) << request.body;
  if (parsed.ok()) return {};
  EXPECT_EQ(parsed.error().kind, kind) << parsed.error().message;
  return parsed.error().message;
}

TEST(ParseJsonBody, ParsesAnObject) {
  auto parsed = parse_json_body(request_with(R"({"name":"gpt-4o","price":0.5})"));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_TRUE(parsed->is_object());
  EXPECT_EQ(parsed->at("name"), boost::json::value("gpt-4o"));
}

TEST(ParseJsonBody, SurroundingWhitespaceIsFine) {
  auto parsed = parse_json_body(request_with(" \n{\"a\":1}\r\n\t "));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->at("a"), boost::json::value(1));
}

TEST(ParseJsonBody, InvalidJsonSaysSo) {
  for (const char* body : {R"({"a":)", R"({"a" 1})", "{'a':1}", "nul", "{\"a\":1,}", "   "}) {
    SCOPED_TRACE(body);
    auto message = error_of(request_with(body), core::ErrorKind::kBadRequest);
    EXPECT_NE(message.find("not valid JSON"), std::string::npos) << message;
  }
}

TEST(ParseJsonBody, TrailingGarbageIsRejected) {
  for (const char* body : {R"({"a":1} x)", R"({"a":1}{"b":2})", "123 456", "[1]]"}) {
    SCOPED_TRACE(body);
    auto message = error_of(request_with(body), core::ErrorKind::kBadRequest);
    EXPECT_NE(message.find("not valid JSON"), std::string::npos) << message;
  }
}

TEST(ParseJsonBody, EmptyBodyIsRejected) {
  auto message = error_of(request_with(""), core::ErrorKind::kBadRequest);
  EXPECT_NE(message.find("empty"), std::string::npos) << message;
}

TEST(ParseJsonBody, MultipartIsUnsupportedMediaType) {
  auto message = error_of(request_with("--x\r\n", "multipart/form-data; boundary=x"),
                          core::ErrorKind::kUnsupportedMediaType);
  EXPECT_NE(message.find("multipart/form-data"), std::string::npos) << message;
  EXPECT_EQ(core::http_status(core::ErrorKind::kUnsupportedMediaType), 415);
  error_of(request_with("<a/>", "application/xml"), core::ErrorKind::kUnsupportedMediaType);
}

TEST(ParseJsonBody, LenientContentTypesAreAccepted) {
  for (const char* type :
       {"text/plain", "text/plain;charset=UTF-8", "application/json; charset=utf-8",
        "APPLICATION/JSON", "application/x-www-form-urlencoded", "application/merge-patch+json",
        ""}) {
    SCOPED_TRACE(type);
    auto parsed = parse_json_body(request_with(R"({"ok":true})", type));
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(parsed->at("ok"), boost::json::value(true));
  }
}

}  // namespace
}  // namespace api
