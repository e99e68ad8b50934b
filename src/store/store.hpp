#pragma once
// The storage interface. Implementations are synchronous; callers run them on a
// store::Worker thread so that no I/O thread ever waits on the database.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/money.hpp"
#include "core/result.hpp"

namespace store {

enum class Role { kUser, kAdmin };
const char* to_string(Role role);
std::optional<Role> role_from_string(std::string_view text);

inline constexpr std::int64_t kDefaultGroupId = 1;

struct KeyRow {
  std::int64_t id = 0;
  std::string name;
  std::string email;
  Role role = Role::kUser;
  std::int64_t group_id = kDefaultGroupId;
  std::string key_hash;  // hex SHA-256 of the plain key
  std::string key_hint;  // the masked form, "br-AbCd…wXyZ"
  core::Money month_quota;
  core::Money month_fee;
  core::Money balance;
  core::Money total_fee;
  std::string fee_month;        // "2026-11": the month month_fee belongs to
  std::int64_t created_at = 0;  // unix seconds
  std::int64_t updated_at = 0;
};

struct GroupRow {
  std::int64_t id = 0;
  std::string name;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

struct ModelRow {
  std::int64_t id = 0;
  std::string name;       // what clients send as "model"; unique
  std::string provider;   // e.g. "openai-compatible"
  std::string config;     // JSON object text, secrets in clear (masking is the API's job)
  core::Money price_in;   // per one million input tokens
  core::Money price_out;  // per one million output tokens
  bool multiple = false;  // accepts images
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

struct Grant {
  std::int64_t subject_id = 0;  // group id or key id
  std::int64_t model_id = 0;
};

// Everything the in-memory catalog is built from.
struct CatalogData {
  std::vector<KeyRow> keys;
  std::vector<GroupRow> groups;
  std::vector<ModelRow> models;
  std::vector<Grant> group_grants;
  std::vector<Grant> key_grants;
};

struct NewKey {
  std::string name;
  std::string email;
  Role role = Role::kUser;
  std::int64_t group_id = kDefaultGroupId;
  std::string key_hash;
  std::string key_hint;
  core::Money month_quota;
  core::Money balance;
};

struct NewModel {
  std::string name;
  std::string provider;
  std::string config;
  core::Money price_in;
  core::Money price_out;
  bool multiple = false;
  std::optional<std::int64_t> group_id;  // also grant the model to this group
};

// ---- Issue 3: the rest of the admin API -------------------------------------------------

// A page of a list: `limit`/`offset` applied, `total` counts every row that matched; when
// total_exact is false, it is a lower bound (the record lists count only so far: docs/api.md).
template <class Row>
struct Page {
  std::vector<Row> items;
  std::int64_t total = 0;
  bool total_exact = true;
};

// Common list parameters. `q` is a case-insensitive substring over the entity's text
// fields; empty means no filter. Ordering is stable: newest (highest id) first.
struct ListQuery {
  std::string q;
  std::int64_t limit = 20;
  std::int64_t offset = 0;
};

struct KeyFilter {
  ListQuery page;
  std::string name;  // case-insensitive substring of the name; empty: any
  std::optional<std::int64_t> group_id;
  std::optional<Role> role;
};

struct KeyListRow {
  KeyRow key;
  std::string group_name;
};

// Only the fields that are set change.
struct KeyUpdate {
  std::optional<std::string> name;
  std::optional<std::string> email;
  std::optional<std::int64_t> group_id;
  std::optional<Role> role;
  std::optional<core::Money> month_quota;
};

struct PaymentRow {
  std::int64_t id = 0;
  std::int64_t key_id = 0;
  std::string key_name;
  core::Money amount;
  core::Money balance_after;
  std::optional<std::int64_t> admin_key_id;  // the admin who recharged
  std::string admin_key_name;
  std::int64_t created_at = 0;
};

struct Recharge {
  KeyRow key;  // after the recharge
  PaymentRow payment;
};

struct ModelFilter {
  ListQuery page;
  std::string provider;  // exact; empty: any
};

struct ModelUpdate {
  std::optional<std::string> name;
  std::optional<std::string> provider;
  std::optional<std::string> config;
  std::optional<core::Money> price_in;
  std::optional<core::Money> price_out;
  std::optional<bool> multiple;
  std::optional<std::int64_t> group_id;  // also grant the model to this group
};

struct GroupListRow {
  GroupRow group;
  std::int64_t key_count = 0;
  std::int64_t model_count = 0;
};

// A grant with the names that make it readable.
struct GrantRow {
  std::int64_t subject_id = 0;  // group or key id
  std::string subject_name;
  std::int64_t model_id = 0;
  std::string model_name;
  std::string provider;
  std::int64_t created_at = 0;
};

struct GrantFilter {
  ListQuery page;  // q: model name or subject name
  std::optional<std::int64_t> subject_id;
  std::optional<std::int64_t> model_id;
};

struct BotRow {
  std::int64_t id = 0;
  std::string name;
  std::string provider;  // informational label
  std::string app_id;    // unique; config.appId
  std::string config;    // JSON object text, secrets in clear
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

struct BotUpdate {
  std::optional<std::string> name;
  std::optional<std::string> provider;
  std::optional<std::string> app_id;
  std::optional<std::string> config;
};

// ---- Issue 4: money ------------------------------------------------------------------

// One request's charge, as the ledger split it. Applied as deltas so that it composes with
// recharges: month_fee restarts at from_allowance when the stored month is not `month`.
struct Charge {
  std::int64_t key_id = 0;
  std::string month;  // "2026-11", in LLMGATE_TIMEZONE
  core::Money from_allowance;
  core::Money from_balance;
  core::Money cost;  // from_allowance + from_balance
  // Issue 8: the database reservation this charge ends (shared stores); 0 when none.
  std::int64_t reservation_id = 0;
};

// ---- Issue 5: chat records ------------------------------------------------------------

// One request, as recorded. Text fields are empty when LLMGATE_STORE_CONTENT=false.
struct NewThread {
  std::int64_t key_id = 0;
  // The conversation: "h:<Session-Id header>" or "o:<hash of system prompt + first user
  // message>", always scoped by key_id. Sessions are created on first use.
  std::string session_key;
  std::string session_title;  // the first user message, cut to 64 characters
  std::string request_id;
  std::string model;
  std::string prompt;        // the last user message as text
  std::string completion;    // the answer's text
  std::string tool_calls;    // JSON array text of the answer's tool calls, "" when none
  std::string whole_prompt;  // all messages, JSON
  std::int64_t tokens_in = 0;
  std::int64_t tokens_out = 0;
  std::int64_t cached_tokens = 0;
  std::int64_t reasoning_tokens = 0;
  bool usage_estimated = false;
  core::Money price_in;
  core::Money price_out;
  core::Money fee;
  std::int64_t first_byte_latency_ms = 0;
  std::int64_t latency_ms = 0;
  bool stream = false;
  std::string status;  // "ok" | "error" | "cancelled"
  std::string error;
  std::int64_t created_at = 0;  // unix seconds (LLMGATE_CLOCK_OFFSET applied)
};

struct ThreadRow {
  std::int64_t id = 0;
  std::int64_t session_id = 0;
  NewThread thread;  // session_key and session_title are those of its session
};

struct SessionRow {
  std::int64_t id = 0;
  std::int64_t key_id = 0;
  std::string key_name;
  std::string title;
  std::int64_t total_in_tokens = 0;
  std::int64_t total_out_tokens = 0;
  core::Money total_fee;
  std::int64_t thread_count = 0;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

// q: full-text over session titles, prompts and completions (words, not substrings).
struct RecordFilter {
  ListQuery page;
  std::optional<std::int64_t> key_id;      // the caller's key for /user, a filter for /admin
  std::optional<std::int64_t> session_id;  // threads only
};

struct SessionDetail {
  SessionRow session;
  std::vector<ThreadRow> threads;  // oldest first
};

struct ModelStatistics {
  std::string model;
  std::int64_t requests = 0;
  std::int64_t tokens_in = 0;
  std::int64_t tokens_out = 0;
  core::Money fee;
};

struct Statistics {
  std::int64_t keys = 0;
  std::int64_t active_keys_this_month = 0;  // keys with a thread since month_start
  core::Money spend_this_month;
  core::Money spend_total;
  std::int64_t requests_this_month = 0;
  std::int64_t requests_total = 0;
  std::int64_t tokens_in_this_month = 0;
  std::int64_t tokens_out_this_month = 0;
  std::int64_t tokens_in_total = 0;
  std::int64_t tokens_out_total = 0;
  std::vector<ModelStatistics> models_this_month;  // by fee, highest first
  std::vector<ModelStatistics> models_total;

