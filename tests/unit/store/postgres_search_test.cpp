// The words of a record list's q for PostgreSQL's llmgate_search_query (no server needed).

#include <gtest/gtest.h>

#include "store/postgres/search.hpp"

namespace store::postgres {
namespace {

TEST(PostgresSearchWordsTest, BlankIsNoFilter) {
  EXPECT_FALSE(search_words(""));
  EXPECT_FALSE(search_words(" \t\n "));
}

TEST(PostgresSearchWordsTest, TheLastWordIsSetApart) {
  auto words = search_words("  how do  I cook ");
  ASSERT_TRUE(words);
  EXPECT_EQ(words->words, "how do I");
  EXPECT_EQ(words->last_word, "cook");
  words = search_words("pasta");
  ASSERT_TRUE(words);
  EXPECT_EQ(words->words, "");
  EXPECT_EQ(words->last_word, "pasta");
}

TEST(PostgresSearchWordsTest, PunctuationOnlyWordsAreDroppedAndSyntaxIsKeptAsText) {
  auto words = search_words("pasta & !bob -- 'x':*");
  ASSERT_TRUE(words);
  EXPECT_EQ(words->words, "pasta !bob");  // the database takes the lexemes out of them
  EXPECT_EQ(words->last_word, "'x':*");
  auto punctuation = search_words("!!! --- ");
  ASSERT_TRUE(punctuation);
  EXPECT_EQ(punctuation->last_word, "");  // matches nothing
}

TEST(PostgresSearchWordsTest, NonAsciiWordsAreKept) {
  auto words = search_words("café 中文");
  ASSERT_TRUE(words);
  EXPECT_EQ(words->words, "café");
  EXPECT_EQ(words->last_word, "中文");
}

}  // namespace
}  // namespace store::postgres
