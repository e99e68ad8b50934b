// SqliteStore: the session list and detail.

#include <string>

#include "store/sqlite/fts.hpp"
#include "store/sqlite/query.hpp"
#include "store/sqlite/rows.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace store::sqlite {

core::Result<Page<SessionRow>> SqliteStore::list_sessions(const RecordFilter& filter) {
  if (!filter.page.q.empty()) {
    if (auto status = catch_up_search_index(); !status) return status.take_error();
  }
  Conditions conditions;
  if (filter.key_id) conditions.equals("s.key_id", *filter.key_id);
  // The title, or the text of any of the session's threads.
  if (auto query = fts_query(filter.page.q)) {
    conditions.add(
        "s.id IN (SELECT rowid FROM sessions_fts WHERE sessions_fts MATCH ?) OR s.id IN "
        "(SELECT session_id FROM threads WHERE id IN "
        "(SELECT rowid FROM threads_fts WHERE threads_fts MATCH ?))",
        {*query, *query});
  }
  // Most recently active first; the id breaks ties so that pages do not overlap. The scan
  // needs no key name: the LEFT JOIN adds a column, never a row.
  constexpr const char* kOrder = "s.updated_at DESC, s.id DESC";
  return select_capped_page<SessionRow>(connection_, {"sessions s", "s.id", kOrder}, conditions,
                                        {kSessionColumns, kSessionsFrom, kOrder}, "s.id",
                                        filter.page, read_session);
}

core::Result<SessionDetail> SqliteStore::find_session(std::int64_t id,
                                                      std::optional<std::int64_t> key_id) {
  // The session and its threads from one snapshot: the totals match the threads.
  auto transaction = Transaction::begin_read(connection_);
  if (!transaction) return transaction.take_error();
  SessionDetail detail;
  {
    // Another key's session is "not found" like a missing one: its existence is not told.
    auto statement =
        connection_.prepare(std::string("SELECT ") + kSessionColumns + " FROM " + kSessionsFrom +
                            " WHERE s.id = ?1 AND (?2 IS NULL OR s.key_id = ?2)");
    if (!statement) return statement.take_error();
    statement->bind_int64(1, id);
    if (key_id) statement->bind_int64(2, *key_id);
    switch (statement->step()) {
      case Step::kRow:
        detail.session = read_session(*statement);
        break;
      case Step::kDone:
        return core::Error::not_found("session " + std::to_string(id) + " not found");
      case Step::kError:
        return statement->internal_error();
    }
  }
  auto threads = connection_.prepare(std::string("SELECT ") + kThreadColumns + " FROM " +
                                     kThreadsFrom + " WHERE t.session_id = ? ORDER BY t.id");
  if (!threads) return threads.take_error();
  threads->bind_int64(1, id);
  for (;;) {
    const Step step = threads->step();
    if (step == Step::kDone) break;
    if (step == Step::kError) return threads->internal_error();
    detail.threads.push_back(read_thread(*threads));
  }
  if (auto status = transaction->commit(); !status) return status.take_error();
  return detail;
}

}  // namespace store::sqlite
