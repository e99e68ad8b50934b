#include "store/sqlite/migrations.hpp"

#include <array>
#include <string>

namespace store::sqlite {

namespace {

// Money columns hold core::Money nano-units; timestamps are unix seconds. STRICT tables
// refuse a REAL or TEXT slipping into a money column instead of storing it silently.
// AUTOINCREMENT: an id is never given again after its row is deleted, so ids kept in
// payments, records and logs always mean one thing. (Edited before any release: no
// database with the earlier form of these scripts exists outside tests.)
constexpr const char* kMigration1 = R"sql(
CREATE TABLE groups (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE api_keys (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  email TEXT NOT NULL DEFAULT '',
  role TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
  group_id INTEGER NOT NULL DEFAULT 1 REFERENCES groups(id),
  key_hash TEXT NOT NULL UNIQUE,
  key_hint TEXT NOT NULL DEFAULT '',
  month_quota INTEGER NOT NULL DEFAULT 0,
  month_fee INTEGER NOT NULL DEFAULT 0,
  balance INTEGER NOT NULL DEFAULT 0,
  total_fee INTEGER NOT NULL DEFAULT 0,
  fee_month TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
-- Deleting a group checks for its keys; without this index that is a full scan.
CREATE INDEX api_keys_group_id ON api_keys(group_id);

CREATE TABLE models (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  provider TEXT NOT NULL,
  config TEXT NOT NULL DEFAULT '{}',
  price_in INTEGER NOT NULL DEFAULT 0,
  price_out INTEGER NOT NULL DEFAULT 0,
  multiple INTEGER NOT NULL DEFAULT 0 CHECK (multiple IN (0, 1)),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE group_models (
  group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  PRIMARY KEY (group_id, model_id)
) STRICT;
CREATE INDEX group_models_model_id ON group_models(model_id);

CREATE TABLE key_models (
  key_id INTEGER NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
  model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  PRIMARY KEY (key_id, model_id)
) STRICT;
CREATE INDEX key_models_model_id ON key_models(model_id);
)sql";

// Issue 3: payments (recharge history), Feishu bots, grant times, and list indexes.
// payments.admin_key_id has no foreign key: the admin key may be deleted later, and the
// payment keeps the admin's name as it was at the time.
constexpr const char* kMigration2 = R"sql(
CREATE TABLE payments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key_id INTEGER NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
  amount INTEGER NOT NULL,
  balance_after INTEGER NOT NULL,
  admin_key_id INTEGER,
  admin_key_name TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
) STRICT;
-- The per-key history, newest first; also the cascade from api_keys.
CREATE INDEX payments_key_id ON payments(key_id, id);

CREATE TABLE feishu_bots (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  provider TEXT NOT NULL DEFAULT '',
  app_id TEXT NOT NULL UNIQUE,
  config TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

-- Grants made before this migration have no known time: 0.
ALTER TABLE group_models ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE key_models ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;

-- The exact filters of the model list.
CREATE INDEX models_provider ON models(provider);
)sql";

// Issue 5: chat records. A session groups the threads (one per request) of a conversation.
// Neither has a foreign key to api_keys: records are kept for audit after their key is
// deleted (the lists show an empty key name then). sessions.total_* are running sums of
// the session's threads, kept by SqliteStore::insert_threads in the same transaction.
//
// Full-text search: external-content FTS5 tables (the text is stored once, in the real
// table) kept in sync by triggers. Tokenizer unicode61 with remove_diacritics 2: words are
// runs of letters and digits, case- and accent-folded ("Cafe" finds "café"). CJK text was
// not segmented here (a run of Han characters one token, found only by its beginning);
// migration 9 makes each CJK character a token. The trigram tokenizer would find any
// substring, but not one shorter than three characters (most Chinese words are two) and
// with an index several times the size of the text.
constexpr const char* kMigration3 = R"sql(
CREATE TABLE sessions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key_id INTEGER NOT NULL,
  session_key TEXT NOT NULL,
  title TEXT NOT NULL DEFAULT '',
  total_in_tokens INTEGER NOT NULL DEFAULT 0,
  total_out_tokens INTEGER NOT NULL DEFAULT 0,
  total_fee INTEGER NOT NULL DEFAULT 0,
  thread_count INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (key_id, session_key)
) STRICT;
-- The session lists, newest first: all keys, and one key's.
CREATE INDEX sessions_updated_at ON sessions(updated_at, id);
CREATE INDEX sessions_key_updated_at ON sessions(key_id, updated_at, id);

CREATE TABLE threads (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id INTEGER NOT NULL REFERENCES sessions(id),
  key_id INTEGER NOT NULL,
  request_id TEXT NOT NULL DEFAULT '',
  model TEXT NOT NULL DEFAULT '',
  prompt TEXT NOT NULL DEFAULT '',
  completion TEXT NOT NULL DEFAULT '',
  tool_calls TEXT NOT NULL DEFAULT '',
  whole_prompt TEXT NOT NULL DEFAULT '',
  tokens_in INTEGER NOT NULL DEFAULT 0,
  tokens_out INTEGER NOT NULL DEFAULT 0,
  cached_tokens INTEGER NOT NULL DEFAULT 0,
  reasoning_tokens INTEGER NOT NULL DEFAULT 0,
  usage_estimated INTEGER NOT NULL DEFAULT 0 CHECK (usage_estimated IN (0, 1)),
  price_in INTEGER NOT NULL DEFAULT 0,
  price_out INTEGER NOT NULL DEFAULT 0,
  fee INTEGER NOT NULL DEFAULT 0,
  first_byte_latency_ms INTEGER NOT NULL DEFAULT 0,
  latency_ms INTEGER NOT NULL DEFAULT 0,
  stream INTEGER NOT NULL DEFAULT 0 CHECK (stream IN (0, 1)),
  status TEXT NOT NULL CHECK (status IN ('ok', 'error', 'cancelled')),
  error TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
) STRICT;
-- The thread lists by key and by session, newest first; the monthly statistics.
CREATE INDEX threads_key_id ON threads(key_id, id);
CREATE INDEX threads_session_id ON threads(session_id, id);
CREATE INDEX threads_created_at ON threads(created_at);

CREATE VIRTUAL TABLE threads_fts USING fts5(
  prompt, completion, content = 'threads', content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2');
CREATE TRIGGER threads_fts_insert AFTER INSERT ON threads BEGIN
  INSERT INTO threads_fts (rowid, prompt, completion)
    VALUES (new.id, new.prompt, new.completion);
END;
CREATE TRIGGER threads_fts_delete AFTER DELETE ON threads BEGIN
  INSERT INTO threads_fts (threads_fts, rowid, prompt, completion)
    VALUES ('delete', old.id, old.prompt, old.completion);
END;
CREATE TRIGGER threads_fts_update AFTER UPDATE OF prompt, completion ON threads BEGIN
  INSERT INTO threads_fts (threads_fts, rowid, prompt, completion)
    VALUES ('delete', old.id, old.prompt, old.completion);
  INSERT INTO threads_fts (rowid, prompt, completion)
    VALUES (new.id, new.prompt, new.completion);
END;

CREATE VIRTUAL TABLE sessions_fts USING fts5(
  title, content = 'sessions', content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2');
CREATE TRIGGER sessions_fts_insert AFTER INSERT ON sessions BEGIN
  INSERT INTO sessions_fts (rowid, title) VALUES (new.id, new.title);
END;
CREATE TRIGGER sessions_fts_delete AFTER DELETE ON sessions BEGIN
  INSERT INTO sessions_fts (sessions_fts, rowid, title) VALUES ('delete', old.id, old.title);
END;
-- Only a new title touches the index: the totals change with every thread.
CREATE TRIGGER sessions_fts_update AFTER UPDATE OF title ON sessions BEGIN
  INSERT INTO sessions_fts (sessions_fts, rowid, title) VALUES ('delete', old.id, old.title);
  INSERT INTO sessions_fts (rowid, title) VALUES (new.id, new.title);
END;
)sql";

// Issue 7: the Feishu events and messages each bot has taken, so that an event Feishu
// resends (also after a restart) is processed once. Rows are kept for days (Feishu resends
// for six hours) and pruned by SqliteStore::claim_bot_events; deleting a bot drops its rows.
constexpr const char* kMigration4 = R"sql(
CREATE TABLE feishu_events (
  bot_id INTEGER NOT NULL REFERENCES feishu_bots(id) ON DELETE CASCADE,
  event_key TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (bot_id, event_key)
) STRICT, WITHOUT ROWID;
CREATE INDEX feishu_events_created_at ON feishu_events(created_at);
)sql";

// Issue 9: threads are indexed for search once per batch (SqliteStore::insert_threads),
// not by a trigger per row: the trigger's per-row FTS5 savepoint was a fifth of the cost of
// a request (bench/RESULTS.md). Delete and update triggers stay.
constexpr const char* kMigration5 = R"sql(
DROP TRIGGER threads_fts_insert;
)sql";

// Issue 9: chat records enter the search index in bulk (SqliteStore::index_for_search):
// every write of an FTS5 index makes a segment of nearly fixed cost. Sessions lose their
// per-row insert trigger too (their titles never change after the first thread), and
// search_index_state remembers how far the index reaches: rows above it wait, and are
// indexed once enough wait or before the next search, also after a restart.
constexpr const char* kMigration6 = R"sql(
DROP TRIGGER sessions_fts_insert;
CREATE TABLE search_index_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  threads_to INTEGER NOT NULL,
  sessions_to INTEGER NOT NULL
) STRICT;
INSERT INTO search_index_state (id, threads_to, sessions_to) VALUES (1,
  (SELECT COALESCE(MAX(id), 0) FROM threads), (SELECT COALESCE(MAX(id), 0) FROM sessions));
