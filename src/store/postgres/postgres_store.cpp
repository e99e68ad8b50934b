#include "store/postgres/postgres_store.hpp"

#include <unistd.h>

#include <array>
#include <random>
#include <string>
#include <vector>

#include "store/postgres/migrations.hpp"
#include "store/postgres/rows.hpp"

namespace store::postgres {

namespace {

template <class RowType, class Read>
core::Status select_all(Connection& connection, const std::string& sql, Read read,
                        std::vector<RowType>& out) {
  auto rows = connection.exec(sql);
  if (!rows) return rows.take_error();
  out.reserve(rows->size());
  for (int index = 0; index < rows->size(); ++index) out.push_back(read(Row(*rows, index)));
  return core::Ok{};
}

Grant read_grant_ids(const Row& row) { return Grant{row.int64(0), row.int64(1)}; }

// Outside the migrations, so that a database whose group 1 went missing gets it back: keys
// default to group 1. On a new database the identity sequence has not been used yet; the
// explicit id 1 then marks 1 as used, so that the next group gets 2.
core::Status ensure_default_group(Connection& connection, std::int64_t now) {
  auto inserted = connection.exec(
      "INSERT INTO groups (id, name, created_at, updated_at) VALUES (1, 'default', $1, $1) "
      "ON CONFLICT DO NOTHING",
      Params().int64(now));
  if (!inserted) return inserted.take_error();
  auto sequence = connection.exec(
      "SELECT setval(pg_get_serial_sequence('groups', 'id'), GREATEST(MAX(id), 1)) "
      "FROM groups HAVING (SELECT NOT is_called FROM groups_id_seq)");
  if (!sequence) return sequence.take_error();
  return core::Ok{};
}

std::string make_replica_id() {
  std::array<char, 256> host{};
  if (::gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  std::random_device random;
  const auto token = (static_cast<std::uint64_t>(random()) << 32) | random();
  char suffix[17];
  std::snprintf(suffix, sizeof suffix, "%016llx", static_cast<unsigned long long>(token));
  return std::string(host.data()) + "/" + std::to_string(::getpid()) + "/" + suffix;
}

}  // namespace

const std::string& replica_id() {
  static const std::string id = make_replica_id();
  return id;
}

core::Result<std::unique_ptr<PostgresStore>> PostgresStore::open(const std::string& url,
                                                                 core::Clock clock) {
  auto connection = Connection::open(url);
  if (!connection) return connection.take_error();
  return std::unique_ptr<PostgresStore>(new PostgresStore(std::move(*connection), url, clock));
}

core::Status PostgresStore::migrate() {
  return apply_migrations(connection_, now(), ensure_default_group);
}

bool PostgresStore::ping() {
  auto rows = connection_.exec("SELECT 1");
  return rows.ok();
}

core::Status PostgresStore::notify_catalog_change() {
  auto rows = connection_.exec("SELECT pg_notify($1, $2)",
                               Params().text(kCatalogChannel).text(replica_id()));
  if (!rows) return rows.take_error();
  return core::Ok{};
}

core::Result<CatalogData> PostgresStore::load_catalog() {
  // One snapshot: the catalog must not pair a new grant with an old model list.
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
  if (auto status = select_all<Grant>(
          connection_, "SELECT group_id, model_id FROM group_models ORDER BY group_id, model_id",
          read_grant_ids, data.group_grants);
      !status) {
    return status.take_error();
  }
  if (auto status = select_all<Grant>(
          connection_, "SELECT key_id, model_id FROM key_models ORDER BY key_id, model_id",
          read_grant_ids, data.key_grants);
      !status) {
    return status.take_error();
  }
  if (auto status = transaction->commit(); !status) return status.take_error();
  return data;
}

core::Result<bool> PostgresStore::row_exists(std::string_view sql, std::int64_t id) {
  auto rows = connection_.exec(sql, Params().int64(id));
  if (!rows) return rows.take_error();
  return !rows->empty();
}

namespace {

core::Status require(core::Result<bool> found, const char* what, std::int64_t id) {
  if (!found) return found.take_error();
  if (!*found)
    return core::Error::not_found(std::string(what) + " " + std::to_string(id) + " not found");
  return core::Ok{};
}

}  // namespace

core::Status PostgresStore::require_group(std::int64_t group_id) {
  return require(row_exists("SELECT 1 FROM groups WHERE id = $1", group_id), "group", group_id);
}

core::Status PostgresStore::require_model(std::int64_t model_id) {
  return require(row_exists("SELECT 1 FROM models WHERE id = $1", model_id), "model", model_id);
}

core::Status PostgresStore::require_key(std::int64_t key_id) {
  return require(row_exists("SELECT 1 FROM api_keys WHERE id = $1", key_id), "api key", key_id);
}

core::Status PostgresStore::require_group_field(std::int64_t group_id) {
  auto status = require_group(group_id);
  if (status) return status;
  // An unknown group is bad input to this call, not a missing resource in the URL.
  core::Error error = status.take_error();
  if (error.kind != core::ErrorKind::kNotFound) return error;
  return core::Error::bad_request(error.message, "group_id");
}

core::Status PostgresStore::delete_row(const char* sql, std::int64_t id,
                                       const std::string& not_found) {
  auto transaction = Transaction::begin_write(connection_);
  if (!transaction) return transaction.take_error();
  auto rows = connection_.exec(sql, Params().int64(id));
  if (!rows) return rows.take_error();
  if (rows->affected() == 0) return core::Error::not_found(not_found);
  if (auto status = notify_catalog_change(); !status) return status;
  return transaction->commit();
}

}  // namespace store::postgres
