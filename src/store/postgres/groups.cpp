// PostgresStore: groups.

#include <string>

#include "store/postgres/postgres_store.hpp"
#include "store/postgres/query.hpp"
#include "store/postgres/rows.hpp"

namespace store::postgres {

namespace {

core::Error duplicate_group(const std::string& name) {
  return core::Error::conflict("a group named '" + name + "' already exists", "name");
}

}  // namespace

core::Result<GroupRow> PostgresStore::select_group(std::int64_t id) {
  auto rows = connection_.exec(
      std::string("SELECT ") + kGroupColumns + " FROM groups WHERE id = $1", Params().int64(id));
  if (!rows) return rows.take_error();
  if (rows->empty()) return core::Error::not_found("group " + std::to_string(id) + " not found");
  return read_group(Row(*rows, 0));
}

core::Result<GroupRow> PostgresStore::find_group(std::int64_t id) { return select_group(id); }

core::Result<Page<GroupListRow>> PostgresStore::list_groups(const ListQuery& page) {
  Conditions conditions;
  conditions.contains({"name"}, page.q);
  // model_count: the models granted to the group (not those granted to its keys directly).
  const std::string columns =
      std::string(kGroupColumns) +
      ", (SELECT COUNT(*) FROM api_keys WHERE api_keys.group_id = groups.id)"
      ", (SELECT COUNT(*) FROM group_models WHERE group_models.group_id = groups.id)";
  return select_page<GroupListRow>(
      connection_, {columns, "groups", "id DESC"}, conditions, page, [](const Row& row) {
        return GroupListRow{read_group(row), row.int64(4), row.int64(5)};
      });
}

core::Result<GroupRow> PostgresStore::insert_group(const std::string& name) {
  auto transaction = Transaction::begin_write(connection_);
  if (!transaction) return transaction.take_error();
  const std::int64_t timestamp = now();
  auto rows = connection_.exec(std::string("INSERT INTO groups (name, created_at, updated_at) "
                                           "VALUES ($1, $2, $2) RETURNING ") +
                                   kGroupColumns,
                               Params().text(name).int64(timestamp));
  if (!rows) {
    if (connection_.failed_with(kUniqueViolation)) return duplicate_group(name);
    return rows.take_error();
  }
  GroupRow row = read_group(Row(*rows, 0));
  if (auto status = notify_catalog_change(); !status) return status.take_error();
  if (auto status = transaction->commit(); !status) return status.take_error();
  return row;
}

core::Result<GroupRow> PostgresStore::rename_group(std::int64_t id, const std::string& name) {
  auto transaction = Transaction::begin_write(connection_);
  if (!transaction) return transaction.take_error();
  auto current = select_group(id);
  if (!current) return current;
  Assignments changes;
  changes.change("name", std::optional<std::string>(name), current->name);
  if (changes.empty()) return current;
  if (auto status = changes.run(connection_, "groups", id, now()); !status) {
    if (connection_.failed_with(kUniqueViolation)) return duplicate_group(name);
    return status.take_error();
  }
  auto row = select_group(id);
  if (!row) return row;
  if (auto status = notify_catalog_change(); !status) return status.take_error();
  if (auto status = transaction->commit(); !status) return status.take_error();
  return row;
}

core::Status PostgresStore::delete_group(std::int64_t id, bool force) {
  if (id == kDefaultGroupId) {
    return core::Error::bad_request("the default group cannot be deleted", "id");
  }
  auto transaction = Transaction::begin_write(connection_);
  if (!transaction) return transaction.take_error();
  if (auto status = require_group(id); !status) return status;
  auto count =
      connection_.exec("SELECT COUNT(*) FROM api_keys WHERE group_id = $1", Params().int64(id));
  if (!count) return count.take_error();
  const std::int64_t keys = count->int64(0, 0);
  if (keys > 0) {
    if (!force) {
      return core::Error::conflict("group " + std::to_string(id) + " still has " +
                                   std::to_string(keys) + (keys == 1 ? " api key" : " api keys") +
                                   "; move them first or delete with force to move them to "
                                   "the default group");
    }
    auto moved =
        connection_.exec("UPDATE api_keys SET group_id = $1, updated_at = $2 WHERE group_id = $3",
                         Params().int64(kDefaultGroupId).int64(now()).int64(id));
    if (!moved) return moved.take_error();
  }
  // The group's grants go with it (ON DELETE CASCADE).
  auto removed = connection_.exec("DELETE FROM groups WHERE id = $1", Params().int64(id));
  if (!removed) return removed.take_error();
  if (auto status = notify_catalog_change(); !status) return status;
  return transaction->commit();
}

}  // namespace store::postgres
