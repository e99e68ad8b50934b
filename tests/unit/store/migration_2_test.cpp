// Migration 2 applied to a database that migration 1 created and filled.

#include <gtest/gtest.h>

#include <string>

#include "admin_fixtures.hpp"
#include "store/sqlite/migrations.hpp"

namespace store::sqlite {
namespace {

using core::Money;
using namespace testing;

// A store whose schema is exactly migration 1, with rows written the way version 1 did.
std::unique_ptr<SqliteStore> version_1_store() {
  auto opened = SqliteStore::open(":memory:");
  EXPECT_TRUE(opened);
  auto store = std::move(*opened);
  EXPECT_EQ(migrations()[0].version, 1);
  exec(*store,
       "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT "
       "NULL)");
  exec(*store, migrations()[0].sql);
  exec(*store, "INSERT INTO schema_migrations (version, applied_at) VALUES (1, 1)");
  exec(*store,
       "INSERT INTO groups (id, name, created_at, updated_at) VALUES (1, 'default', 1, 1), "
       "(2, 'staff', 1, 1)");
  exec(*store,
       "INSERT INTO api_keys (id, name, group_id, key_hash, balance, created_at, updated_at) "
       "VALUES (1, 'old', 2, 'old-hash', 100, 1, 1)");
  exec(*store,
       "INSERT INTO models (id, name, provider, created_at, updated_at) VALUES (1, 'm', 'p', 1, "
       "1)");
  exec(*store, "INSERT INTO group_models (group_id, model_id) VALUES (2, 1)");
  exec(*store, "INSERT INTO key_models (key_id, model_id) VALUES (1, 1)");
  return store;
}

TEST(Migration2Test, UpgradesAVersion1Database) {
  auto store = version_1_store();
  EXPECT_EQ(scalar(*store, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'payments'"), 0);
  ASSERT_TRUE(store->migrate());
  EXPECT_EQ(scalar(*store, "SELECT MAX(version) FROM schema_migrations"),
            migrations().back().version);
  for (const char* table : {"payments", "feishu_bots"}) {
    EXPECT_EQ(scalar(*store, std::string("SELECT COUNT(*) FROM sqlite_master WHERE type = "
                                         "'table' AND name = '") +
                                 table + "'"),
              1)
        << table;
  }
  // Old rows survive; grants made before the migration have time 0.
  auto grants = must(store->list_group_grants(GrantFilter{}));
  ASSERT_EQ(grants.items.size(), 1u);
  EXPECT_EQ(grants.items[0].subject_name, "staff");
  EXPECT_EQ(grants.items[0].created_at, 0);
  auto key_grants = must(store->list_key_grants(GrantFilter{}));
  ASSERT_EQ(key_grants.items.size(), 1u);
  EXPECT_EQ(key_grants.items[0].subject_name, "old");

  // The new tables work with the old rows.
  auto recharge = must(store->recharge_key(1, Money::from_nanos(5), 1));
  EXPECT_EQ(recharge.key.balance, Money::from_nanos(105));
  EXPECT_EQ(recharge.payment.admin_key_name, "old");
  EXPECT_TRUE(store->insert_bot(new_bot("b", "cli")));
  ASSERT_TRUE(store->grant_model_to_key(1, 1));  // still idempotent with the new column
  ASSERT_TRUE(store->delete_key(1));
  EXPECT_EQ(scalar(*store, "SELECT COUNT(*) FROM payments"), 0);
  EXPECT_EQ(scalar(*store, "SELECT COUNT(*) FROM key_models"), 0);
}

TEST(Migration2Test, NewTablesAreStrict) {
  auto store = open_migrated();
  auto key = must(store->insert_key(new_key("alice")));
  EXPECT_FALSE(store->connection().exec(
      ("INSERT INTO payments (key_id, amount, balance_after, created_at) VALUES (" +
       std::to_string(key.id) + ", 0.5, 1, 0)")
          .c_str()));
  EXPECT_FALSE(
      store->connection().exec("INSERT INTO feishu_bots (name, app_id, created_at, updated_at) "
                               "VALUES ('x', 'a', 'now', 0)"));
}

TEST(Migration2Test, PaymentsNeedAnExistingKey) {
  auto store = open_migrated();
  EXPECT_FALSE(store->connection().exec(
      "INSERT INTO payments (key_id, amount, balance_after, created_at) VALUES (42, 1, 1, 0)"));
}

}  // namespace
}  // namespace store::sqlite