-- The maintenance triggers touch only rows the index holds: removing from an external-content
-- FTS5 index a row it never took corrupts it.
DROP TRIGGER threads_fts_delete;
DROP TRIGGER threads_fts_update;
DROP TRIGGER sessions_fts_delete;
DROP TRIGGER sessions_fts_update;
CREATE TRIGGER threads_fts_delete AFTER DELETE ON threads
WHEN old.id <= (SELECT threads_to FROM search_index_state) BEGIN
  INSERT INTO threads_fts (threads_fts, rowid, prompt, completion)
    VALUES ('delete', old.id, old.prompt, old.completion);
END;
CREATE TRIGGER threads_fts_update AFTER UPDATE OF prompt, completion ON threads
WHEN old.id <= (SELECT threads_to FROM search_index_state) BEGIN
  INSERT INTO threads_fts (threads_fts, rowid, prompt, completion)
    VALUES ('delete', old.id, old.prompt, old.completion);
  INSERT INTO threads_fts (rowid, prompt, completion)
    VALUES (new.id, new.prompt, new.completion);
END;
CREATE TRIGGER sessions_fts_delete AFTER DELETE ON sessions
WHEN old.id <= (SELECT sessions_to FROM search_index_state) BEGIN
  INSERT INTO sessions_fts (sessions_fts, rowid, title) VALUES ('delete', old.id, old.title);
