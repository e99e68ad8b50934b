// Chinese and Japanese text in the record search (search_tokenizer.hpp): a word is found
// anywhere in a clause, by its characters next to each other; migration 9 makes the
// indexes of an older database again with the tokenizer.

#include <gtest/gtest.h>

#include <sqlite3.h>

#include <cstdint>

#include "admin_fixtures.hpp"
#include "store/sqlite/migrations.hpp"

namespace store::sqlite {
namespace {

using namespace testing;
using Strings = std::vector<std::string>;

RecordFilter search(std::string q, std::optional<std::int64_t> key_id = std::nullopt) {
  RecordFilter filter;
  filter.page.q = std::move(q);
  filter.key_id = key_id;
  return filter;
}

class SearchCjkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = open_migrated();
    alice_ = must(store_->insert_key(new_key("alice"))).id;
    auto database = new_thread(alice_, "h:db", 100, "我想了解数据库的设计，特别是索引",
                               "数据库索引通常使用B树。Kubernetes集群也可以运行它。");
    database.session_title = "数据库设计";
    auto japanese = new_thread(alice_, "h:jp", 101, "データベースの設計について教えて",
                               "インデックスはＢ木で作ります");
    japanese.session_title = "日本語の質問";
    auto stock = new_thread(alice_, "h:stock", 102, "库存还有多少？", "还有三件。");
    ASSERT_TRUE(store_->insert_threads({database, japanese, stock}));
  }

  Strings prompts(const RecordFilter& filter) {
    Strings found;
    for (const auto& row : must(store_->list_threads(filter)).items) {
      found.push_back(row.thread.prompt);
    }
    return found;
  }
  Strings titles(const RecordFilter& filter) {
    Strings found;
    for (const auto& row : must(store_->list_sessions(filter)).items) found.push_back(row.title);
    return found;
  }

  std::unique_ptr<SqliteStore> store_;
  std::int64_t alice_ = 0;
};

TEST_F(SearchCjkTest, AWordIsFoundInTheMiddleOfAClause) {
  // "数据库" is inside "我想了解数据库的设计" and starts the completion.
  EXPECT_EQ(prompts(search("数据库")), (Strings{"我想了解数据库的设计，特别是索引"}));
  // Two characters, as most Chinese words are; one character.
  EXPECT_EQ(prompts(search("设计")), (Strings{"我想了解数据库的设计，特别是索引"}));
  EXPECT_EQ(prompts(search("还")), (Strings{"库存还有多少？"}));
  // Japanese: katakana and kanji words from the middle of the text.
  EXPECT_EQ(prompts(search("ベース")), (Strings{"データベースの設計について教えて"}));
  EXPECT_EQ(prompts(search("設計")), (Strings{"データベースの設計について教えて"}));
}

TEST_F(SearchCjkTest, TheCharactersMustStandTogetherAndInOrder) {
  EXPECT_TRUE(prompts(search("数库")).empty());    // both occur, not side by side
  EXPECT_TRUE(prompts(search("库数据")).empty());  // the order matters
  // A character found alone is found in every thread that has it ("库存" and "数据库").
  EXPECT_EQ(prompts(search("库")).size(), 2u);
}

TEST_F(SearchCjkTest, MixesWithOtherWordsAndScripts) {
  // Latin and Han in one word, as typed without a space; and two words, each required.
  EXPECT_EQ(prompts(search("Kubernetes集群")).size(), 1u);
  EXPECT_EQ(prompts(search("kubernetes 索引")).size(), 1u);
  EXPECT_TRUE(prompts(search("kubernetes 库存")).empty());
  // The last word still matches as a prefix when it ends in a Latin letter.
  EXPECT_EQ(prompts(search("集群 kuber")).size(), 1u);
  // Punctuation at its end changes nothing.
  EXPECT_EQ(prompts(search("数据库。")).size(), 1u);
}

TEST_F(SearchCjkTest, SessionTitlesAndScopedSearchesUseTheSameTokens) {
  EXPECT_EQ(titles(search("设计")), (Strings{"数据库设计"}));
  EXPECT_EQ(titles(search("質問")), (Strings{"日本語の質問"}));
  // Within a key: a scope this small is searched in the connection's scratch index.
  EXPECT_EQ(prompts(search("数据", alice_)), (Strings{"我想了解数据库的设计，特别是索引"}));
  EXPECT_TRUE(prompts(search("数库", alice_)).empty());
}