  // Sets the all-time totals to the sums of models_total: the threads are scanned once for
  // both.
  void total_up_models() {
    requests_total = tokens_in_total = tokens_out_total = 0;
    std::int64_t fee_nanos = 0;
    for (const auto& model : models_total) {
      requests_total += model.requests;
      tokens_in_total += model.tokens_in;
      tokens_out_total += model.tokens_out;
      fee_nanos += model.fee.nanos();
    }
    spend_total = core::Money::from_nanos(fee_nanos);
  }
};

// ---- Issue 7: Feishu bot ---------------------------------------------------------------

// One earlier exchange of a conversation, for the bot's context.
struct ChatTurn {
  std::string prompt;
  std::string completion;
};

// ---- Issue 8: several gateways on one database (PostgreSQL) -------------------------------

// A running watch_changes; destroying it ends the watch (and, for PostgreSQL, this gateway's
// presence: see PostgresStore).
class ChangeWatch {
 public:
  virtual ~ChangeWatch() = default;
};

class Store {
 public:
  virtual ~Store() = default;

  // Creates or upgrades the schema to the newest version; creates group 1 "default".
  virtual core::Status migrate() = 0;
  // A trivial query: true when the database answers.
  virtual bool ping() = 0;
  virtual core::Result<CatalogData> load_catalog() = 0;

