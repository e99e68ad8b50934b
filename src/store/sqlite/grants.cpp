// SqliteStore: model grants to groups and to keys.

#include "store/sqlite/sqlite_store.hpp"

namespace store::sqlite {

core::Status SqliteStore::insert_grant(const char* sql, std::int64_t subject_id,
                                       std::int64_t model_id) {
  auto statement = connection_.prepare(sql);
  if (!statement) return statement.take_error();
  statement->bind_int64(1, subject_id).bind_int64(2, model_id);
  return statement->run();
}

core::Status SqliteStore::grant_model_to_group(std::int64_t group_id, std::int64_t model_id) {
  // The checks and the insert share the write lock, so neither row can vanish in between.
  auto transaction = Transaction::begin_write(connection_);
  if (!transaction) return transaction.take_error();
  if (auto status = require_group(group_id); !status) return status;
  if (auto status = require_model(model_id); !status) return status;
  // OR IGNORE makes a repeated grant a no-op rather than a conflict (SPEC: idempotent).
  if (auto status =
          insert_grant("INSERT OR IGNORE INTO group_models (group_id, model_id) VALUES (?, ?)",
                       group_id, model_id);
      !status) {
    return status;
  }
  return transaction->commit();
}

core::Status SqliteStore::grant_model_to_key(std::int64_t key_id, std::int64_t model_id) {
  auto transaction = Transaction::begin_write(connection_);
  if (!transaction) return transaction.take_error();
  if (auto status = require_key(key_id); !status) return status;
  if (auto status = require_model(model_id); !status) return status;
  if (auto status = insert_grant(
          "INSERT OR IGNORE INTO key_models (key_id, model_id) VALUES (?, ?)", key_id, model_id);
      !status) {
    return status;
  }
  return transaction->commit();
}

}  // namespace store::sqlite
