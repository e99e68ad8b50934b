// PostgresStore: model grants to groups and to keys.

#include <string>

#include "store/postgres/postgres_store.hpp"
#include "store/postgres/query.hpp"
#include "store/postgres/rows.hpp"

namespace store::postgres {

namespace {
// Both grant lists: subjects in ascending id, each subject's newest model first.
core::Result<Page<GrantRow>> list_grants(Connection& connection, const char* subject_column,
                                         const char* from, const GrantFilter& filter) {
  const std::string subject = std::string("g.") + subject_column;
  const std::string columns = subject + ", " + kGrantColumnsAfterSubjectId;
  const std::string order_by = subject + ", g.model_id DESC";
  Conditions conditions;
  if (filter.subject_id) conditions.equals(subject, *filter.subject_id);
  if (filter.model_id) conditions.equals("g.model_id", *filter.model_id);
  conditions.contains({"m.name", "s.name"}, filter.page.q);
  return select_page<GrantRow>(connection, {columns, from, order_by}, conditions, filter.page,
                               read_grant);
}

}  // namespace

core::Status PostgresStore::insert_grant(const char* sql, std::int64_t subject_id,
                                         std::int64_t model_id) {
  auto rows = connection_.exec(sql, Params().int64(subject_id).int64(model_id).int64(now()));
  if (!rows) return rows.take_error();
  return core::Ok{};
}

core::Status PostgresStore::grant_model_to_group(std::int64_t group_id, std::int64_t model_id) {
  auto transaction = Transaction::begin_write(connection_);
  if (!transaction) return transaction.take_error();
  if (auto status = require_group(group_id); !status) return status;
  if (auto status = require_model(model_id); !status) return status;
  if (auto status = insert_grant(kInsertGroupGrant, group_id, model_id); !status) return status;
  if (auto status = notify_catalog_change(); !status) return status;
  return transaction->commit();
}

core::Status PostgresStore::grant_model_to_key(std::int64_t key_id, std::int64_t model_id) {
  auto transaction = Transaction::begin_write(connection_);
  if (!transaction) return transaction.take_error();
  if (auto status = require_key(key_id); !status) return status;
  if (auto status = require_model(model_id); !status) return status;
  if (auto status = insert_grant(kInsertKeyGrant, key_id, model_id); !status) return status;
  if (auto status = notify_catalog_change(); !status) return status;
  return transaction->commit();
}

core::Result<Page<GrantRow>> PostgresStore::list_group_grants(const GrantFilter& filter) {
  return list_grants(connection_, "group_id",
                     "group_models g JOIN groups s ON s.id = g.group_id "
                     "JOIN models m ON m.id = g.model_id",
                     filter);
}

core::Result<Page<GrantRow>> PostgresStore::list_key_grants(const GrantFilter& filter) {
  return list_grants(connection_, "key_id",
                     "key_models g JOIN api_keys s ON s.id = g.key_id "
                     "JOIN models m ON m.id = g.model_id",
                     filter);
}

core::Status PostgresStore::revoke_model_from_group(std::int64_t group_id, std::int64_t model_id) {
  auto transaction = Transaction::begin_write(connection_);
  if (!transaction) return transaction.take_error();
  if (auto status = require_group(group_id); !status) return status;
  if (auto status = require_model(model_id); !status) return status;
  // No row deleted is fine: revoking is idempotent.
  auto rows = connection_.exec("DELETE FROM group_models WHERE group_id = $1 AND model_id = $2",
                               Params().int64(group_id).int64(model_id));
  if (!rows) return rows.take_error();
  if (auto status = notify_catalog_change(); !status) return status;
  return transaction->commit();
}

core::Status PostgresStore::revoke_model_from_key(std::int64_t key_id, std::int64_t model_id) {
  auto transaction = Transaction::begin_write(connection_);
  if (!transaction) return transaction.take_error();
  if (auto status = require_key(key_id); !status) return status;
  if (auto status = require_model(model_id); !status) return status;
  auto rows = connection_.exec("DELETE FROM key_models WHERE key_id = $1 AND model_id = $2",
                               Params().int64(key_id).int64(model_id));
  if (!rows) return rows.take_error();
  if (auto status = notify_catalog_change(); !status) return status;
  return transaction->commit();
}

}  // namespace store::postgres