  virtual bool has_admin_key() = 0;
  virtual std::optional<KeyRow> find_key_by_hash(const std::string& key_hash) = 0;
  // Errors: unknown group (kBadRequest, field "group_id"), duplicate hash (kConflict).
  virtual core::Result<KeyRow> insert_key(const NewKey& key) = 0;
  // Errors: duplicate name (kConflict, field "name"); unknown group_id (kBadRequest).
  // Inserting the model and its optional group grant is one transaction.
  virtual core::Result<ModelRow> insert_model(const NewModel& model) = 0;
  // Idempotent. Errors: unknown group/key or model (kNotFound naming which).
  virtual core::Status grant_model_to_group(std::int64_t group_id, std::int64_t model_id) = 0;
  virtual core::Status grant_model_to_key(std::int64_t key_id, std::int64_t model_id) = 0;

  // Keys. Unknown ids are kNotFound ("api key 9 not found").
  virtual core::Result<KeyRow> find_key(std::int64_t id) = 0;
  virtual core::Result<Page<KeyListRow>> list_keys(const KeyFilter& filter) = 0;
  // Errors: unknown id (404), unknown group (400 "group_id").
  virtual core::Result<KeyRow> update_key(std::int64_t id, const KeyUpdate& update) = 0;
  // Adds `amount` to the balance and writes the payment row, in one transaction.
  virtual core::Result<Recharge> recharge_key(std::int64_t id, core::Money amount,
                                              std::optional<std::int64_t> admin_key_id) = 0;
  virtual core::Result<KeyRow> replace_key_hash(std::int64_t id, const std::string& key_hash,
                                                const std::string& key_hint) = 0;
  // Deletes the key, its grants and its payments (records are kept for audit).
  virtual core::Status delete_key(std::int64_t id) = 0;
  virtual core::Result<Page<PaymentRow>> list_payments(std::optional<std::int64_t> key_id,
                                                       const ListQuery& page) = 0;

  // Models.
  virtual core::Result<ModelRow> find_model(std::int64_t id) = 0;
  virtual core::Result<Page<ModelRow>> list_models(const ModelFilter& filter) = 0;
  // Errors: unknown id (404), duplicate name (409 "name"), unknown group_id (400).
  virtual core::Result<ModelRow> update_model(std::int64_t id, const ModelUpdate& update) = 0;
  virtual core::Status delete_model(std::int64_t id) = 0;  // and its grants

  // Groups.
  virtual core::Result<GroupRow> find_group(std::int64_t id) = 0;
  virtual core::Result<Page<GroupListRow>> list_groups(const ListQuery& page) = 0;
  virtual core::Result<GroupRow> insert_group(const std::string& name) = 0;  // 409 "name"
  virtual core::Result<GroupRow> rename_group(std::int64_t id, const std::string& name) = 0;
  // 409 while keys belong to the group unless `force`, which moves them to group 1 first.
  // Group 1 cannot be deleted (400).
  virtual core::Status delete_group(std::int64_t id, bool force) = 0;

  // Grants. Revoking is idempotent; unknown ids are 404.
  virtual core::Result<Page<GrantRow>> list_group_grants(const GrantFilter& filter) = 0;
  virtual core::Result<Page<GrantRow>> list_key_grants(const GrantFilter& filter) = 0;
  virtual core::Status revoke_model_from_group(std::int64_t group_id, std::int64_t model_id) = 0;
  virtual core::Status revoke_model_from_key(std::int64_t key_id, std::int64_t model_id) = 0;

  // Feishu bots. app_id is unique (409 "appId").
  virtual core::Result<Page<BotRow>> list_bots(const ListQuery& page) = 0;
  virtual core::Result<BotRow> find_bot(std::int64_t id) = 0;
  virtual std::optional<BotRow> find_bot_by_app_id(const std::string& app_id) = 0;
  virtual core::Result<BotRow> insert_bot(const BotRow& bot) = 0;  // id and times ignored
  virtual core::Result<BotRow> update_bot(std::int64_t id, const BotUpdate& update) = 0;
  virtual core::Status delete_bot(std::int64_t id) = 0;

  // Money (issue 4). All charges of a batch in one transaction (group commit); a charge of
  // a key deleted meanwhile is skipped.
  virtual core::Status apply_charges(const std::vector<Charge>& charges) = 0;

