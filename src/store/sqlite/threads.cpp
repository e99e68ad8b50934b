// SqliteStore: chat records, written a batch at a time; the thread list and detail.

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/sqlite/fts.hpp"
#include "store/sqlite/query.hpp"
#include "store/sqlite/rows.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/sqlite/usage.hpp"

namespace store::sqlite {

namespace {

bool known_status(const std::string& status) {
  return status == "ok" || status == "error" || status == "cancelled";
}

// A session is written once per batch with the sums of the batch's threads in it: created
// with its first thread (whose title and created_at stay), or added to. Three plain
// statements: an upsert with RETURNING builds a temporary table on every run.
constexpr const char* kFindSession =
    "SELECT id FROM sessions WHERE key_id = ?1 AND session_key = ?2";

constexpr const char* kAddToSession =
    "UPDATE sessions SET total_in_tokens = total_in_tokens + ?2, "
    "total_out_tokens = total_out_tokens + ?3, total_fee = total_fee + ?4, "
    "thread_count = thread_count + ?5, updated_at = max(updated_at, ?6) WHERE id = ?1";

constexpr const char* kNewSession =
    "INSERT INTO sessions (key_id, session_key, title, total_in_tokens, total_out_tokens, "
    "total_fee, thread_count, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

// One session's share of a batch.
struct SessionInBatch {
  const NewThread* first = nullptr;
  std::int64_t tokens_in = 0;
  std::int64_t tokens_out = 0;
  std::int64_t fee_nanos = 0;
  std::int64_t threads = 0;
  std::int64_t updated_at = 0;
  std::int64_t id = 0;
};

constexpr int kThreadColumnCount = 22;

// Threads go in kThreadsPerInsert rows per statement (the rest one by one): a statement has
// a fixed cost (the AUTOINCREMENT counter, opening and closing its cursors) near a row's.
constexpr std::size_t kThreadsPerInsert = 8;

std::string insert_threads_sql(std::size_t rows) {
  std::string sql =
      "INSERT INTO threads (session_id, key_id, request_id, model, prompt, completion, "
      "tool_calls, whole_prompt, tokens_in, tokens_out, cached_tokens, reasoning_tokens, "
      "usage_estimated, price_in, price_out, fee, first_byte_latency_ms, latency_ms, stream, "
      "status, error, created_at) VALUES ";
  for (std::size_t row = 0; row < rows; ++row) {
    sql += row == 0 ? "(" : ", (";
    for (int column = 0; column < kThreadColumnCount; ++column) sql += column == 0 ? "?" : ", ?";
    sql += ")";
  }
  return sql;
}

// Static storage: Connection::reuse keys its statements by the text's address.
const std::string kInsertOneThread = insert_threads_sql(1);
const std::string kInsertThreads = insert_threads_sql(kThreadsPerInsert);

void bind_thread(Statement& insert, int first, std::int64_t session_id, const NewThread& thread) {
  insert.bind_int64(first + 0, session_id)
      .bind_int64(first + 1, thread.key_id)
      .bind_text(first + 2, thread.request_id)
      .bind_text(first + 3, thread.model)
      .bind_text(first + 4, thread.prompt)
      .bind_text(first + 5, thread.completion)
      .bind_text(first + 6, thread.tool_calls)
      .bind_text(first + 7, thread.whole_prompt)
      .bind_int64(first + 8, thread.tokens_in)
      .bind_int64(first + 9, thread.tokens_out)
      .bind_int64(first + 10, thread.cached_tokens)
      .bind_int64(first + 11, thread.reasoning_tokens)
      .bind_bool(first + 12, thread.usage_estimated)
      .bind_money(first + 13, thread.price_in)
      .bind_money(first + 14, thread.price_out)
      .bind_money(first + 15, thread.fee)
      .bind_int64(first + 16, thread.first_byte_latency_ms)
      .bind_int64(first + 17, thread.latency_ms)
      .bind_bool(first + 18, thread.stream)
      .bind_text(first + 19, thread.status)
      .bind_text(first + 20, thread.error)
      .bind_int64(first + 21, thread.created_at);
}

// Records are only appended (AUTOINCREMENT ids grow, rows are never updated or deleted), so
// what waits for the index is what lies above its watermarks.
constexpr const char* kWaitingForIndex =
    "SELECT MAX(t.max_id - i.threads_to, s.max_id - i.sessions_to), i.threads_to, i.sessions_to "
    "FROM search_index_state i, (SELECT COALESCE(MAX(id), 0) AS max_id FROM threads) t, "
    "(SELECT COALESCE(MAX(id), 0) AS max_id FROM sessions) s";

constexpr const char* kIndexSessions =
    "INSERT INTO sessions_fts (rowid, title) SELECT id, title FROM sessions WHERE id > ?";

constexpr const char* kIndexThreads =
    "INSERT INTO threads_fts (rowid, prompt, completion, tool_calls) "
    "SELECT id, prompt, completion, tool_calls FROM threads WHERE id > ?";

constexpr const char* kIndexReached =
    "UPDATE search_index_state SET threads_to = (SELECT COALESCE(MAX(id), 0) FROM threads), "
    "sessions_to = (SELECT COALESCE(MAX(id), 0) FROM sessions)";

// Finds or creates the session and adds the batch's sums; sets session.id.
core::Status write_session(Connection& connection, SessionInBatch& session) {
  const NewThread& first = *session.first;
  {
    auto find = connection.reuse(kFindSession);
    if (!find) return find.take_error();
    (*find)->bind_int64(1, first.key_id).bind_text(2, first.session_key);
    switch ((*find)->step()) {
      case Step::kRow:
        session.id = (*find)->column_int64(0);
        break;
      case Step::kDone:
        break;
      case Step::kError:
        return (*find)->internal_error();
    }
  }
  if (session.id != 0) {
    auto add = connection.reuse(kAddToSession);
    if (!add) return add.take_error();
    (*add)
        ->bind_int64(1, session.id)
        .bind_int64(2, session.tokens_in)
        .bind_int64(3, session.tokens_out)
        .bind_int64(4, session.fee_nanos)
        .bind_int64(5, session.threads)
        .bind_int64(6, session.updated_at);
    return (*add)->run();
  }
  auto create = connection.reuse(kNewSession);
  if (!create) return create.take_error();
  (*create)
      ->bind_int64(1, first.key_id)
      .bind_text(2, first.session_key)
      .bind_text(3, first.session_title)
      .bind_int64(4, session.tokens_in)
      .bind_int64(5, session.tokens_out)
      .bind_int64(6, session.fee_nanos)
      .bind_int64(7, session.threads)
      .bind_int64(8, first.created_at)
      .bind_int64(9, session.updated_at);
  if (auto status = (*create)->run(); !status) return status;
  session.id = connection.last_insert_rowid();
  return core::Ok{};
}

}  // namespace

core::Status SqliteStore::insert_threads(const std::vector<NewThread>& threads) {
  if (threads.empty()) return core::Ok{};
  // Checked before writing, with a clearer message than the CHECK constraint's: the batch
  // is all or nothing.
  for (const NewThread& thread : threads) {
    if (!known_status(thread.status)) {
      return core::Error::internal("chat record " + thread.request_id + " has status \"" +
                                   thread.status + "\", not ok, error or cancelled");
    }
  }
  // Records are not acknowledged to anyone: their commit does not wait for the disk. The next
  // charge's commit flushes the same WAL, and a crash of the process loses nothing written.
  auto transaction = Transaction::begin_write(connection_, Sync::kOsBuffer);
  if (!transaction) return transaction.take_error();
  // Sessions first, in the order they appear, each once with the batch's sums.
  std::vector<SessionInBatch> sessions;
  std::map<std::pair<std::int64_t, std::string_view>, std::size_t> session_of;
  std::vector<std::size_t> thread_session(threads.size());
  for (std::size_t i = 0; i < threads.size(); ++i) {
    const NewThread& thread = threads[i];
    auto [found, added] =
        session_of.try_emplace({thread.key_id, thread.session_key}, sessions.size());
    if (added) sessions.push_back(SessionInBatch{&thread});
    SessionInBatch& session = sessions[found->second];
    session.tokens_in += thread.tokens_in;
    session.tokens_out += thread.tokens_out;
    session.fee_nanos += thread.fee.nanos();
    session.threads += 1;
    session.updated_at = std::max(session.updated_at, thread.created_at);
    thread_session[i] = found->second;
  }
  for (SessionInBatch& session : sessions) {
    if (auto status = write_session(connection_, session); !status) return status;
  }

  // In batch order, so that ids follow it (a multi-row VALUES inserts its rows in order).
  std::size_t next = 0;
  while (next < threads.size()) {
    const std::size_t rows = threads.size() - next >= kThreadsPerInsert ? kThreadsPerInsert : 1;
    auto insert = connection_.reuse(rows == 1 ? kInsertOneThread.c_str() : kInsertThreads.c_str());
    if (!insert) return insert.take_error();
    for (std::size_t row = 0; row < rows; ++row, ++next) {
      bind_thread(**insert, static_cast<int>(row) * kThreadColumnCount + 1,
                  sessions[thread_session[next]].id, threads[next]);
    }
    if (auto status = (*insert)->run(); !status) return status;
  }
  if (auto status = add_usage(connection_, usage_of(threads)); !status) return status;
  // The search index is written in bulk: each write of it makes an index segment whose cost
  // hardly depends on its size (about 140k instructions; bench/RESULTS.md).
  if (auto status = index_for_search(kIndexBatch); !status) return status;
  return transaction->commit();
}

namespace {

// How many rows wait for the search index, and the marks the index reaches.
struct WaitingForIndex {
  std::int64_t rows = 0;
  std::int64_t threads_to = 0;
  std::int64_t sessions_to = 0;
};

core::Result<WaitingForIndex> waiting_for_index(Connection& connection) {
  auto waiting = connection.reuse(kWaitingForIndex);
  if (!waiting) return waiting.take_error();
  if ((*waiting)->step() != Step::kRow) return (*waiting)->internal_error();
  return WaitingForIndex{(*waiting)->column_int64(0), (*waiting)->column_int64(1),
                         (*waiting)->column_int64(2)};
}

// A search within a key or a session. The FTS index answers "which of all threads match";
// for a common word that set is huge (1M rows, 0.3 s to collect at 1M threads). Testing each
// of the scope's threads against threads_fts is no better: FTS5 rebuilds the doclist of the
// last word's prefix ("answer"*) for every probe, 56 ms each at 2M threads. So:
//   - at most kFewThreads threads: they are indexed on their own in a scratch FTS5 table of
//     the connection's temp schema (same tokenizer, so the same matches), searched there,
//     and the scratch is cleared: about 20 µs a thread;
//   - a tenth of all threads or more: the matches are walked newest first and each is
//     looked up in threads, which stops after the counted matches (10 in a tenth of them);
//   - in between: every match is collected, and the scope's threads are tested against it.
enum class ScopedSearch { kScratch, kWalkMatches, kCollectMatches };

constexpr std::int64_t kFewThreads = 1000;
constexpr const char* kCreateScratch =
    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_scratch USING fts5("
    "prompt, completion, tool_calls, tokenize = 'llmgate remove_diacritics 2')";
constexpr const char* kClearScratch = "DELETE FROM temp.search_scratch";

// The single number `sql` selects; its parameters are `conditions`' values, then `last`
// when given.
core::Result<std::int64_t> scalar_int(Connection& connection, const std::string& sql,
                                      const Conditions& conditions,
                                      std::optional<std::int64_t> last = std::nullopt) {
  auto statement = connection.prepare(sql);
  if (!statement) return statement.take_error();
  const int next = bind_values(*statement, conditions.values());
  if (last) statement->bind_int64(next, *last);
  if (statement->step() != Step::kRow) return statement->internal_error();
  return statement->column_int64(0);
}

// Chooses how to search the threads `scope` selects; fills the scratch index for kScratch.
core::Result<ScopedSearch> plan_scoped_search(Connection& connection, const Conditions& scope) {
  // max(id) without a WHERE clause is one step to the end of the table.
  auto highest = scalar_int(connection, "SELECT coalesce(max(id), 0) FROM threads", Conditions{});
  if (!highest) return highest.take_error();
  const std::int64_t tenth = *highest / 10;  // ids are dense: max(id) ~ the thread count
  const std::int64_t cap = std::max(kFewThreads, tenth);
  auto count = scalar_int(
      connection, "SELECT count(*) FROM (SELECT 1 FROM threads t" + scope.where() + " LIMIT ?)",
      scope, cap + 1);
  if (!count) return count.take_error();
  if (*count > tenth && *count > kFewThreads) return ScopedSearch::kWalkMatches;
  if (*count > kFewThreads) return ScopedSearch::kCollectMatches;
  if (auto status = connection.exec(kCreateScratch); !status) return status.take_error();
  if (auto status = connection.exec(kClearScratch); !status) return status.take_error();
  auto fill = connection.prepare(
      "INSERT INTO temp.search_scratch (rowid, prompt, completion, tool_calls) "
      "SELECT t.id, t.prompt, t.completion, t.tool_calls FROM threads t" +
      scope.where());
  if (!fill) return fill.take_error();
  bind_values(*fill, scope.values());
  if (auto status = fill->run(); !status) return status.take_error();
  return ScopedSearch::kScratch;
}

}  // namespace

core::Status SqliteStore::index_for_search(std::int64_t min_rows) {
  auto waiting = waiting_for_index(connection_);
  if (!waiting) return waiting.take_error();
  if (waiting->rows < std::max<std::int64_t>(min_rows, 1)) return core::Ok{};
  for (const auto& [sql, after] : {std::pair{kIndexSessions, waiting->sessions_to},
                                   std::pair{kIndexThreads, waiting->threads_to}}) {
    auto index = connection_.reuse(sql);
    if (!index) return index.take_error();
    (*index)->bind_int64(1, after);
    if (auto status = (*index)->run(); !status) return status;
  }
  auto reached = connection_.reuse(kIndexReached);
  if (!reached) return reached.take_error();
  return (*reached)->run();
}

core::Status SqliteStore::catch_up_search_index() {
  // A reader cannot write the index; the writer's prepare_search ran before its search.
  if (reader_) return core::Ok{};
  // Read outside a write transaction first: a search with nothing waiting takes no lock.
  auto waiting = waiting_for_index(connection_);
  if (!waiting) return waiting.take_error();
  if (waiting->rows <= 0) return core::Ok{};
  auto transaction = Transaction::begin_write(connection_, Sync::kOsBuffer);
  if (!transaction) return transaction.take_error();
  if (auto status = index_for_search(1); !status) return status;
  return transaction->commit();
}

core::Status SqliteStore::prepare_search() { return catch_up_search_index(); }

core::Result<Page<ThreadRow>> SqliteStore::list_threads(const RecordFilter& filter) {
  if (!filter.page.q.empty()) {
    if (auto status = catch_up_search_index(); !status) return status.take_error();
  }
  // The thread's own prompt and completion; its session's title is the sessions list's.
  auto query = fts_query(filter.page.q);
  const ListSql rows{kThreadColumns, kThreadsFrom, "t.id DESC"};
  Conditions conditions;
  if (query && !filter.key_id && !filter.session_id) {
    // A search alone walks the index newest first and stops after the counted matches;
    // "t.id IN (...)" would first collect every match (0.15 s for a word in 1M threads).
    conditions.add("threads_fts MATCH ?", {std::move(*query)});
    return select_capped_page<ThreadRow>(connection_, {"threads_fts", "rowid", "rowid DESC"},
                                         conditions, rows, "t.id", filter.page, read_thread);
  }
  // A key's or a session's index leads. Every thread has its session (a foreign key, and
  // sessions are never deleted), so the scan needs no join.
  if (filter.key_id) conditions.equals("t.key_id", *filter.key_id);
  if (filter.session_id) conditions.equals("t.session_id", *filter.session_id);
  if (!query) {
    return select_capped_page<ThreadRow>(connection_, {"threads t", "t.id", "t.id DESC"},
                                         conditions, rows, "t.id", filter.page, read_thread);
  }
  auto plan = plan_scoped_search(connection_, conditions);
  if (!plan) return plan.take_error();
  if (*plan == ScopedSearch::kWalkMatches) {
    // CROSS JOIN keeps threads_fts the outer loop: the other order probes the index once
    // per thread of the scope.
    conditions.add("threads_fts MATCH ?", {std::move(*query)});
    return select_capped_page<ThreadRow>(
        connection_,
        {"threads_fts CROSS JOIN threads t ON t.id = threads_fts.rowid", "threads_fts.rowid",
         "threads_fts.rowid DESC"},
        conditions, rows, "t.id", filter.page, read_thread);
  }
  const bool scratch = *plan == ScopedSearch::kScratch;
  conditions.add(scratch ? "t.id IN (SELECT rowid FROM temp.search_scratch "
                           "WHERE search_scratch MATCH ?)"
                         : "t.id IN (SELECT rowid FROM threads_fts WHERE threads_fts MATCH ?)",
                 {std::move(*query)});
  auto page = select_capped_page<ThreadRow>(connection_, {"threads t", "t.id", "t.id DESC"},
                                            conditions, rows, "t.id", filter.page, read_thread);
  if (scratch) {
    if (auto status = connection_.exec(kClearScratch); !status) return status.take_error();
  }
  return page;
}

core::Result<ThreadRow> SqliteStore::find_thread(std::int64_t id,
                                                 std::optional<std::int64_t> key_id) {
  // Another key's thread is "not found" like a missing one: its existence is not told.
  auto statement =
      connection_.prepare(std::string("SELECT ") + kThreadColumns + " FROM " + kThreadsFrom +
                          " WHERE t.id = ?1 AND (?2 IS NULL OR t.key_id = ?2)");
  if (!statement) return statement.take_error();
  statement->bind_int64(1, id);
  if (key_id) statement->bind_int64(2, *key_id);
  switch (statement->step()) {
    case Step::kRow:
      return read_thread(*statement);
    case Step::kDone:
      return core::Error::not_found("thread " + std::to_string(id) + " not found");
    case Step::kError:
      break;
  }
  return statement->internal_error();
}

}  // namespace store::sqlite
