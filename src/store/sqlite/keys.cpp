// SqliteStore: API keys.

#include <string>

#include "store/sqlite/query.hpp"
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
  if (auto status = require_group_field(key.group_id); !status) return status.take_error();
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

core::Result<KeyRow> SqliteStore::find_key(std::int64_t id) { return select_key(id); }

core::Result<Page<KeyListRow>> SqliteStore::list_keys(const KeyFilter& filter) {
  Conditions conditions;
  conditions.contains({"name", "email"}, filter.page.q).contains({"name"}, filter.name);
  if (filter.group_id) conditions.equals("group_id", *filter.group_id);
  if (filter.role) conditions.equals("role", std::string(to_string(*filter.role)));
  // The group name by a subquery rather than a join keeps kKeyColumns unqualified.
  const std::string columns = std::string(kKeyColumns) +
                              ", (SELECT groups.name FROM groups WHERE groups.id = "
                              "api_keys.group_id)";
  return select_page<KeyListRow>(connection_, {columns, "api_keys", "id DESC"}, conditions,
                                 filter.page, [](const Statement& row) {
                                   return KeyListRow{read_key(row), row.column_text(14)};
                                 });
}

core::Result<KeyRow> SqliteStore::update_key(std::int64_t id, const KeyUpdate& update) {
  auto transaction = Transaction::begin_write(connection_);
  if (!transaction) return transaction.take_error();
  auto current = select_key(id);
  if (!current) return current;
  Assignments changes;
  changes.change("name", update.name, current->name);
  changes.change("email", update.email, current->email);
  changes.change("group_id", update.group_id, current->group_id);
  changes.change("role", update.role, current->role);
  changes.change("month_quota", update.month_quota, current->month_quota);
  if (changes.empty()) return current;  // the transaction rolls back: nothing was written
  if (update.group_id) {
    if (auto status = require_group_field(*update.group_id); !status) return status.take_error();
  }
  auto statement = changes.prepare(connection_, "api_keys", id, now());
  if (!statement) return statement.take_error();
  if (auto status = statement->run(); !status) return status.take_error();
  auto row = select_key(id);
  if (!row) return row;
  if (auto status = transaction->commit(); !status) return status.take_error();
  return row;
}

core::Result<KeyRow> SqliteStore::replace_key_hash(std::int64_t id, const std::string& key_hash,
                                                   const std::string& key_hint) {
  auto transaction = Transaction::begin_write(connection_);
  if (!transaction) return transaction.take_error();
  if (auto status = require_key(id); !status) return status.take_error();
  auto statement = connection_.prepare(
      "UPDATE api_keys SET key_hash = ?, key_hint = ?, updated_at = ? WHERE id = ?");
  if (!statement) return statement.take_error();
  statement->bind_text(1, key_hash).bind_text(2, key_hint).bind_int64(3, now()).bind_int64(4, id);
  if (statement->step() != Step::kDone) {
    if (is_unique_violation(statement->error_code())) {
      return core::Error::conflict("an api key with this hash already exists", "api_key");
    }
    return statement->internal_error();
  }
  auto row = select_key(id);
  if (!row) return row;
  if (auto status = transaction->commit(); !status) return status.take_error();
  return row;
}

core::Status SqliteStore::delete_key(std::int64_t id) {
  // One statement: the foreign keys cascade to key_models and payments within it.
  return delete_row("DELETE FROM api_keys WHERE id = ?", id,
                    "api key " + std::to_string(id) + " not found");
}

}  // namespace store::sqlite