  // Chat records (issue 5). One transaction per batch: threads inserted, their sessions
  // created or their totals (tokens, fee, thread_count, updated_at) increased.
  virtual core::Status insert_threads(const std::vector<NewThread>& threads) = 0;
  virtual core::Result<Page<SessionRow>> list_sessions(const RecordFilter& filter) = 0;
  virtual core::Result<Page<ThreadRow>> list_threads(const RecordFilter& filter) = 0;
  // `key_id` set: a session or thread of another key is "not found" (404).
  virtual core::Result<SessionDetail> find_session(std::int64_t id,
                                                   std::optional<std::int64_t> key_id) = 0;
  virtual core::Result<ThreadRow> find_thread(std::int64_t id,
                                              std::optional<std::int64_t> key_id) = 0;
  // month_start: unix seconds of 00:00 on the 1st of this month in LLMGATE_TIMEZONE.
  virtual core::Result<Statistics> statistics(std::int64_t month_start) = 0;
  // Makes every stored chat record findable by `q`, also through a reader (open_store with
  // OpenAs::kReader), which cannot index records itself. Run it in write order, before the
  // reader's search.
  virtual core::Status prepare_search() { return core::Ok{}; }

  // Several gateways on one database (issue 8). No process sees every running request, so a
  // shared store holds the reservations itself; the defaults are those of a store that only
  // one gateway uses (SQLite), where the ledger reserves in memory.
  //
  // True when several gateways may use the database at once.
  virtual bool shared() const { return false; }
  // Reserves `amount` for a request of `key_id` if the key has money left in `month`:
  // max(month_quota - month_fee, 0) + balance - reserved > 0, month_fee counting as 0 when
  // it belongs to another month. One atomic statement. The reservation's id; nullopt when
  // nothing is left or the key is gone. Errors: the database is unavailable.
  virtual core::Result<std::optional<std::int64_t>> reserve(std::int64_t key_id, core::Money amount,
                                                            const std::string& month) {
    (void)key_id, (void)amount, (void)month;
    return core::Error::internal("this database keeps no reservations");
  }
  // Gives reservations back without a charge. Ids already released are skipped.
  virtual core::Status release_reservations(const std::vector<std::int64_t>& reservation_ids) {
    (void)reservation_ids;
    return core::Error::internal("this database keeps no reservations");
  }
  // apply_charges for a shared database: each charge is split between allowance and balance
  // in the database, from the key's row as it is then (from_allowance and from_balance are
  // filled in), and its reservation is released, all in one transaction.
  virtual core::Status settle_charges(std::vector<Charge>& charges) {
    (void)charges;
    return core::Error::internal("this database keeps no reservations");
  }
  // Calls `on_change` (on a thread of the watch's own) after another gateway changed keys,
  // models, groups, grants or bots, and after a lost connection came back (anything may have
  // changed meanwhile). nullptr: there is nothing to watch. May be called from any thread,
  // once, before serving.
  virtual std::unique_ptr<ChangeWatch> watch_changes(std::function<void()> on_change) {
    (void)on_change;
    return nullptr;
  }

  // Feishu bot (issue 7). Takes the events and messages named by `ids` ("e:<event id>",
  // "m:<message id>") for bot `bot_id`, in one transaction: true when none of them was taken
  // before (all are recorded now), false when one was (nothing is recorded). Ids older than
  // `keep_seconds` are forgotten on the way.
  virtual core::Result<bool> claim_bot_events(std::int64_t bot_id,
                                              const std::vector<std::string>& ids,
                                              std::int64_t keep_seconds) = 0;
  // The last `limit` answered turns (status ok, prompt and completion stored) of the session
  // `session_key` of key `key_id`, oldest first; none when the session does not exist.
  virtual core::Result<std::vector<ChatTurn>> recent_turns(std::int64_t key_id,
                                                           const std::string& session_key,
                                                           std::int64_t limit) = 0;
};

enum class OpenAs {
  kWriter,  // the gateway's one writer: migrations, charges, records, admin writes
  // A second connection for reads that must not queue behind writes (admin lists, searches,
  // statistics): SQLite opens it query-only, without a checkpointer of its own.
  kReader,
};

// Opens the database named by a URL: "sqlite://path/to/file.db" (directories created,
// ":memory:" allowed for tests) or "postgresql://user:password@host:port/db" (connects at
// once). Errors name the URL (password redacted) and the reason. `sqlite_flush_commits`:
// SQLite commits wait for fsync (synchronous=FULL) or only for the OS (NORMAL). A reader
// of ":memory:" is null: another connection would open another, empty database.
core::Result<std::unique_ptr<Store>> open_store(const std::string& url,
                                                bool sqlite_flush_commits = true,
                                                OpenAs as = OpenAs::kWriter);

}  // namespace store
