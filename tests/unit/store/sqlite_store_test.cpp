#include "store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <future>
#include <string>

#include "store/sqlite/connection.hpp"
#include "store/sqlite/migrations.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"

namespace store::sqlite {
namespace {

using core::ErrorKind;
using core::Money;

std::unique_ptr<SqliteStore> open_migrated(const std::string& path = ":memory:") {
  auto store = SqliteStore::open(path);
  EXPECT_TRUE(store) << store.error().message;
  auto status = (*store)->migrate();
  EXPECT_TRUE(status) << status.error().message;
  return std::move(*store);
}

// A count straight from SQL, so that tests see rows the Store API would not show.
std::int64_t count(SqliteStore& store, const char* sql) {
  auto statement = store.connection().prepare(sql);
  EXPECT_TRUE(statement);
  EXPECT_EQ(statement->step(), Step::kRow);
  return statement->column_int64(0);
}

NewKey a_key(std::string hash, Role role = Role::kUser) {
  NewKey key;
  key.name = "alice";
  key.email = "alice@example.com";
  key.role = role;
  key.key_hash = std::move(hash);
  key.key_hint = "br-AbCd…wXyZ";
  key.month_quota = Money::from_nanos(5'000'000'000);
  key.balance = Money::from_nanos(1'234'567'890'123);
  return key;
}

NewModel a_model(std::string name, std::optional<std::int64_t> group_id = std::nullopt) {
  NewModel model;
  model.name = std::move(name);
  model.provider = "openai-compatible";
  model.config = R"({"baseUrl":"https://api.openai.com/v1","apiKey":"sk-secret"})";
  model.price_in = Money::from_nanos(2'500'000'000);
  model.price_out = Money::from_nanos(10'000'000'001);
  model.multiple = true;
  model.group_id = group_id;
  return model;
}

TEST(SqliteStoreTest, MigrateIsIdempotent) {
  auto store = open_migrated();
  ASSERT_TRUE(store->migrate());
  ASSERT_TRUE(store->migrate());
  EXPECT_EQ(count(*store, "SELECT COUNT(*) FROM schema_migrations"),
            static_cast<std::int64_t>(migrations().size()));
  EXPECT_EQ(count(*store, "SELECT MAX(version) FROM schema_migrations"),
            migrations().back().version);
  EXPECT_EQ(count(*store, "SELECT COUNT(*) FROM groups"), 1);
}

TEST(SqliteStoreTest, MigrationsAreNumberedWithoutGaps) {
  int expected = 1;
  for (const Migration& migration : migrations()) EXPECT_EQ(migration.version, expected++);
}

TEST(SqliteStoreTest, RefusesADatabaseNewerThanItself) {
  auto store = open_migrated();
  ASSERT_TRUE(store->connection().exec(
      "INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)"));
  auto status = store->migrate();
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().message.find("999"), std::string::npos);
}

TEST(SqliteStoreTest, DefaultGroupExists) {
  auto store = open_migrated();
  auto catalog = store->load_catalog();
  ASSERT_TRUE(catalog) << catalog.error().message;
  ASSERT_EQ(catalog->groups.size(), 1u);
  EXPECT_EQ(catalog->groups[0].id, kDefaultGroupId);
  EXPECT_EQ(catalog->groups[0].name, "default");
  EXPECT_GT(catalog->groups[0].created_at, 0);
}

TEST(SqliteStoreTest, DefaultGroupComesBackWhenMissing) {
  auto store = open_migrated();
  ASSERT_TRUE(store->connection().exec("DELETE FROM groups WHERE id = 1"));
  ASSERT_TRUE(store->migrate());
  EXPECT_EQ(count(*store, "SELECT COUNT(*) FROM groups WHERE id = 1 AND name = 'default'"), 1);
}

TEST(SqliteStoreTest, PingAnswers) {
  auto store = open_migrated();
  EXPECT_TRUE(store->ping());
}

TEST(SqliteStoreTest, InsertAndFindKeyByHash) {
  auto store = open_migrated();
  EXPECT_FALSE(store->has_admin_key());
  auto inserted = store->insert_key(a_key("hash-1"));
  ASSERT_TRUE(inserted) << inserted.error().message;
  EXPECT_GT(inserted->id, 0);
  EXPECT_GT(inserted->created_at, 0);
  EXPECT_EQ(inserted->month_fee, Money());
  EXPECT_EQ(inserted->total_fee, Money());

  auto found = store->find_key_by_hash("hash-1");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, inserted->id);
  EXPECT_EQ(found->name, "alice");
  EXPECT_EQ(found->email, "alice@example.com");
  EXPECT_EQ(found->role, Role::kUser);
  EXPECT_EQ(found->group_id, kDefaultGroupId);
  EXPECT_EQ(found->key_hint, "br-AbCd…wXyZ");
  EXPECT_EQ(found->month_quota, Money::from_nanos(5'000'000'000));
  EXPECT_EQ(found->balance, Money::from_nanos(1'234'567'890'123));
  EXPECT_FALSE(store->find_key_by_hash("hash-2"));
  EXPECT_FALSE(store->has_admin_key());
}

TEST(SqliteStoreTest, HasAdminKeyOnceOneExists) {
  auto store = open_migrated();
  ASSERT_TRUE(store->insert_key(a_key("admin-hash", Role::kAdmin)));
  EXPECT_TRUE(store->has_admin_key());
  EXPECT_EQ(store->find_key_by_hash("admin-hash")->role, Role::kAdmin);
}

TEST(SqliteStoreTest, DuplicateKeyHashIsAConflict) {
  auto store = open_migrated();
  ASSERT_TRUE(store->insert_key(a_key("same")));
  auto second = store->insert_key(a_key("same"));
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(count(*store, "SELECT COUNT(*) FROM api_keys"), 1);
}

TEST(SqliteStoreTest, KeyInUnknownGroupIsBadRequest) {
  auto store = open_migrated();
  NewKey key = a_key("h");
  key.group_id = 42;
  auto inserted = store->insert_key(key);
  ASSERT_FALSE(inserted);
  EXPECT_EQ(inserted.error().kind, ErrorKind::kBadRequest);
  EXPECT_EQ(inserted.error().field, "group_id");
  EXPECT_EQ(inserted.error().message, "group 42 not found");
  EXPECT_EQ(count(*store, "SELECT COUNT(*) FROM api_keys"), 0);
}

TEST(SqliteStoreTest, InsertModelWithGroupGrantsIt) {
  auto store = open_migrated();
  auto model = store->insert_model(a_model("gpt-4o", kDefaultGroupId));
  ASSERT_TRUE(model) << model.error().message;
  EXPECT_EQ(model->name, "gpt-4o");
  EXPECT_EQ(model->provider, "openai-compatible");
  EXPECT_EQ(model->price_in, Money::from_nanos(2'500'000'000));
  EXPECT_EQ(model->price_out, Money::from_nanos(10'000'000'001));
  EXPECT_TRUE(model->multiple);
  EXPECT_EQ(count(*store, "SELECT COUNT(*) FROM group_models WHERE group_id = 1"), 1);
}

TEST(SqliteStoreTest, DuplicateModelNameIsConflictAndWritesNothing) {
  auto store = open_migrated();
  ASSERT_TRUE(store->insert_model(a_model("gpt-4o")));
  auto second = store->insert_model(a_model("gpt-4o", kDefaultGroupId));
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(core::http_status(second.error().kind), 409);
  EXPECT_EQ(second.error().field, "name");
  EXPECT_NE(second.error().message.find("gpt-4o"), std::string::npos);
  EXPECT_EQ(count(*store, "SELECT COUNT(*) FROM models"), 1);
  EXPECT_EQ(count(*store, "SELECT COUNT(*) FROM group_models"), 0);
}

TEST(SqliteStoreTest, ModelWithUnknownGroupLeavesNoRow) {
  auto store = open_migrated();
  auto model = store->insert_model(a_model("claude", 3));
  ASSERT_FALSE(model);
  EXPECT_EQ(model.error().kind, ErrorKind::kBadRequest);
  EXPECT_EQ(model.error().field, "group_id");
  EXPECT_EQ(model.error().message, "group 3 not found");
  EXPECT_EQ(count(*store, "SELECT COUNT(*) FROM models"), 0);
  EXPECT_EQ(count(*store, "SELECT COUNT(*) FROM group_models"), 0);
  // The failed call left no transaction open: the next write works.
  EXPECT_TRUE(store->insert_model(a_model("claude")));
}

TEST(SqliteStoreTest, GrantsAreIdempotent) {
  auto store = open_migrated();
  auto model = store->insert_model(a_model("m"));
  auto key = store->insert_key(a_key("k"));
  ASSERT_TRUE(model && key);
  for (int attempt = 0; attempt < 2; ++attempt) {
    ASSERT_TRUE(store->grant_model_to_group(kDefaultGroupId, model->id));
    ASSERT_TRUE(store->grant_model_to_key(key->id, model->id));
  }
  EXPECT_EQ(count(*store, "SELECT COUNT(*) FROM group_models"), 1);
  EXPECT_EQ(count(*store, "SELECT COUNT(*) FROM key_models"), 1);
}

TEST(SqliteStoreTest, GrantsWithUnknownIdsAreNotFound) {
  auto store = open_migrated();
  auto model = store->insert_model(a_model("m"));
  auto key = store->insert_key(a_key("k"));
  ASSERT_TRUE(model && key);

  auto expect_not_found = [](const core::Status& status, const std::string& message) {
    ASSERT_FALSE(status);
    EXPECT_EQ(status.error().kind, ErrorKind::kNotFound);
    EXPECT_EQ(core::http_status(status.error().kind), 404);
    EXPECT_EQ(status.error().message, message);
  };
  expect_not_found(store->grant_model_to_group(3, model->id), "group 3 not found");
  expect_not_found(store->grant_model_to_group(kDefaultGroupId, 7), "model 7 not found");
  expect_not_found(store->grant_model_to_key(9, model->id), "api key 9 not found");
  expect_not_found(store->grant_model_to_key(key->id, 7), "model 7 not found");
  EXPECT_EQ(count(*store, "SELECT COUNT(*) FROM group_models"), 0);
  EXPECT_EQ(count(*store, "SELECT COUNT(*) FROM key_models"), 0);
}

TEST(SqliteStoreTest, CatalogHoldsEveryRow) {
  auto store = open_migrated();
  ASSERT_TRUE(store->connection().exec(
      "INSERT INTO groups (id, name, created_at, updated_at) VALUES (2, 'staff', 0, 0)"));
  auto first = store->insert_model(a_model("first", kDefaultGroupId));
  auto second = store->insert_model(a_model("second"));
  auto key = store->insert_key(a_key("k1"));
  auto admin = store->insert_key(a_key("k2", Role::kAdmin));
  ASSERT_TRUE(first && second && key && admin);
  ASSERT_TRUE(store->grant_model_to_group(2, second->id));
  ASSERT_TRUE(store->grant_model_to_key(key->id, second->id));

  auto catalog = store->load_catalog();
  ASSERT_TRUE(catalog) << catalog.error().message;
  ASSERT_EQ(catalog->groups.size(), 2u);
  EXPECT_EQ(catalog->groups[1].name, "staff");
  ASSERT_EQ(catalog->models.size(), 2u);
  EXPECT_EQ(catalog->models[0].name, "first");
  EXPECT_EQ(catalog->models[1].name, "second");
  EXPECT_EQ(catalog->models[1].config, a_model("x").config);
  ASSERT_EQ(catalog->keys.size(), 2u);
  EXPECT_EQ(catalog->keys[0].key_hash, "k1");
  EXPECT_EQ(catalog->keys[1].role, Role::kAdmin);
  ASSERT_EQ(catalog->group_grants.size(), 2u);
  EXPECT_EQ(catalog->group_grants[0].subject_id, kDefaultGroupId);
  EXPECT_EQ(catalog->group_grants[0].model_id, first->id);
  EXPECT_EQ(catalog->group_grants[1].subject_id, 2);
  EXPECT_EQ(catalog->group_grants[1].model_id, second->id);
  ASSERT_EQ(catalog->key_grants.size(), 1u);
  EXPECT_EQ(catalog->key_grants[0].subject_id, key->id);
  EXPECT_EQ(catalog->key_grants[0].model_id, second->id);
}

TEST(SqliteStoreTest, DeletingAModelRemovesItsGrants) {
  auto store = open_migrated();
  auto model = store->insert_model(a_model("m", kDefaultGroupId));
  auto key = store->insert_key(a_key("k"));
  ASSERT_TRUE(model && key);
  ASSERT_TRUE(store->grant_model_to_key(key->id, model->id));
  ASSERT_TRUE(store->connection().exec("DELETE FROM models"));
  EXPECT_EQ(count(*store, "SELECT COUNT(*) FROM group_models"), 0);
  EXPECT_EQ(count(*store, "SELECT COUNT(*) FROM key_models"), 0);
}

TEST(SqliteStoreTest, AGroupWithKeysCannotBeDeleted) {
  auto store = open_migrated();
  ASSERT_TRUE(store->insert_key(a_key("k")));
  EXPECT_FALSE(store->connection().exec("DELETE FROM groups WHERE id = 1"));
}

TEST(SqliteStoreTest, MoneyColumnsRefuseFloatingPoint) {
  auto store = open_migrated();
  // STRICT tables: a REAL slipping into a money column is an error, not a silent rounding.
  EXPECT_FALSE(store->connection().exec(
      "INSERT INTO models (name, provider, price_in, created_at, updated_at) "
      "VALUES ('x', 'p', 0.5, 0, 0)"));
}

TEST(SqliteStoreTest, ValuesAreBoundNotSpliced) {
  auto store = open_migrated();
  const std::string hostile = "x'); DROP TABLE models; --";
  auto model = store->insert_model(a_model(hostile));
  ASSERT_TRUE(model) << model.error().message;
  EXPECT_EQ(model->name, hostile);
  EXPECT_EQ(count(*store, "SELECT COUNT(*) FROM models"), 1);
}

TEST(SqliteStoreTest, FileDatabaseSurvivesReopen) {
  testing::TempDir dir;
  const std::string path = (dir.path() / "llmgate.db").string();
  std::int64_t key_id = 0;
  {
    auto store = open_migrated(path);
    auto key = store->insert_key(a_key("persisted"));
    ASSERT_TRUE(key);
    key_id = key->id;
    ASSERT_TRUE(store->insert_model(a_model("m", kDefaultGroupId)));
  }
  auto store = open_migrated(path);
  auto found = store->find_key_by_hash("persisted");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, key_id);
  EXPECT_EQ(found->balance, Money::from_nanos(1'234'567'890'123));
  auto catalog = store->load_catalog();
  ASSERT_TRUE(catalog);
  EXPECT_EQ(catalog->models.size(), 1u);
  EXPECT_EQ(catalog->group_grants.size(), 1u);
  EXPECT_EQ(count(*store, "SELECT COUNT(*) FROM schema_migrations"),
            static_cast<std::int64_t>(migrations().size()));
}

TEST(SqliteStoreTest, FileConnectionIsConfiguredForDurability) {
  testing::TempDir dir;
  auto store = open_migrated((dir.path() / "llmgate.db").string());
  Connection& connection = store->connection();
  EXPECT_EQ(*connection.pragma("journal_mode"), "wal");
  EXPECT_EQ(*connection.pragma("synchronous"), "2");  // FULL
  EXPECT_EQ(*connection.pragma("foreign_keys"), "1");
}

TEST(SqliteStoreTest, AWriterWaitsForALockHeldByAnotherConnection) {
  testing::TempDir dir;
  const std::string path = (dir.path() / "llmgate.db").string();
  auto store = open_migrated(path);
  auto other = Connection::open(path);
  ASSERT_TRUE(other);
  ASSERT_TRUE(other->exec("BEGIN IMMEDIATE"));
  std::promise<void> trying;
  auto waited = std::async(std::launch::async, [&] {
    trying.set_value();
    auto transaction = Transaction::begin_write(store->connection());
    return transaction ? transaction->commit() : core::Status(transaction.take_error());
  });
  trying.get_future().wait();
  ASSERT_TRUE(other->exec("COMMIT"));
  auto status = waited.get();
  EXPECT_TRUE(status) << status.error().message;
}

TEST(SqliteStoreTest, LockWaitsStartShortAndEndAfterFiveSeconds) {
  using std::chrono::microseconds;
  EXPECT_EQ(lock_wait(0), microseconds(50));
  EXPECT_EQ(lock_wait(1), microseconds(100));
  EXPECT_EQ(lock_wait(4), microseconds(800));
  EXPECT_EQ(lock_wait(5), microseconds(2000));
  microseconds total{0};
  int attempt = 0;
  while (auto wait = lock_wait(attempt)) {
    total += *wait;
    ++attempt;
  }
  EXPECT_GE(total, microseconds(5'000'000));
  EXPECT_LT(total, microseconds(5'003'000));
}

TEST(SqliteStoreTest, WalModeIsPersistentInTheFile) {
  testing::TempDir dir;
  const std::string path = (dir.path() / "llmgate.db").string();
  { open_migrated(path); }
  // A connection that sets nothing still sees WAL: the mode is stored in the file header.
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &statement, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)), "wal");
  sqlite3_finalize(statement);
  sqlite3_close_v2(raw);
}

}  // namespace
}  // namespace store::sqlite
