// SqliteStore: chat records, written a batch at a time; the thread list and detail.

#include <string>

#include "store/sqlite/fts.hpp"
#include "store/sqlite/query.hpp"
#include "store/sqlite/rows.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace store::sqlite {

namespace {

bool known_status(const std::string& status) {
  return status == "ok" || status == "error" || status == "cancelled";
}

// Creates the session with its first thread, or adds a thread to its totals; either way
// answers its id. Title and created_at stay those of the first thread.
constexpr const char* kUpsertSession =
    "INSERT INTO sessions (key_id, session_key, title, total_in_tokens, total_out_tokens, "
    "total_fee, thread_count, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?7) "
    "ON CONFLICT (key_id, session_key) DO UPDATE SET "
    "total_in_tokens = total_in_tokens + excluded.total_in_tokens, "
    "total_out_tokens = total_out_tokens + excluded.total_out_tokens, "
    "total_fee = total_fee + excluded.total_fee, thread_count = thread_count + 1, "
    "updated_at = max(updated_at, excluded.updated_at) RETURNING id";

constexpr const char* kInsertThread =
    "INSERT INTO threads (session_id, key_id, request_id, model, prompt, completion, tool_calls, "
    "whole_prompt, tokens_in, tokens_out, cached_tokens, reasoning_tokens, usage_estimated, "
    "price_in, price_out, fee, first_byte_latency_ms, latency_ms, stream, status, error, "
    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

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
  auto transaction = Transaction::begin_write(connection_);
  if (!transaction) return transaction.take_error();
  auto session = connection_.prepare(kUpsertSession);
  if (!session) return session.take_error();
  auto insert = connection_.prepare(kInsertThread);
  if (!insert) return insert.take_error();
  std::int64_t first_thread_id = 0;
  for (const NewThread& thread : threads) {
    session->reset();
    session->bind_int64(1, thread.key_id)
        .bind_text(2, thread.session_key)
        .bind_text(3, thread.session_title)
        .bind_int64(4, thread.tokens_in)
        .bind_int64(5, thread.tokens_out)
        .bind_money(6, thread.fee)
        .bind_int64(7, thread.created_at);
    if (session->step() != Step::kRow) return session->internal_error();
    const std::int64_t session_id = session->column_int64(0);
    if (auto status = session->run(); !status) return status;

    insert->reset();
    insert->bind_int64(1, session_id)
        .bind_int64(2, thread.key_id)
        .bind_text(3, thread.request_id)
        .bind_text(4, thread.model)
        .bind_text(5, thread.prompt)
        .bind_text(6, thread.completion)
        .bind_text(7, thread.tool_calls)
        .bind_text(8, thread.whole_prompt)
        .bind_int64(9, thread.tokens_in)
        .bind_int64(10, thread.tokens_out)
        .bind_int64(11, thread.cached_tokens)
        .bind_int64(12, thread.reasoning_tokens)
        .bind_bool(13, thread.usage_estimated)
        .bind_money(14, thread.price_in)
        .bind_money(15, thread.price_out)
        .bind_money(16, thread.fee)
        .bind_int64(17, thread.first_byte_latency_ms)
        .bind_int64(18, thread.latency_ms)
        .bind_bool(19, thread.stream)
        .bind_text(20, thread.status)
        .bind_text(21, thread.error)
        .bind_int64(22, thread.created_at);
    if (auto status = insert->run(); !status) return status;
    if (first_thread_id == 0) first_thread_id = connection_.last_insert_rowid();
  }
  // The whole batch enters the search index in one statement (no per-row trigger).
  auto index = connection_.prepare(
      "INSERT INTO threads_fts (rowid, prompt, completion) "
      "SELECT id, prompt, completion FROM threads WHERE id >= ?");
  if (!index) return index.take_error();
  index->bind_int64(1, first_thread_id);
  if (auto status = index->run(); !status) return status;
  return transaction->commit();
}

core::Result<Page<ThreadRow>> SqliteStore::list_threads(const RecordFilter& filter) {
  Conditions conditions;
  if (filter.key_id) conditions.equals("t.key_id", *filter.key_id);
  if (filter.session_id) conditions.equals("t.session_id", *filter.session_id);
  // The thread's own prompt and completion; its session's title is the sessions list's.
  if (auto query = fts_query(filter.page.q)) {
    conditions.add("t.id IN (SELECT rowid FROM threads_fts WHERE threads_fts MATCH ?)",
                   {std::move(*query)});
  }
  return select_page<ThreadRow>(connection_, {kThreadColumns, kThreadsFrom, "t.id DESC"},
                                conditions, filter.page, read_thread);
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
