#include "http/message.hpp"

#include <gtest/gtest.h>

namespace http {
namespace {

Request with_query(std::string query) {
  Request request;
  request.query = std::move(query);
  return request;
}

TEST(QueryParam, DecodesPercentEscapesAndPlus) {
  auto request = with_query("q=hello%20world&name=a+b&sym=%2B%26%3d&utf=%E4%BD%A0");
  EXPECT_EQ(request.query_param("q"), "hello world");
  EXPECT_EQ(request.query_param("name"), "a b");
  EXPECT_EQ(request.query_param("sym"), "+&=");  // escaped '+' stays a plus
  EXPECT_EQ(request.query_param("utf"), "\xE4\xBD\xA0");
}

TEST(QueryParam, MissingIsNulloptAndEmptyIsEmpty) {
  auto request = with_query("limit=20&q=&flag&offset=0");
  EXPECT_EQ(request.query_param("missing"), std::nullopt);
  ASSERT_TRUE(request.query_param("q").has_value());
  EXPECT_EQ(*request.query_param("q"), "");
  ASSERT_TRUE(request.query_param("flag").has_value());
  EXPECT_EQ(*request.query_param("flag"), "");
  EXPECT_EQ(request.query_param("limit"), "20");
  EXPECT_EQ(request.query_param("offset"), "0");
}

TEST(QueryParam, MatchesWholeDecodedNamesOnly) {
  auto request = with_query("limits=5&na%6De=x&my+key=v");
  EXPECT_EQ(request.query_param("limit"), std::nullopt);
  EXPECT_EQ(request.query_param("limits"), "5");
  EXPECT_EQ(request.query_param("name"), "x");
  EXPECT_EQ(request.query_param("my key"), "v");
}

TEST(QueryParam, FirstValueWins) {
  auto request = with_query("a=1&a=2");
  EXPECT_EQ(request.query_param("a"), "1");
}

TEST(QueryParam, MalformedEscapesAreKeptAsText) {
  auto request = with_query("a=%zz&b=50%&c=%4&d=%41");
  EXPECT_EQ(request.query_param("a"), "%zz");
  EXPECT_EQ(request.query_param("b"), "50%");
  EXPECT_EQ(request.query_param("c"), "%4");
  EXPECT_EQ(request.query_param("d"), "A");
}

TEST(QueryParam, EmptyQueryHasNoParameters) {
  EXPECT_EQ(with_query("").query_param("a"), std::nullopt);
  EXPECT_EQ(with_query("&&").query_param("a"), std::nullopt);
}

TEST(Headers, GetIsCaseInsensitive) {
  Headers headers;
  headers.add("Content-Type", "application/json");
  EXPECT_EQ(headers.get("content-type"), "application/json");
  EXPECT_EQ(headers.get("CONTENT-TYPE"), "application/json");
  EXPECT_EQ(headers.get("content-length"), std::nullopt);
  EXPECT_EQ(headers.get("content-typ"), std::nullopt);
}

TEST(Headers, SetReplacesWhateverTheCase) {
  Headers headers;
  headers.set("Authorization", "Bearer one");
  headers.set("authorization", "Bearer two");
  ASSERT_EQ(headers.entries.size(), 1u);
  EXPECT_EQ(headers.get("AUTHORIZATION"), "Bearer two");
  headers.set("X-Other", "x");
  EXPECT_EQ(headers.entries.size(), 2u);
}

TEST(Headers, AddKeepsDuplicatesAndGetReturnsTheFirst) {
  Headers headers;
  headers.add("Set-Cookie", "a=1");
  headers.add("set-cookie", "b=2");
  EXPECT_EQ(headers.entries.size(), 2u);
  EXPECT_EQ(headers.get("Set-Cookie"), "a=1");
}

TEST(Iequals, ComparesAsciiCaseInsensitively) {
  EXPECT_TRUE(iequals("X-Api-Key", "x-api-key"));
  EXPECT_FALSE(iequals("x-api-key", "x-api-keys"));
  EXPECT_FALSE(iequals("abc", "abd"));
  EXPECT_TRUE(iequals("", ""));
}

}  // namespace
}  // namespace http
