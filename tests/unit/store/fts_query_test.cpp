// The user's q as an FTS5 query: words quoted, AND-ed, the last one a prefix.

#include "store/sqlite/fts.hpp"

#include <gtest/gtest.h>

#include <string>

namespace store::sqlite {
namespace {

TEST(FtsQueryTest, BlankIsNoFilter) {
  EXPECT_EQ(fts_query(""), std::nullopt);
  EXPECT_EQ(fts_query(" \t\r\n "), std::nullopt);
  EXPECT_EQ(fts_query(std::string("\0\x01", 2)), std::nullopt);
}

TEST(FtsQueryTest, QuotesEachWordAndPrefixesTheLast) {
  EXPECT_EQ(fts_query("hello"), R"("hello"*)");
  EXPECT_EQ(fts_query("  hello   wor "), R"("hello" AND "wor"*)");
  EXPECT_EQ(fts_query("a\tb\nc"), R"("a" AND "b" AND "c"*)");
}

TEST(FtsQueryTest, SyntaxIsText) {
  EXPECT_EQ(fts_query("AND"), R"("AND"*)");
  EXPECT_EQ(fts_query("a OR b"), R"("a" AND "OR" AND "b"*)");
  EXPECT_EQ(fts_query("NEAR("), R"("NEAR("*)");
  EXPECT_EQ(fts_query("foo*"), R"("foo*"*)");
  EXPECT_EQ(fts_query("prompt:x"), R"("prompt:x"*)");
  EXPECT_EQ(fts_query(R"(say"hi")"), R"("say""hi"""*)");
  EXPECT_EQ(fts_query("it's"), R"("it's"*)");
}

TEST(FtsQueryTest, DropsWordsWithoutLettersOrDigits) {
  EXPECT_EQ(fts_query(R"(hello " - ')"), R"("hello"*)");
  EXPECT_EQ(fts_query(R"(" hello)"), R"("hello"*)");
  // Nothing searchable: a query that matches no row, rather than no filter.
  EXPECT_EQ(fts_query(R"(")"), R"("")");
  EXPECT_EQ(fts_query("' * ( ^"), R"("")");
}

TEST(FtsQueryTest, KeepsNonAsciiWords) {
  EXPECT_EQ(fts_query("中文 café"), "\"中文\" AND \"café\"*");
}

// A CJK character is a token alone (search_tokenizer.hpp): its prefix is itself, and a
// prefix query would merge all its matches first.
TEST(FtsQueryTest, NoPrefixAfterACjkCharacter) {
  EXPECT_EQ(fts_query("café 中文"), "\"café\" AND \"中文\"");
  EXPECT_EQ(fts_query("数据库。"), "\"数据库。\"");
  EXPECT_EQ(fts_query("数据库?!"), "\"数据库?!\"");
  EXPECT_EQ(fts_query("データ"), "\"データ\"");
  EXPECT_EQ(fts_query("k8s集群x"), "\"k8s集群x\"*");
  EXPECT_EQ(fts_query("집"), "\"집\"*");  // Hangul words are words
  // Kana punctuation is no token: the word's last token is the Latin one, still a prefix.
  EXPECT_EQ(fts_query("abc・"), "\"abc・\"*");
  EXPECT_EQ(fts_query("人々"), "\"人々\"");
}

// q is any bytes (percent-decoded from the URL): cut or invalid UTF-8 keeps the marker and
// never throws.
TEST(FtsQueryTest, BytesThatAreNotUtf8) {
  EXPECT_EQ(fts_query("\xF0"), "\"\xF0\"*");
  EXPECT_EQ(fts_query("a\xF0"), "\"a\xF0\"*");
  EXPECT_EQ(fts_query("\xE4"), "\"\xE4\"*");
  EXPECT_EQ(fts_query("数\xE6\x8D"), "\"数\xE6\x8D\"*");
  EXPECT_EQ(fts_query("\x80\xBF数"), "\"\x80\xBF数\"*");
  EXPECT_EQ(fts_query("\xED\xA0\x80"), "\"\xED\xA0\x80\"*");
}

}  // namespace
}  // namespace store::sqlite
