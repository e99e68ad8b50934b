#include "store/sqlite/migrations.hpp"

#include <array>
#include <string>

namespace store::sqlite {

namespace {

// Money columns hold core::Money nano-units; timestamps are unix seconds. STRICT tables
// refuse a REAL or TEXT slipping into a money column instead of storing it silently.
// AUTOINCREMENT: an id is never given again after its row is deleted, so ids kept in
// payments, records and logs always mean one thing. (Edited before any release: no
// database with the earlier form of these scripts exists outside tests.)
constexpr const char* kMigration1 = R"sql(
CREATE TABLE groups (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE api_keys (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  email TEXT NOT NULL DEFAULT '',
  role TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
  group_id INTEGER NOT NULL DEFAULT 1 REFERENCES groups(id),
  key_hash TEXT NOT NULL UNIQUE,
  key_hint TEXT NOT NULL DEFAULT '',
  month_quota INTEGER NOT NULL DEFAULT 0,
  month_fee INTEGER NOT NULL DEFAULT 0,
  balance INTEGER NOT NULL DEFAULT 0,
  total_fee INTEGER NOT NULL DEFAULT 0,
  fee_month TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
-- Deleting a group checks for its keys; without this index that is a full scan.
CREATE INDEX api_keys_group_id ON api_keys(group_id);

CREATE TABLE models (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  provider TEXT NOT NULL,
  config TEXT NOT NULL DEFAULT '{}',
  price_in INTEGER NOT NULL DEFAULT 0,
  price_out INTEGER NOT NULL DEFAULT 0,
  multiple INTEGER NOT NULL DEFAULT 0 CHECK (multiple IN (0, 1)),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE group_models (
  group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  PRIMARY KEY (group_id, model_id)
) STRICT;
CREATE INDEX group_models_model_id ON group_models(model_id);

CREATE TABLE key_models (
  key_id INTEGER NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
  model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  PRIMARY KEY (key_id, model_id)
) STRICT;
CREATE INDEX key_models_model_id ON key_models(model_id);
)sql";

// Issue 3: payments (recharge history), Feishu bots, grant times, and list indexes.
// payments.admin_key_id has no foreign key: the admin key may be deleted later, and the
// payment keeps the admin's name as it was at the time.
constexpr const char* kMigration2 = R"sql(
CREATE TABLE payments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key_id INTEGER NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
  amount INTEGER NOT NULL,
  balance_after INTEGER NOT NULL,
  admin_key_id INTEGER,
  admin_key_name TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
) STRICT;
-- The per-key history, newest first; also the cascade from api_keys.
CREATE INDEX payments_key_id ON payments(key_id, id);

CREATE TABLE feishu_bots (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  provider TEXT NOT NULL DEFAULT '',
  app_id TEXT NOT NULL UNIQUE,
  config TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

-- Grants made before this migration have no known time: 0.
ALTER TABLE group_models ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE key_models ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;

-- The exact filters of the model list.
CREATE INDEX models_provider ON models(provider);
)sql";

constexpr std::array kMigrations = {
    Migration{1, kMigration1},
    Migration{2, kMigration2},
};

core::Result<std::int64_t> current_version(Connection& connection) {
  auto statement = connection.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!statement) return statement.take_error();
  if (statement->step() != Step::kRow) return statement->internal_error();
  return statement->column_int64(0);
}

core::Status apply_one(Connection& connection, const Migration& migration, std::int64_t now) {
  auto transaction = Transaction::begin_write(connection);
  if (!transaction) return transaction.take_error();
  // Read the version under the write lock: another process may have migrated meanwhile.
  auto version = current_version(connection);
  if (!version) return version.take_error();
  if (*version >= migration.version) return core::Ok{};
  if (auto status = connection.exec(migration.sql); !status) {
    return core::Error::internal("migration " + std::to_string(migration.version) +
                                 " failed: " + status.error().message);
  }
  auto record =
      connection.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)");
  if (!record) return record.take_error();
  record->bind_int64(1, migration.version).bind_int64(2, now);
  if (auto status = record->run(); !status) return status;
  return transaction->commit();
}

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

core::Status apply_migrations(Connection& connection, std::int64_t now) {
  if (auto status = connection.exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
                                    "version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
      !status) {
    return status;
  }
  auto version = current_version(connection);
  if (!version) return version.take_error();
  const int newest = kMigrations.back().version;
  if (*version > newest) {
    return core::Error::internal("database schema version " + std::to_string(*version) +
                                 " is newer than this llmgate knows (" + std::to_string(newest) +
                                 "); upgrade llmgate");
  }
  for (const Migration& migration : kMigrations) {
    if (migration.version <= *version) continue;
    if (auto status = apply_one(connection, migration, now); !status) return status;
  }
  return core::Ok{};
}

}  // namespace store::sqlite
