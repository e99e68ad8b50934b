// Migration 8 (tool calls in the search index) applied to a database whose index was made
// before it: the threads it held are found by their tool calls, the threads waiting for the
// bulk indexer still wait, and the maintenance triggers know the new column.

#include <gtest/gtest.h>

#include "admin_fixtures.hpp"
#include "store/sqlite/migrations.hpp"

namespace store::sqlite {
namespace {

using namespace testing;

std::int64_t found(SqliteStore& store, std::string q) {
  RecordFilter filter;
  filter.page.q = std::move(q);
  return must(store.list_threads(filter)).total;
}

NewThread tool_call(std::int64_t key_id, std::int64_t created_at, const std::string& function) {
  auto thread = new_thread(key_id, "h:tools", created_at, "plan a trip", "");
  thread.tool_calls = R"([{"id":"call_1","type":"function","function":{"name":")" + function +
                      R"(","arguments":"{}"}}])";
  return thread;
}

TEST(Migration8Test, IndexesTheToolCallsOfTheThreadsAlreadyStored) {
  auto store = open_migrated();
  const std::int64_t alice = must(store->insert_key(new_key("alice"))).id;
  ASSERT_TRUE(store->insert_threads({tool_call(alice, 100, "book_flight")}));
  EXPECT_EQ(found(*store, "trip"), 1);  // indexes what waits
  // Back to version 7: the index of prompts and completions only, as that version made it.
  ASSERT_EQ(migrations()[7].version, 8);
  exec(*store,
       "DROP TRIGGER threads_fts_delete; DROP TRIGGER threads_fts_update; DROP TABLE threads_fts;"
       "CREATE VIRTUAL TABLE threads_fts USING fts5(prompt, completion, content = 'threads', "
       "content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2');"
       "INSERT INTO threads_fts (rowid, prompt, completion) SELECT id, prompt, completion "
       "FROM threads;"
       "CREATE TRIGGER threads_fts_delete AFTER DELETE ON threads "
       "WHEN old.id <= (SELECT threads_to FROM search_index_state) BEGIN "
       "INSERT INTO threads_fts (threads_fts, rowid, prompt, completion) "
       "VALUES ('delete', old.id, old.prompt, old.completion); END;"
       "CREATE TRIGGER threads_fts_update AFTER UPDATE OF prompt, completion ON threads "
       "WHEN old.id <= (SELECT threads_to FROM search_index_state) BEGIN "
       "INSERT INTO threads_fts (threads_fts, rowid, prompt, completion) "
       "VALUES ('delete', old.id, old.prompt, old.completion); "
       "INSERT INTO threads_fts (rowid, prompt, completion) "
       "VALUES (new.id, new.prompt, new.completion); END;"
       "DELETE FROM schema_migrations WHERE version >= 8");
  EXPECT_EQ(found(*store, "flight"), 0);
  // A thread written by version 7 that waits for the indexer.
  ASSERT_TRUE(store->insert_threads({tool_call(alice, 101, "book_hotel")}));

  ASSERT_TRUE(store->migrate());
  EXPECT_EQ(scalar(*store, "SELECT MAX(version) FROM schema_migrations"),
            migrations().back().version);
  EXPECT_EQ(found(*store, "flight"), 1);
  EXPECT_EQ(found(*store, "hotel"), 1);
  EXPECT_EQ(found(*store, "trip"), 2);
  EXPECT_EQ(scalar(*store, "SELECT COUNT(*) FROM threads_fts_docsize"), 2);
  // A tool call changed by hand leaves the index with the row.
  exec(*store, "UPDATE threads SET tool_calls = '' WHERE created_at = 100");
  EXPECT_EQ(found(*store, "flight"), 0);
  EXPECT_EQ(found(*store, "trip"), 2);
  exec(*store, "INSERT INTO threads_fts (threads_fts) VALUES ('integrity-check')");
}

}  // namespace
}  // namespace store::sqlite
