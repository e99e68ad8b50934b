#include "store/sqlite/sqlite_store.hpp"

#include <string>
#include <vector>

#include "store/sqlite/migrations.hpp"
#include "store/sqlite/rows.hpp"

namespace store::sqlite {

namespace {

// Runs a SELECT of whole rows and reads each with `read`.
template <class Row, class Read>
core::Status select_all(Connection& connection, const std::string& sql, Read read,
                        std::vector<Row>& rows) {
  auto statement = connection.prepare(sql);
  if (!statement) return statement.take_error();
  for (;;) {
    switch (statement->step()) {
      case Step::kRow:
        rows.push_back(read(*statement));
        continue;
      case Step::kDone:
        return core::Ok{};
      case Step::kError:
        return statement->internal_error();
    }
  }
}

core::Status select_grants(Connection& connection, const char* sql, std::vector<Grant>& rows) {
  return select_all<Grant>(
      connection, sql,
      [](const Statement& row) {
        return Grant{row.column_int64(0), row.column_int64(1)};
      },
      rows);
}

}  // namespace

core::Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path,
                                                             core::Clock clock,
                                                             bool flush_commits) {
  auto connection = Connection::open(path, flush_commits);
  if (!connection) return connection.take_error();
  std::unique_ptr<SqliteStore> store(new SqliteStore(std::move(*connection), clock));
  if (path != ":memory:") {
    auto checkpointer = Checkpointer::start(path);
    if (!checkpointer) return checkpointer.take_error();
    store->checkpointer_ = std::move(*checkpointer);
    store->checkpointer_->take_over(store->connection_);
  }
  return store;
}

core::Result<std::unique_ptr<SqliteStore>> SqliteStore::open_reader(const std::string& path,
                                                                    core::Clock clock) {
  // A write through it fails instead of taking the writer's lock.
  auto connection = Connection::open_read_only(path);
  if (!connection) return connection.take_error();
  std::unique_ptr<SqliteStore> store(new SqliteStore(std::move(*connection), clock));
  store->reader_ = true;
  return store;
}

core::Status SqliteStore::migrate() {
  if (auto status = apply_migrations(connection_, now()); !status) return status;
  return ensure_default_group();
}

core::Status SqliteStore::ensure_default_group() {
  // Outside the migration so that a database whose group 1 went missing gets it back: keys
  // default to group 1 and a key cannot exist without its group.
  auto statement = connection_.prepare(
      "INSERT OR IGNORE INTO groups (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)");
  if (!statement) return statement.take_error();
  const std::int64_t timestamp = now();
  statement->bind_int64(1, kDefaultGroupId)
      .bind_text(2, "default")
      .bind_int64(3, timestamp)
      .bind_int64(4, timestamp);
  return statement->run();
}

bool SqliteStore::ping() {
  auto statement = connection_.prepare("SELECT 1");
  return statement && statement->step() == Step::kRow;
}

core::Result<CatalogData> SqliteStore::load_catalog() {
  // One read transaction: the snapshot must not pair a new grant with an old model list.
  auto transaction = Transaction::begin_read(connection_);
  if (!transaction) return transaction.take_error();
  CatalogData data;
  const std::string keys = std::string("SELECT ") + kKeyColumns + " FROM api_keys ORDER BY id";
  const std::string groups = std::string("SELECT ") + kGroupColumns + " FROM groups ORDER BY id";
  const std::string models = std::string("SELECT ") + kModelColumns + " FROM models ORDER BY id";
  if (auto status = select_all<KeyRow>(connection_, keys, read_key, data.keys); !status) {
    return status.take_error();
  }
  if (auto status = select_all<GroupRow>(connection_, groups, read_group, data.groups); !status) {
    return status.take_error();
  }
  if (auto status = select_all<ModelRow>(connection_, models, read_model, data.models); !status) {
    return status.take_error();
  }
  if (auto status = select_grants(
          connection_, "SELECT group_id, model_id FROM group_models ORDER BY group_id, model_id",
          data.group_grants);
      !status) {
    return status.take_error();
  }
  if (auto status = select_grants(
          connection_, "SELECT key_id, model_id FROM key_models ORDER BY key_id, model_id",
          data.key_grants);
      !status) {
    return status.take_error();
  }
  if (auto status = transaction->commit(); !status) return status.take_error();
  return data;
}

core::Result<bool> SqliteStore::row_exists(std::string_view sql, std::int64_t id) {
  auto statement = connection_.prepare(sql);
  if (!statement) return statement.take_error();
  statement->bind_int64(1, id);
  switch (statement->step()) {
    case Step::kRow:
      return true;
    case Step::kDone:
      return false;
    case Step::kError:
      break;
  }
  return statement->internal_error();
}

namespace {

core::Status require(core::Result<bool> found, const char* what, std::int64_t id) {
  if (!found) return found.take_error();
  if (!*found)
    return core::Error::not_found(std::string(what) + " " + std::to_string(id) + " not found");
  return core::Ok{};
}

}  // namespace

core::Status SqliteStore::require_group(std::int64_t group_id) {
  return require(row_exists("SELECT 1 FROM groups WHERE id = ?", group_id), "group", group_id);
}

core::Status SqliteStore::require_model(std::int64_t model_id) {
  return require(row_exists("SELECT 1 FROM models WHERE id = ?", model_id), "model", model_id);
}

core::Status SqliteStore::require_key(std::int64_t key_id) {
  return require(row_exists("SELECT 1 FROM api_keys WHERE id = ?", key_id), "api key", key_id);
}

core::Status SqliteStore::require_group_field(std::int64_t group_id) {
  auto status = require_group(group_id);
  if (status) return status;
  // An unknown group is bad input to this call, not a missing resource in the URL.
  core::Error error = status.take_error();
  if (error.kind != core::ErrorKind::kNotFound) return error;
  return core::Error::bad_request(error.message, "group_id");
}

core::Status SqliteStore::delete_row(const char* sql, std::int64_t id,
                                     const std::string& not_found) {
  auto statement = connection_.prepare(sql);
  if (!statement) return statement.take_error();
  statement->bind_int64(1, id);
  if (auto status = statement->run(); !status) return status;
  if (connection_.changes() == 0) return core::Error::not_found(not_found);
  return core::Ok{};
}

}  // namespace store::sqlite
