#pragma once
// The SQLite implementation of store::Store. Methods are split by entity over several .cpp
// files (keys.cpp, payments.cpp, models.cpp, groups.cpp, grants.cpp, bots.cpp, charges.cpp,
// threads.cpp, sessions.cpp, statistics.cpp, bot_events.cpp); this file's .cpp holds setup,
// the catalog and the shared existence checks. Every multi-statement change runs in one
// write transaction (BEGIN IMMEDIATE).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/clock.hpp"
#include "store/sqlite/checkpointer.hpp"
#include "store/sqlite/connection.hpp"
#include "store/store.hpp"

namespace store::sqlite {

// Grant inserts for SqliteStore::insert_grant: (subject id, model id, created_at); OR IGNORE
// makes a repeated grant a no-op rather than a conflict (SPEC: idempotent).
inline constexpr const char* kInsertGroupGrant =
    "INSERT OR IGNORE INTO group_models (group_id, model_id, created_at) VALUES (?, ?, ?)";
inline constexpr const char* kInsertKeyGrant =
    "INSERT OR IGNORE INTO key_models (key_id, model_id, created_at) VALUES (?, ?, ?)";

class SqliteStore final : public Store {
 public:
  // Opens (and creates) the database at `path`, or ":memory:". Does not migrate.
  // flush_commits: see Connection::open.
  static core::Result<std::unique_ptr<SqliteStore>> open(const std::string& path,
                                                         core::Clock clock = core::Clock(),
                                                         bool flush_commits = true);
  // A second, query-only connection to the database file at `path`, which a writer has
  // created and migrated: reads through it never wait behind the writer's transactions
  // (WAL). It does not index records for search; the writer's prepare_search does.
  static core::Result<std::unique_ptr<SqliteStore>> open_reader(const std::string& path,
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

  // keys.cpp
  core::Result<KeyRow> find_key(std::int64_t id) override;
  core::Result<Page<KeyListRow>> list_keys(const KeyFilter& filter) override;
  core::Result<KeyRow> update_key(std::int64_t id, const KeyUpdate& update) override;
  core::Result<KeyRow> replace_key_hash(std::int64_t id, const std::string& key_hash,
                                        const std::string& key_hint) override;
  core::Status delete_key(std::int64_t id) override;

  // payments.cpp
  core::Result<Recharge> recharge_key(std::int64_t id, core::Money amount,
                                      std::optional<std::int64_t> admin_key_id) override;
  core::Result<Page<PaymentRow>> list_payments(std::optional<std::int64_t> key_id,
                                               const ListQuery& page) override;

  // models.cpp
  core::Result<ModelRow> find_model(std::int64_t id) override;
  core::Result<Page<ModelRow>> list_models(const ModelFilter& filter) override;
  core::Result<ModelRow> update_model(std::int64_t id, const ModelUpdate& update) override;
  core::Status delete_model(std::int64_t id) override;

  // groups.cpp
  core::Result<GroupRow> find_group(std::int64_t id) override;
  core::Result<Page<GroupListRow>> list_groups(const ListQuery& page) override;
  core::Result<GroupRow> insert_group(const std::string& name) override;
  core::Result<GroupRow> rename_group(std::int64_t id, const std::string& name) override;
  core::Status delete_group(std::int64_t id, bool force) override;

  // grants.cpp
  core::Result<Page<GrantRow>> list_group_grants(const GrantFilter& filter) override;
  core::Result<Page<GrantRow>> list_key_grants(const GrantFilter& filter) override;
  core::Status revoke_model_from_group(std::int64_t group_id, std::int64_t model_id) override;
  core::Status revoke_model_from_key(std::int64_t key_id, std::int64_t model_id) override;

  // bots.cpp
  core::Result<Page<BotRow>> list_bots(const ListQuery& page) override;
  core::Result<BotRow> find_bot(std::int64_t id) override;
  std::optional<BotRow> find_bot_by_app_id(const std::string& app_id) override;
  core::Result<BotRow> insert_bot(const BotRow& bot) override;
  core::Result<BotRow> update_bot(std::int64_t id, const BotUpdate& update) override;
  core::Status delete_bot(std::int64_t id) override;

  // charges.cpp
  core::Status apply_charges(const std::vector<Charge>& charges) override;

  // threads.cpp
  core::Status insert_threads(const std::vector<NewThread>& threads) override;
  core::Result<Page<ThreadRow>> list_threads(const RecordFilter& filter) override;
  core::Result<ThreadRow> find_thread(std::int64_t id, std::optional<std::int64_t> key_id) override;
  // sessions.cpp
  core::Result<Page<SessionRow>> list_sessions(const RecordFilter& filter) override;
  core::Result<SessionDetail> find_session(std::int64_t id,
                                           std::optional<std::int64_t> key_id) override;
  // statistics.cpp
  core::Result<Statistics> statistics(std::int64_t month_start) override;
  // threads.cpp
  core::Status prepare_search() override;
  // bot_events.cpp
  core::Result<bool> claim_bot_events(std::int64_t bot_id, const std::vector<std::string>& ids,
                                      std::int64_t keep_seconds) override;
  core::Result<std::vector<ChatTurn>> recent_turns(std::int64_t key_id,
                                                   const std::string& session_key,
                                                   std::int64_t limit) override;

  // Chat records waiting for the search index are indexed once this many wait (or before a
  // search): see index_for_search.
  static constexpr std::int64_t kIndexBatch = 512;

  // For tests: the thread that checkpoints the write-ahead log (null for ":memory:").
  Checkpointer* checkpointer() { return checkpointer_.get(); }

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
  // require_group for a group named in a request body: unknown is 400 "group_id".
  core::Status require_group_field(std::int64_t group_id);
  core::Status ensure_default_group();
  core::Result<KeyRow> select_key(std::int64_t id);
  core::Result<ModelRow> select_model(std::int64_t id);
  core::Result<GroupRow> select_group(std::int64_t id);
  core::Result<BotRow> select_bot(std::int64_t id);
  // `sql` inserts (subject id, model id, created_at) and ignores a repeat.
  core::Status insert_grant(const char* sql, std::int64_t subject_id, std::int64_t model_id);
  // Runs a DELETE of one row by id ("?"); no row deleted is `not_found`.
  core::Status delete_row(const char* sql, std::int64_t id, const std::string& not_found);

  // threads.cpp: chat records enter the search index in bulk, once kIndexBatch rows wait
  // or before a search; search_index_state keeps how far the index reaches.
  // Inside a write transaction: indexes the waiting rows when there are at least `min_rows`.
  core::Status index_for_search(std::int64_t min_rows);
  // Its own transaction, when rows wait: a search then sees every stored record.
  core::Status catch_up_search_index();

  // Declared before connection_, so destroyed after it: the writer closes first.
  std::unique_ptr<Checkpointer> checkpointer_;  // null for ":memory:"
  Connection connection_;
  core::Clock clock_;
  bool reader_ = false;  // opened by open_reader
};

}  // namespace store::sqlite
