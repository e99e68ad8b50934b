// PostgresStore: chat records, written a batch at a time; the thread list and detail.

#include <string>

#include "store/postgres/postgres_store.hpp"
#include "store/postgres/query.hpp"
#include "store/postgres/rows.hpp"
#include "store/postgres/search.hpp"
#include "store/postgres/usage.hpp"

namespace store::postgres {

namespace {

bool known_status(const std::string& status) {
  return status == "ok" || status == "error" || status == "cancelled";
}

// One statement per thread (sent pipelined, a batch at a time): the session is created with
// its first thread or its totals grow (title and created_at stay those of the first thread), and
// the thread is inserted with the session's id. Atomic per row, so gateways writing to one session
// at once add up.
constexpr const char* kInsertThread =
    "WITH session AS ("
    " INSERT INTO sessions (key_id, session_key, title, total_in_tokens, total_out_tokens,"
    " total_fee, thread_count, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7)"
    " ON CONFLICT (key_id, session_key) DO UPDATE SET"
    " total_in_tokens = sessions.total_in_tokens + excluded.total_in_tokens,"
    " total_out_tokens = sessions.total_out_tokens + excluded.total_out_tokens,"
    " total_fee = sessions.total_fee + excluded.total_fee,"
    " thread_count = sessions.thread_count + 1,"
    " updated_at = GREATEST(sessions.updated_at, excluded.updated_at)"
    " RETURNING id)"
    " INSERT INTO threads (session_id, key_id, request_id, model, prompt, completion, tool_calls,"
    " whole_prompt, tokens_in, tokens_out, cached_tokens, reasoning_tokens, usage_estimated,"
    " price_in, price_out, fee, first_byte_latency_ms, latency_ms, stream, status, error,"
    " created_at)"
    " SELECT session.id, $1, $8::text, $9::text, $10::text, $11::text, $12::text, $13::text,"
    " $4, $5, $14::bigint, $15::bigint, $16::boolean, $17::bigint, $18::bigint, $6,"
    " $19::bigint, $20::bigint, $21::boolean, $22::text, $23::text, $7 FROM session";

// Deadlocks are possible when two gateways write batches that touch the same sessions in a
// different order; the server then aborts one transaction, which is simply run again.
constexpr int kAttempts = 3;

}  // namespace

core::Status PostgresStore::insert_threads(const std::vector<NewThread>& threads) {
  if (threads.empty()) return core::Ok{};
  // Checked before writing, with a clearer message than the CHECK constraint's: the batch
  // is all or nothing.
  for (const NewThread& thread : threads) {
    if (!known_status(thread.status)) {
      return core::Error::internal("chat record " + thread.request_id + " has status \"" +
                                   thread.status + "\", not ok, error or cancelled");
    }
  }
  std::vector<Params> params;
  params.reserve(threads.size());
  for (const NewThread& thread : threads) {
    params.emplace_back()
        .int64(thread.key_id)
        .text(thread.session_key)
        .text(thread.session_title)
        .int64(thread.tokens_in)
        .int64(thread.tokens_out)
        .money(thread.fee)
        .int64(thread.created_at)
        .text(thread.request_id)
        .text(thread.model)
        .text(thread.prompt)
        .text(thread.completion)
        .text(thread.tool_calls)
        .text(thread.whole_prompt)
        .int64(thread.cached_tokens)
        .int64(thread.reasoning_tokens)
        .boolean(thread.usage_estimated)
        .money(thread.price_in)
        .money(thread.price_out)
        .int64(thread.first_byte_latency_ms)
        .int64(thread.latency_ms)
        .boolean(thread.stream)
        .text(thread.status)
        .text(thread.error);
  }
  const UsageOfBatch usage = usage_of(threads);
  core::Status result = core::Ok{};
  for (int attempt = 1; attempt <= kAttempts; ++attempt) {
    result = [&]() -> core::Status {
      auto transaction = Transaction::begin(connection_);
      if (!transaction) return transaction.take_error();
      // One round trip for the batch (pipeline mode), each row still its own statement.
      auto rows = connection_.exec_each(kInsertThread, params);
      if (!rows) return rows.take_error();
      if (auto status = add_usage(connection_, usage); !status) return status;
      return transaction->commit();
    }();
    if (result || !connection_.failed_with(kDeadlockDetected)) break;
  }
  return result;
}

core::Result<Page<ThreadRow>> PostgresStore::list_threads(const RecordFilter& filter) {
  Conditions conditions;
  if (filter.key_id) conditions.equals("t.key_id", *filter.key_id);
  if (filter.session_id) conditions.equals("t.session_id", *filter.session_id);
  // The thread's own prompt and completion; its session's title is the sessions list's. The
  // query is worked out once (a sub-select), not again for every row the index proposes.
  if (auto words = search_words(filter.page.q)) {
    if (words->last_word.empty()) {
      conditions.add("FALSE");
    } else {
      conditions.add("t.search @@ (SELECT llmgate_search_query(?::text, ?::text))",
                     {words->words, words->last_word});
    }
  }
  // Every thread has its session (a foreign key, and sessions are never deleted), so the scan
  // needs no join.
  return select_capped_page<ThreadRow>(connection_, {"threads t", "t.id", "t.id DESC"}, conditions,
                                       {kThreadColumns, kThreadsFrom, "t.id DESC"}, "t.id",
                                       filter.page, read_thread);
}

core::Result<ThreadRow> PostgresStore::find_thread(std::int64_t id,
                                                   std::optional<std::int64_t> key_id) {
  // Another key's thread is "not found" like a missing one: its existence is not told.
  auto rows = connection_.exec(std::string("SELECT ") + kThreadColumns + " FROM " + kThreadsFrom +
                                   " WHERE t.id = $1 AND ($2::bigint IS NULL OR t.key_id = $2)",
                               Params().int64(id).optional_int64(key_id));
  if (!rows) return rows.take_error();
  if (rows->empty()) return core::Error::not_found("thread " + std::to_string(id) + " not found");
  return read_thread(Row(*rows, 0));
}

}  // namespace store::postgres
