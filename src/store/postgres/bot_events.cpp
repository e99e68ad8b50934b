// PostgresStore: what the Feishu bot keeps — the events it has taken, and the earlier turns
// of a chat it sends as context.

#include <string>

#include "store/postgres/postgres_store.hpp"

namespace store::postgres {

core::Result<bool> PostgresStore::claim_bot_events(std::int64_t bot_id,
                                                   const std::vector<std::string>& ids,
                                                   std::int64_t keep_seconds) {
  auto transaction = Transaction::begin(connection_);
  if (!transaction) return transaction.take_error();
  const std::int64_t timestamp = now();
  auto pruned = connection_.exec("DELETE FROM feishu_events WHERE created_at < $1",
                                 Params().int64(timestamp - keep_seconds));
  if (!pruned) return pruned.take_error();
  // Insert-or-nothing rather than look-then-insert: two gateways given the same resent
  // event at once both try, the second waits for the first to commit, inserts nothing and
  // so learns the event was taken. A refused claim records nothing; the pruning stays.
  if (auto status = connection_.exec_script("SAVEPOINT claim"); !status) {
    return status.take_error();
  }
  for (const auto& id : ids) {
    auto inserted = connection_.exec(
        "INSERT INTO feishu_events (bot_id, event_key, created_at) VALUES ($1, $2, $3) "
        "ON CONFLICT DO NOTHING RETURNING 1",
        Params().int64(bot_id).text(id).int64(timestamp));
    if (!inserted) return inserted.take_error();
    if (inserted->empty()) {
      if (auto status = connection_.exec_script("ROLLBACK TO SAVEPOINT claim"); !status) {
        return status.take_error();
      }
      if (auto status = transaction->commit(); !status) return status.take_error();
      return false;
    }
  }
  if (auto status = transaction->commit(); !status) return status.take_error();
  return true;
}

core::Result<std::vector<ChatTurn>> PostgresStore::recent_turns(std::int64_t key_id,
                                                                const std::string& session_key,
                                                                std::int64_t limit) {
  std::vector<ChatTurn> turns;
  if (limit <= 0) return turns;
  auto rows = connection_.exec(
      "SELECT t.prompt, t.completion FROM threads t "
      "JOIN sessions s ON s.id = t.session_id "
      "WHERE s.key_id = $1 AND s.session_key = $2 AND t.status = 'ok' "
      "AND t.prompt <> '' AND t.completion <> '' "
      "ORDER BY t.id DESC LIMIT $3",
      Params().int64(key_id).text(session_key).int64(limit));
  if (!rows) return rows.take_error();
  // Newest first from the query; the conversation reads oldest first.
  for (int index = rows->size() - 1; index >= 0; --index) {
    turns.push_back(ChatTurn{rows->text(index, 0), rows->text(index, 1)});
  }
  return turns;
}

}  // namespace store::postgres
