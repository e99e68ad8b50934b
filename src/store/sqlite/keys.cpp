// SqliteStore: API keys.

#include <string>

#include "store/sqlite/rows.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace store::sqlite {

bool SqliteStore::has_admin_key() {
  auto statement = connection_.prepare("SELECT 1 FROM api_keys WHERE role = 'admin' LIMIT 1");
  return statement && statement->step() == Step::kRow;
}

std::optional<KeyRow> SqliteStore::find_key_by_hash(const std::string& key_hash) {
  auto statement = connection_.prepare(std::string("SELECT ") + kKeyColumns +
                                       " FROM api_keys WHERE key_hash = ?");
  if (!statement) return std::nullopt;
  statement->bind_text(1, key_hash);
  if (statement->step() != Step::kRow) return std::nullopt;
  return read_key(*statement);
}

core::Result<KeyRow> SqliteStore::select_key(std::int64_t id) {
  auto statement =
      connection_.prepare(std::string("SELECT ") + kKeyColumns + " FROM api_keys WHERE id = ?");
  if (!statement) return statement.take_error();
  statement->bind_int64(1, id);
  switch (statement->step()) {
    case Step::kRow:
      return read_key(*statement);
    case Step::kDone:
      return core::Error::not_found("api key " + std::to_string(id) + " not found");
    case Step::kError:
      break;
  }
  return statement->internal_error();
}

core::Result<KeyRow> SqliteStore::insert_key(const NewKey& key) {
  auto transaction = Transaction::begin_write(connection_);
  if (!transaction) return transaction.take_error();
  if (auto status = require_group(key.group_id); !status) {
    // An unknown group is bad input to this call, not a missing resource in the URL.
    core::Error error = status.take_error();
    if (error.kind != core::ErrorKind::kNotFound) return error;
    return core::Error::bad_request(error.message, "group_id");
  }
  auto statement = connection_.prepare(
      "INSERT INTO api_keys (name, email, role, group_id, key_hash, key_hint, month_quota, "
      "balance, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!statement) return statement.take_error();
  const std::int64_t timestamp = now();
  statement->bind_text(1, key.name)
      .bind_text(2, key.email)
      .bind_text(3, to_string(key.role))
      .bind_int64(4, key.group_id)
      .bind_text(5, key.key_hash)
      .bind_text(6, key.key_hint)
      .bind_money(7, key.month_quota)
      .bind_money(8, key.balance)
      .bind_int64(9, timestamp)
      .bind_int64(10, timestamp);
  if (statement->step() != Step::kDone) {
    if (is_unique_violation(statement->error_code())) {
      return core::Error::conflict("an api key with this hash already exists", "api_key");
    }
    return statement->internal_error();
  }
  auto row = select_key(connection_.last_insert_rowid());
  if (!row) return row;
  if (auto status = transaction->commit(); !status) return status.take_error();
  return row;
}

}  // namespace store::sqlite
