#pragma once
// The PostgreSQL implementation of store::Store (SPEC 11): the same behaviour as SqliteStore
// (errors, messages, ordering, paging, search), for any number of gateways on one database.
// Methods are split by entity over several .cpp files as in store/sqlite/; this file's .cpp
// holds setup, the catalog and the shared existence checks.
//
// What several gateways need beyond SQLite:
// - admin writes take one advisory lock (Transaction::begin_write), so that they run one at
//   a time across gateways, as SQLite's single writer runs them;
// - writes that change keys, models, groups, grants or bots send NOTIFY llmgate_catalog in
//   their transaction; watch_changes (change_watch.cpp) LISTENs for it;
// - money is reserved in the database (reservations.cpp): see docs/billing.md.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/clock.hpp"
#include "store/postgres/connection.hpp"
#include "store/store.hpp"

namespace store::postgres {

// Grant inserts for PostgresStore::insert_grant: ($1 subject id, $2 model id, $3 created_at);
// a repeated grant is a no-op rather than a conflict (SPEC: idempotent).
inline constexpr const char* kInsertGroupGrant =
    "INSERT INTO group_models (group_id, model_id, created_at) VALUES ($1, $2, $3) "
    "ON CONFLICT DO NOTHING";
inline constexpr const char* kInsertKeyGrant =
    "INSERT INTO key_models (key_id, model_id, created_at) VALUES ($1, $2, $3) "
    "ON CONFLICT DO NOTHING";

// The channel of catalog changes; the payload is the replica that made the change.
inline constexpr const char* kCatalogChannel = "llmgate_catalog";

// This process's name among the gateways on the database: host, pid and a random part, so
// that a restarted gateway is a new replica. The same for every PostgresStore of a process.
const std::string& replica_id();

class PostgresStore final : public Store {
 public:
  // Connects to `url` (postgresql://...). Does not migrate.
  static core::Result<std::unique_ptr<PostgresStore>> open(const std::string& url,
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
  // bot_events.cpp
  core::Result<bool> claim_bot_events(std::int64_t bot_id, const std::vector<std::string>& ids,
                                      std::int64_t keep_seconds) override;
  core::Result<std::vector<ChatTurn>> recent_turns(std::int64_t key_id,
                                                   const std::string& session_key,
                                                   std::int64_t limit) override;

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

  // reservations.cpp
  bool shared() const override { return true; }
  core::Result<std::optional<std::int64_t>> reserve(std::int64_t key_id, core::Money amount,
                                                    const std::string& month) override;
  core::Status release_reservations(const std::vector<std::int64_t>& reservation_ids) override;
  core::Status settle_charges(std::vector<Charge>& charges) override;

  // change_watch.cpp: LISTEN on a connection of its own. While it runs it also announces
  // this gateway (replicas.seen_at) and gives back the reservations of gateways that
  // stopped announcing themselves; when it stops, it gives back this gateway's own.
  std::unique_ptr<ChangeWatch> watch_changes(std::function<void()> on_change) override;

  // For tests and diagnostics: the connection this store works through.
  Connection& connection() { return connection_; }

 private:
  PostgresStore(Connection connection, std::string url, core::Clock clock)
      : connection_(std::move(connection)), url_(std::move(url)), clock_(clock) {}

  std::int64_t now() const { return clock_.unix_seconds(); }
  // Inside a write transaction: other gateways reload their catalog once it commits.
  core::Status notify_catalog_change();
  // True when `sql` (one $1 for the id) returns a row.
  core::Result<bool> row_exists(std::string_view sql, std::int64_t id);
  core::Status require_group(std::int64_t group_id);
  core::Status require_model(std::int64_t model_id);
  core::Status require_key(std::int64_t key_id);
  // require_group for a group named in a request body: unknown is 400 "group_id".
  core::Status require_group_field(std::int64_t group_id);
  core::Result<KeyRow> select_key(std::int64_t id);
  core::Result<ModelRow> select_model(std::int64_t id);
  core::Result<GroupRow> select_group(std::int64_t id);
  core::Result<BotRow> select_bot(std::int64_t id);
  // `sql` inserts ($1 subject id, $2 model id, $3 created_at) and ignores a repeat.
  core::Status insert_grant(const char* sql, std::int64_t subject_id, std::int64_t model_id);
  // Deletes one row by id ($1) in an admin write that notifies; none deleted is `not_found`.
  core::Status delete_row(const char* sql, std::int64_t id, const std::string& not_found);

  Connection connection_;
  std::string url_;
  core::Clock clock_;
};

}  // namespace store::postgres