// Any bytes, not only valid UTF-8 (a text column holds what it is given): the tokenizer
// splits what unicode61 makes of them without reading past a token, and the index stays
// consistent. Fixed pseudo-random strings, mostly bytes of multi-byte sequences.
TEST(SearchTokenizerTest, ArbitraryBytesKeepTheIndexWhole) {
  auto store = open_migrated();
  exec(*store,
       "CREATE VIRTUAL TABLE temp.bytes USING fts5(x, tokenize = 'llmgate remove_diacritics 2')");
  sqlite3* db = store->connection().handle();
  sqlite3_stmt* insert = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "INSERT INTO temp.bytes (x) VALUES (?)", -1, &insert, nullptr),
            SQLITE_OK);
  std::uint32_t state = 12345;
  auto next = [&state] { return state = state * 1103515245u + 12345u; };
  for (int row = 0; row < 2000; ++row) {
    std::string text;
    const int size = static_cast<int>(next() % 40);
    for (int i = 0; i < size; ++i) {
      const std::uint32_t pick = next() >> 8;
      text += static_cast<char>(pick % 4 == 0 ? 'a' + pick % 26 : 0x80 + pick % 128);
    }
    if (row % 100 == 0) text += " 中文 ";  // 20 rows with a word to find among the bytes
    sqlite3_bind_text(insert, 1, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    ASSERT_EQ(sqlite3_step(insert), SQLITE_DONE) << sqlite3_errmsg(db);
    sqlite3_reset(insert);
  }
  sqlite3_finalize(insert);
  exec(*store, "INSERT INTO temp.bytes (bytes) VALUES ('integrity-check')");
  const auto found = scalar(*store, "SELECT COUNT(*) FROM temp.bytes WHERE bytes MATCH '\"中文\"'");
  EXPECT_GE(found, 20);
  EXPECT_LE(found, scalar(*store, "SELECT COUNT(*) FROM temp.bytes WHERE x LIKE '%中文%'"));
}

TEST(SearchCjkMigrationTest, Migration9IndexesTheThreadsAndTitlesAlreadyStored) {
  auto store = open_migrated();
  const std::int64_t alice = must(store->insert_key(new_key("alice"))).id;
  auto indexed = new_thread(alice, "h:a", 100, "我想了解数据库的设计", "好的");
  indexed.session_title = "数据库设计";
  ASSERT_TRUE(store->insert_threads({indexed}));
  ASSERT_EQ(must(store->list_threads(search("数据"))).total, 1);  // indexes what waits
  // Back to version 8: both indexes with unicode61, as that version made them.
  ASSERT_EQ(migrations()[8].version, 9);
  exec(*store,
       "DROP TABLE threads_fts; CREATE VIRTUAL TABLE threads_fts USING fts5(prompt, completion, "
       "tool_calls, content = 'threads', content_rowid = 'id', "
       "tokenize = 'unicode61 remove_diacritics 2');"
       "INSERT INTO threads_fts (rowid, prompt, completion, tool_calls) "
       "SELECT id, prompt, completion, tool_calls FROM threads;"
       "DROP TABLE sessions_fts; CREATE VIRTUAL TABLE sessions_fts USING fts5(title, "
       "content = 'sessions', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2');"
       "INSERT INTO sessions_fts (rowid, title) SELECT id, title FROM sessions;"
       "DELETE FROM schema_migrations WHERE version >= 9");
  EXPECT_EQ(must(store->list_threads(search("数据"))).total, 0);
  // A thread written by version 8 that waits for the bulk indexer.
  auto waiting = new_thread(alice, "h:b", 101, "数据分析", "");
  waiting.session_title = "分析";
  ASSERT_TRUE(store->insert_threads({waiting}));

  ASSERT_TRUE(store->migrate());
  EXPECT_EQ(scalar(*store, "SELECT MAX(version) FROM schema_migrations"),
            migrations().back().version);
  EXPECT_EQ(must(store->list_threads(search("数据"))).total, 2);
  EXPECT_EQ(must(store->list_threads(search("设计"))).total, 1);
  EXPECT_EQ(must(store->list_sessions(search("设计"))).total, 1);
  EXPECT_EQ(must(store->list_sessions(search("分析"))).total, 1);
  EXPECT_EQ(scalar(*store, "SELECT COUNT(*) FROM threads_fts_docsize"), 2);
  // The maintenance triggers still keep the index: a prompt changed by hand.
  exec(*store, "UPDATE threads SET prompt = '天气' WHERE created_at = 100");
  EXPECT_EQ(must(store->list_threads(search("设计"))).total, 0);
  EXPECT_EQ(must(store->list_threads(search("天气"))).total, 1);
  exec(*store, "INSERT INTO threads_fts (threads_fts) VALUES ('integrity-check')");
  exec(*store, "INSERT INTO sessions_fts (sessions_fts) VALUES ('integrity-check')");
}

}  // namespace
}  // namespace store::sqlite
