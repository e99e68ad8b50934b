// PostgresStore: the session list and detail.

#include <string>

#include "store/postgres/postgres_store.hpp"
#include "store/postgres/query.hpp"
#include "store/postgres/rows.hpp"
#include "store/postgres/search.hpp"

namespace store::postgres {

core::Result<Page<SessionRow>> PostgresStore::list_sessions(const RecordFilter& filter) {
  Conditions conditions;
  if (filter.key_id) conditions.equals("s.key_id", *filter.key_id);
  // The title, or the text of any of the session's threads. The query is worked out once
  // (a sub-select): the function cannot be inlined, and would otherwise run again for every
  // row the index proposes.
  if (auto words = search_words(filter.page.q)) {
    if (words->last_word.empty()) {
      conditions.add("FALSE");
    } else {
      conditions.add(
          "s.search @@ (SELECT llmgate_search_query(?::text, ?::text)) OR s.id IN "
          "(SELECT session_id FROM threads WHERE search @@ "
          "(SELECT llmgate_search_query(?::text, ?::text)))",
          {words->words, words->last_word, words->words, words->last_word});
    }
  }
  // Most recently active first; the id breaks ties so that pages do not overlap. The scan
  // needs no key name: the LEFT JOIN adds a column, never a row.
  constexpr const char* kOrder = "s.updated_at DESC, s.id DESC";
  return select_capped_page<SessionRow>(connection_, {"sessions s", "s.id", kOrder}, conditions,
                                        {kSessionColumns, kSessionsFrom, kOrder}, "s.id",
                                        filter.page, read_session);
}

core::Result<SessionDetail> PostgresStore::find_session(std::int64_t id,
                                                        std::optional<std::int64_t> key_id) {
  // The session and its threads from one snapshot: the totals match the threads.
  auto transaction = Transaction::begin_read(connection_);
  if (!transaction) return transaction.take_error();
  SessionDetail detail;
  // Another key's session is "not found" like a missing one: its existence is not told.
  auto session =
      connection_.exec(std::string("SELECT ") + kSessionColumns + " FROM " + kSessionsFrom +
                           " WHERE s.id = $1 AND ($2::bigint IS NULL OR s.key_id = $2)",
                       Params().int64(id).optional_int64(key_id));
  if (!session) return session.take_error();
  if (session->empty()) {
    return core::Error::not_found("session " + std::to_string(id) + " not found");
  }
  detail.session = read_session(Row(*session, 0));
  auto threads = connection_.exec(std::string("SELECT ") + kThreadColumns + " FROM " +
                                      kThreadsFrom + " WHERE t.session_id = $1 ORDER BY t.id",
                                  Params().int64(id));
  if (!threads) return threads.take_error();
  detail.threads.reserve(threads->size());
  for (int index = 0; index < threads->size(); ++index) {
    detail.threads.push_back(read_thread(Row(*threads, index)));
  }
  if (auto status = transaction->commit(); !status) return status.take_error();
  return detail;
}

}  // namespace store::postgres