END;
CREATE TRIGGER sessions_fts_update AFTER UPDATE OF title ON sessions
WHEN old.id <= (SELECT sessions_to FROM search_index_state) BEGIN
  INSERT INTO sessions_fts (sessions_fts, rowid, title) VALUES ('delete', old.id, old.title);
  INSERT INTO sessions_fts (rowid, title) VALUES (new.id, new.title);
END;
)sql";

// The statistics' running totals (store/usage_totals.hpp), kept by insert_threads in the
// records' transaction, filled here from the threads already stored.
constexpr const char* kMigration7 = R"sql(
CREATE TABLE usage_hours (
  hour INTEGER NOT NULL,
  model TEXT NOT NULL,
  requests INTEGER NOT NULL,
  tokens_in INTEGER NOT NULL,
  tokens_out INTEGER NOT NULL,
  fee INTEGER NOT NULL,
  PRIMARY KEY (hour, model)
) STRICT, WITHOUT ROWID;
CREATE TABLE usage_models (
  model TEXT PRIMARY KEY,
  requests INTEGER NOT NULL,
  tokens_in INTEGER NOT NULL,
  tokens_out INTEGER NOT NULL,
  fee INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TABLE key_last_use (
  key_id INTEGER PRIMARY KEY,
  last_thread_at INTEGER NOT NULL
) STRICT;
INSERT INTO usage_hours (hour, model, requests, tokens_in, tokens_out, fee)
  SELECT created_at / 3600, model, COUNT(*), SUM(tokens_in), SUM(tokens_out), SUM(fee)
  FROM threads GROUP BY created_at / 3600, model;
INSERT INTO usage_models (model, requests, tokens_in, tokens_out, fee)
  SELECT model, COUNT(*), SUM(tokens_in), SUM(tokens_out), SUM(fee) FROM threads GROUP BY model;
INSERT INTO key_last_use (key_id, last_thread_at)
  SELECT key_id, MAX(created_at) FROM threads GROUP BY key_id;
)sql";

