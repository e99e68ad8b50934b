#pragma once
// The SQLite implementation of store::Store. Methods are split by entity over several .cpp
// files (keys.cpp, models.cpp, grants.cpp); this file's .cpp holds setup and the catalog.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "core/clock.hpp"
#include "store/sqlite/connection.hpp"
#include "store/store.hpp"

namespace store::sqlite {

class SqliteStore final : public Store {
 public:
  // Opens (and creates) the database at `path`, or ":memory:". Does not migrate.
  static core::Result<std::unique_ptr<SqliteStore>> open(const std::string& path,
                                                         core::Clock clock = core::Clock());

  core::Status migrate() override;
  bool ping() override;
  core::Result<CatalogData> load_catalog() override;

  bool has_admin_key() override;
  std::optional<KeyRow> find_key_by_hash(const std::string& key_hash) override;
  core::Result<KeyRow> insert_key(const NewKey& key) override;
  core::Result<ModelRow> insert_model(const NewModel& model) override;
  core::Status grant_model_to_group(std::int64_t group_id, std::int64_t model_id) override;
  core::Status grant_model_to_key(std::int64_t key_id, std::int64_t model_id) override;

  // For tests and diagnostics: the connection this store writes through.
  Connection& connection() { return connection_; }

 private:
  SqliteStore(Connection connection, core::Clock clock)
      : connection_(std::move(connection)), clock_(clock) {}

  std::int64_t now() const { return clock_.unix_seconds(); }
  // True when `sql` (one "?" for the id) returns a row.
  core::Result<bool> row_exists(std::string_view sql, std::int64_t id);
  core::Status require_group(std::int64_t group_id);
  core::Status require_model(std::int64_t model_id);
  core::Status require_key(std::int64_t key_id);
  core::Status ensure_default_group();
  core::Result<KeyRow> select_key(std::int64_t id);
  core::Result<ModelRow> select_model(std::int64_t id);
  core::Status insert_grant(const char* sql, std::int64_t subject_id, std::int64_t model_id);

  Connection connection_;
  core::Clock clock_;
};

}  // namespace store::sqlite
