// PostgresStore: API keys.

#include <string>

#include "store/postgres/postgres_store.hpp"
#include "store/postgres/query.hpp"
#include "store/postgres/rows.hpp"

namespace store::postgres {

namespace {

core::Error duplicate_hash() {
  return core::Error::conflict("an api key with this hash already exists", "api_key");
}

}  // namespace

bool PostgresStore::has_admin_key() {
  auto rows = connection_.exec("SELECT 1 FROM api_keys WHERE role = 'admin' LIMIT 1");
  return rows && !rows->empty();
}

std::optional<KeyRow> PostgresStore::find_key_by_hash(const std::string& key_hash) {
  auto rows =
      connection_.exec(std::string("SELECT ") + kKeyColumns + " FROM api_keys WHERE key_hash = $1",
                       Params().text(key_hash));
  if (!rows || rows->empty()) return std::nullopt;
  return read_key(Row(*rows, 0));
}

core::Result<KeyRow> PostgresStore::select_key(std::int64_t id) {
  auto rows = connection_.exec(
      std::string("SELECT ") + kKeyColumns + " FROM api_keys WHERE id = $1", Params().int64(id));
  if (!rows) return rows.take_error();
  if (rows->empty()) return core::Error::not_found("api key " + std::to_string(id) + " not found");
  return read_key(Row(*rows, 0));
}

core::Result<KeyRow> PostgresStore::insert_key(const NewKey& key) {
  auto transaction = Transaction::begin_write(connection_);
  if (!transaction) return transaction.take_error();
  if (auto status = require_group_field(key.group_id); !status) return status.take_error();
  const std::int64_t timestamp = now();
  auto rows = connection_.exec(
      std::string("INSERT INTO api_keys (name, email, role, group_id, key_hash, key_hint, "
                  "month_quota, balance, created_at, updated_at) "
                  "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING ") +
          kKeyColumns,
      Params()
          .text(key.name)
          .text(key.email)
          .text(to_string(key.role))
          .int64(key.group_id)
          .text(key.key_hash)
          .text(key.key_hint)
          .money(key.month_quota)
          .money(key.balance)
          .int64(timestamp));
  if (!rows) {
    if (connection_.failed_with(kUniqueViolation)) return duplicate_hash();
    return rows.take_error();
  }
  KeyRow row = read_key(Row(*rows, 0));
  if (auto status = notify_catalog_change(); !status) return status.take_error();
  if (auto status = transaction->commit(); !status) return status.take_error();
  return row;
}

core::Result<KeyRow> PostgresStore::find_key(std::int64_t id) { return select_key(id); }

core::Result<Page<KeyListRow>> PostgresStore::list_keys(const KeyFilter& filter) {
  Conditions conditions;
  conditions.contains({"name", "email"}, filter.page.q).contains({"name"}, filter.name);
  if (filter.group_id) conditions.equals("group_id", *filter.group_id);
  if (filter.role) conditions.equals("role", std::string(to_string(*filter.role)));
  // The group name by a subquery rather than a join keeps kKeyColumns unqualified.
  const std::string columns = std::string(kKeyColumns) +
                              ", (SELECT groups.name FROM groups WHERE groups.id = "
                              "api_keys.group_id)";
  return select_page<KeyListRow>(connection_, {columns, "api_keys", "id DESC"}, conditions,
                                 filter.page, [](const Row& row) {
                                   return KeyListRow{read_key(row), row.text(14)};
                                 });
}

core::Result<KeyRow> PostgresStore::update_key(std::int64_t id, const KeyUpdate& update) {
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
  if (auto status = changes.run(connection_, "api_keys", id, now()); !status) {
    return status.take_error();
  }
  auto row = select_key(id);
  if (!row) return row;
  if (auto status = notify_catalog_change(); !status) return status.take_error();
  if (auto status = transaction->commit(); !status) return status.take_error();
  return row;
}

core::Result<KeyRow> PostgresStore::replace_key_hash(std::int64_t id, const std::string& key_hash,
                                                     const std::string& key_hint) {
  auto transaction = Transaction::begin_write(connection_);
  if (!transaction) return transaction.take_error();
  if (auto status = require_key(id); !status) return status.take_error();
  auto rows = connection_.exec(
      std::string("UPDATE api_keys SET key_hash = $1, key_hint = $2, updated_at = $3 "
                  "WHERE id = $4 RETURNING ") +
          kKeyColumns,
      Params().text(key_hash).text(key_hint).int64(now()).int64(id));
  if (!rows) {
    if (connection_.failed_with(kUniqueViolation)) return duplicate_hash();
    return rows.take_error();
  }
  KeyRow row = read_key(Row(*rows, 0));
  if (auto status = notify_catalog_change(); !status) return status.take_error();
  if (auto status = transaction->commit(); !status) return status.take_error();
  return row;
}

core::Status PostgresStore::delete_key(std::int64_t id) {
  // One statement: the foreign keys cascade to key_models, payments and reservations.
  return delete_row("DELETE FROM api_keys WHERE id = $1", id,
                    "api key " + std::to_string(id) + " not found");
}

}  // namespace store::postgres