// Tool calls are searched too (`q`): SPEC 8 counts them as part of the completion. FTS5
// cannot add a column, so the index is made again over prompt, completion and tool calls
// (their JSON text) from every row it held; rows above the watermark still wait for the
// bulk indexer. At a million threads this takes some seconds, once, at startup.
constexpr const char* kMigration8 = R"sql(
DROP TRIGGER threads_fts_delete;
DROP TRIGGER threads_fts_update;
DROP TABLE threads_fts;
CREATE VIRTUAL TABLE threads_fts USING fts5(
  prompt, completion, tool_calls, content = 'threads', content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO threads_fts (rowid, prompt, completion, tool_calls)
  SELECT id, prompt, completion, tool_calls FROM threads
  WHERE id <= (SELECT threads_to FROM search_index_state);
CREATE TRIGGER threads_fts_delete AFTER DELETE ON threads
WHEN old.id <= (SELECT threads_to FROM search_index_state) BEGIN
  INSERT INTO threads_fts (threads_fts, rowid, prompt, completion, tool_calls)
    VALUES ('delete', old.id, old.prompt, old.completion, old.tool_calls);
END;
CREATE TRIGGER threads_fts_update AFTER UPDATE OF prompt, completion, tool_calls ON threads
WHEN old.id <= (SELECT threads_to FROM search_index_state) BEGIN
  INSERT INTO threads_fts (threads_fts, rowid, prompt, completion, tool_calls)
    VALUES ('delete', old.id, old.prompt, old.completion, old.tool_calls);
  INSERT INTO threads_fts (rowid, prompt, completion, tool_calls)
    VALUES (new.id, new.prompt, new.completion, new.tool_calls);
END;
)sql";

// Chinese and Japanese text is searched by its characters (search_tokenizer.hpp): both
// indexes are made again with the "llmgate" tokenizer, which every connection registers,
// from the rows they held (the same cost as migration 8). The maintenance triggers name the
// tables and columns only, and stay.
constexpr const char* kMigration9 = R"sql(
DROP TABLE threads_fts;
CREATE VIRTUAL TABLE threads_fts USING fts5(
  prompt, completion, tool_calls, content = 'threads', content_rowid = 'id',
  tokenize = 'llmgate remove_diacritics 2');
INSERT INTO threads_fts (rowid, prompt, completion, tool_calls)
  SELECT id, prompt, completion, tool_calls FROM threads
  WHERE id <= (SELECT threads_to FROM search_index_state);
DROP TABLE sessions_fts;
CREATE VIRTUAL TABLE sessions_fts USING fts5(
  title, content = 'sessions', content_rowid = 'id',
  tokenize = 'llmgate remove_diacritics 2');
INSERT INTO sessions_fts (rowid, title)
  SELECT id, title FROM sessions WHERE id <= (SELECT sessions_to FROM search_index_state);
)sql";

constexpr std::array kMigrations = {
    Migration{1, kMigration1}, Migration{2, kMigration2}, Migration{3, kMigration3},
    Migration{4, kMigration4}, Migration{5, kMigration5}, Migration{6, kMigration6},
    Migration{7, kMigration7}, Migration{8, kMigration8}, Migration{9, kMigration9},
};

core::Result<std::int64_t> current_version(Connection& connection) {
  auto statement = connection.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!statement) return statement.take_error();
  if (statement->step() != Step::kRow) return statement->internal_error();
  return statement->column_int64(0);
}

core::Status apply_one(Connection& connection, const Migration& migration, std::int64_t now) {
  auto transaction = Transaction::begin_write(connection);
  if (!transaction) return transaction.take_error();
  // Read the version under the write lock: another process may have migrated meanwhile.
  auto version = current_version(connection);
  if (!version) return version.take_error();
  if (*version >= migration.version) return core::Ok{};
  if (auto status = connection.exec(migration.sql); !status) {
    return core::Error::internal("migration " + std::to_string(migration.version) +
                                 " failed: " + status.error().message);
  }
  auto record =
      connection.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)");
  if (!record) return record.take_error();
  record->bind_int64(1, migration.version).bind_int64(2, now);
  if (auto status = record->run(); !status) return status;
  return transaction->commit();
}

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

core::Status apply_migrations(Connection& connection, std::int64_t now) {
  if (auto status = connection.exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
                                    "version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
      !status) {
    return status;
  }
  auto version = current_version(connection);
  if (!version) return version.take_error();
  const int newest = kMigrations.back().version;
  if (*version > newest) {
    return core::Error::internal("database schema version " + std::to_string(*version) +
                                 " is newer than this llmgate knows (" + std::to_string(newest) +
                                 "); upgrade llmgate");
  }
  for (const Migration& migration : kMigrations) {
    if (migration.version <= *version) continue;
    if (auto status = apply_one(connection, migration, now); !status) return status;
  }
  return core::Ok{};
}

}  // namespace store::sqlite
