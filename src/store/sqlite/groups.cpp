// SqliteStore: groups.

#include <string>

#include "store/sqlite/query.hpp"
#include "store/sqlite/rows.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace store::sqlite {

namespace {

core::Error duplicate_group(const std::string& name) {
  return core::Error::conflict("a group named '" + name + "' already exists", "name");
}

}  // namespace

core::Result<GroupRow> SqliteStore::select_group(std::int64_t id) {
  auto statement =
      connection_.prepare(std::string("SELECT ") + kGroupColumns + " FROM groups WHERE id = ?");
  if (!statement) return statement.take_error();
  statement->bind_int64(1, id);
  switch (statement->step()) {
    case Step::kRow:
      return read_group(*statement);
    case Step::kDone:
      return core::Error::not_found("group " + std::to_string(id) + " not found");
    case Step::kError:
      break;
  }
  return statement->internal_error();
}

core::Result<GroupRow> SqliteStore::find_group(std::int64_t id) { return select_group(id); }

core::Result<Page<GroupListRow>> SqliteStore::list_groups(const ListQuery& page) {
  Conditions conditions;
  conditions.contains({"name"}, page.q);
  // model_count: the models granted to the group (not those granted to its keys directly).
  const std::string columns =
      std::string(kGroupColumns) +
      ", (SELECT COUNT(*) FROM api_keys WHERE api_keys.group_id = groups.id)"
      ", (SELECT COUNT(*) FROM group_models WHERE group_models.group_id = groups.id)";
  return select_page<GroupListRow>(
      connection_, {columns, "groups", "id DESC"}, conditions, page, [](const Statement& row) {
        return GroupListRow{read_group(row), row.column_int64(4), row.column_int64(5)};
      });
}

core::Result<GroupRow> SqliteStore::insert_group(const std::string& name) {
  auto transaction = Transaction::begin_write(connection_);
  if (!transaction) return transaction.take_error();
  auto statement =
      connection_.prepare("INSERT INTO groups (name, created_at, updated_at) VALUES (?, ?, ?)");
  if (!statement) return statement.take_error();
  const std::int64_t timestamp = now();
  statement->bind_text(1, name).bind_int64(2, timestamp).bind_int64(3, timestamp);
  if (statement->step() != Step::kDone) {
    if (is_unique_violation(statement->error_code())) return duplicate_group(name);
    return statement->internal_error();
  }
  auto row = select_group(connection_.last_insert_rowid());
  if (!row) return row;
  if (auto status = transaction->commit(); !status) return status.take_error();
  return row;
}

core::Result<GroupRow> SqliteStore::rename_group(std::int64_t id, const std::string& name) {
  auto transaction = Transaction::begin_write(connection_);
  if (!transaction) return transaction.take_error();
  auto current = select_group(id);
  if (!current) return current;
  Assignments changes;
  changes.change("name", std::optional<std::string>(name), current->name);
  if (changes.empty()) return current;
  auto statement = changes.prepare(connection_, "groups", id, now());
  if (!statement) return statement.take_error();
  if (statement->step() != Step::kDone) {
    if (is_unique_violation(statement->error_code())) return duplicate_group(name);
    return statement->internal_error();
  }
  auto row = select_group(id);
  if (!row) return row;
  if (auto status = transaction->commit(); !status) return status.take_error();
  return row;
}

core::Status SqliteStore::delete_group(std::int64_t id, bool force) {
  if (id == kDefaultGroupId) {
    return core::Error::bad_request("the default group cannot be deleted", "id");
  }
  auto transaction = Transaction::begin_write(connection_);
  if (!transaction) return transaction.take_error();
  if (auto status = require_group(id); !status) return status;
  auto count = connection_.prepare("SELECT COUNT(*) FROM api_keys WHERE group_id = ?");
  if (!count) return count.take_error();
  count->bind_int64(1, id);
  if (count->step() != Step::kRow) return count->internal_error();
  const std::int64_t keys = count->column_int64(0);
  if (keys > 0) {
    if (!force) {
      return core::Error::conflict("group " + std::to_string(id) + " still has " +
                                   std::to_string(keys) + (keys == 1 ? " api key" : " api keys") +
                                   "; move them first or delete with force to move them to "
                                   "the default group");
    }
    auto move =
        connection_.prepare("UPDATE api_keys SET group_id = ?, updated_at = ? WHERE group_id = ?");
    if (!move) return move.take_error();
    move->bind_int64(1, kDefaultGroupId).bind_int64(2, now()).bind_int64(3, id);
    if (auto status = move->run(); !status) return status;
  }
  // The group's grants go with it (ON DELETE CASCADE).
  auto remove = connection_.prepare("DELETE FROM groups WHERE id = ?");
  if (!remove) return remove.take_error();
  remove->bind_int64(1, id);
  if (auto status = remove->run(); !status) return status;
  return transaction->commit();
}

}  // namespace store::sqlite
