// Migration 3 (chat records) applied to a database that migrations 1 and 2 created and filled.

#include <gtest/gtest.h>

#include <string>

#include "admin_fixtures.hpp"
#include "store/sqlite/migrations.hpp"

namespace store::sqlite {
namespace {

using core::Money;
using namespace testing;

// A store whose schema is exactly migrations 1 and 2, with rows written the way they did.
std::unique_ptr<SqliteStore> version_2_store() {
  auto opened = SqliteStore::open(":memory:");
  EXPECT_TRUE(opened);
  auto store = std::move(*opened);
  EXPECT_EQ(migrations()[1].version, 2);
  exec(*store,
       "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT "
       "NULL)");
  exec(*store, migrations()[0].sql);
  exec(*store, migrations()[1].sql);
  exec(*store, "INSERT INTO schema_migrations (version, applied_at) VALUES (1, 1), (2, 2)");
  exec(*store, "INSERT INTO groups (id, name, created_at, updated_at) VALUES (1, 'default', 1, 1)");
  exec(*store,
       "INSERT INTO api_keys (id, name, key_hash, balance, created_at, updated_at) "
       "VALUES (1, 'old', 'old-hash', 100, 1, 1), (2, 'other', 'other-hash', 0, 1, 1)");
  exec(*store,
       "INSERT INTO payments (key_id, amount, balance_after, created_at) VALUES (1, 100, 100, 1)");
  return store;
}

TEST(Migration3Test, UpgradesAVersion2Database) {
  auto store = version_2_store();
  EXPECT_EQ(scalar(*store, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'threads'"), 0);
  ASSERT_TRUE(store->migrate());
  EXPECT_EQ(scalar(*store, "SELECT MAX(version) FROM schema_migrations"),
            store::sqlite::migrations().back().version);
  for (const char* table : {"sessions", "threads", "threads_fts", "sessions_fts"}) {
    EXPECT_EQ(scalar(*store, std::string("SELECT COUNT(*) FROM sqlite_master WHERE type = "
                                         "'table' AND name = '") +
                                 table + "'"),
              1)
        << table;
  }
  // Old rows survive and the new tables work with them.
  EXPECT_EQ(must(store->list_payments(std::nullopt, ListQuery{})).total, 1);
  ASSERT_TRUE(store->insert_threads({new_thread(1, "h:a", 10, "old key asks", "an answer")}));
  auto sessions = must(store->list_sessions(RecordFilter{}));
  ASSERT_EQ(sessions.items.size(), 1u);
  EXPECT_EQ(sessions.items[0].key_name, "old");
  EXPECT_EQ(must(store->list_threads(RecordFilter{{"answer"}, 1, std::nullopt})).total, 1);
  auto stats = must(store->statistics(0));
  EXPECT_EQ(stats.keys, 2);
  EXPECT_EQ(stats.requests_total, 1);
  // Deleting the key still cascades to its payments, and leaves its records.
  ASSERT_TRUE(store->delete_key(1));
  EXPECT_EQ(scalar(*store, "SELECT COUNT(*) FROM payments"), 0);
  EXPECT_EQ(scalar(*store, "SELECT COUNT(*) FROM threads"), 1);
  EXPECT_EQ(scalar(*store, "SELECT COUNT(*) FROM sessions"), 1);
}

TEST(Migration3Test, FullTextSearchIsAvailable) {
  auto store = open_migrated();
  EXPECT_EQ(scalar(*store, "SELECT sqlite_compileoption_used('ENABLE_FTS5')"), 1);
}

TEST(Migration3Test, NewTablesAreStrictAndChecked) {
  auto store = open_migrated();
  ASSERT_TRUE(store->insert_threads({new_thread(1, "h:a", 10)}));
  const std::string session = std::to_string(scalar(*store, "SELECT id FROM sessions"));
  auto insert_thread = [&](const std::string& columns, const std::string& values) {
    return store->connection().exec(("INSERT INTO threads (session_id, key_id, status, "
                                     "created_at" +
                                     columns + ") VALUES (" + session + ", 1, " + values + ")")
                                        .c_str());
  };
  EXPECT_TRUE(insert_thread("", "'ok', 0"));
  EXPECT_FALSE(insert_thread("", "'done', 0"));           // status
  EXPECT_FALSE(insert_thread(", fee", "'ok', 0, 0.5"));   // money is integer nanos
  EXPECT_FALSE(insert_thread(", stream", "'ok', 0, 2"));  // a flag is 0 or 1
  EXPECT_FALSE(insert_thread("", "'ok', 'now'"));
  // A thread needs its session.
  EXPECT_FALSE(store->connection().exec(
      "INSERT INTO threads (session_id, key_id, status, created_at) VALUES (999, 1, 'ok', 0)"));
  // One session per key and session key.
  EXPECT_FALSE(
      store->connection().exec("INSERT INTO sessions (key_id, session_key, created_at, updated_at) "
                               "VALUES (1, 'h:a', 0, 0)"));
  EXPECT_FALSE(store->connection().exec(
      "INSERT INTO sessions (key_id, session_key, total_fee, created_at, updated_at) VALUES (2, "
      "'h:a', 1.5, 0, 0)"));
  // Sessions have no foreign key to api_keys: records of unknown keys are kept.
  EXPECT_TRUE(store->connection().exec(
      "INSERT INTO sessions (key_id, session_key, created_at, updated_at) VALUES (42, 'x', 0, 0)"));
}

}  // namespace
}  // namespace store::sqlite
