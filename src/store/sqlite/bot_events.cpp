// SqliteStore: what the Feishu bot keeps — the events it has taken, and the earlier turns
// of a chat it sends as context.

#include <string>

#include "store/sqlite/sqlite_store.hpp"

namespace store::sqlite {

core::Result<bool> SqliteStore::claim_bot_events(std::int64_t bot_id,
                                                 const std::vector<std::string>& ids,
                                                 std::int64_t keep_seconds) {
  auto transaction = Transaction::begin_write(connection_);
  if (!transaction) return transaction.take_error();
  const std::int64_t timestamp = now();
  auto prune = connection_.prepare("DELETE FROM feishu_events WHERE created_at < ?");
  if (!prune) return prune.take_error();
  prune->bind_int64(1, timestamp - keep_seconds);
  if (auto status = prune->run(); !status) return status.take_error();

  auto find = connection_.prepare("SELECT 1 FROM feishu_events WHERE bot_id = ? AND event_key = ?");
  if (!find) return find.take_error();
  bool taken_before = false;
  for (const auto& id : ids) {
    find->reset();
    find->bind_int64(1, bot_id).bind_text(2, id);
    const Step step = find->step();
    if (step == Step::kError) return find->internal_error();
    if (step == Step::kRow) taken_before = true;
  }
  if (taken_before) {
    // Nothing recorded; the pruning stays.
    if (auto status = transaction->commit(); !status) return status.take_error();
    return false;
  }
  auto insert = connection_.prepare(
      "INSERT OR IGNORE INTO feishu_events (bot_id, event_key, created_at) VALUES (?, ?, ?)");
  if (!insert) return insert.take_error();
  for (const auto& id : ids) {
    insert->reset();
    insert->bind_int64(1, bot_id).bind_text(2, id).bind_int64(3, timestamp);
    if (auto status = insert->run(); !status) return status.take_error();
  }
  if (auto status = transaction->commit(); !status) return status.take_error();
  return true;
}

core::Result<std::vector<ChatTurn>> SqliteStore::recent_turns(std::int64_t key_id,
                                                              const std::string& session_key,
                                                              std::int64_t limit) {
  std::vector<ChatTurn> turns;
  if (limit <= 0) return turns;
  auto statement = connection_.prepare(
      "SELECT t.prompt, t.completion FROM threads t "
      "JOIN sessions s ON s.id = t.session_id "
      "WHERE s.key_id = ? AND s.session_key = ? AND t.status = 'ok' "
      "AND t.prompt <> '' AND t.completion <> '' "
      "ORDER BY t.id DESC LIMIT ?");
  if (!statement) return statement.take_error();
  statement->bind_int64(1, key_id).bind_text(2, session_key).bind_int64(3, limit);
  for (;;) {
    const Step step = statement->step();
    if (step == Step::kDone) break;
    if (step == Step::kError) return statement->internal_error();
    turns.push_back(ChatTurn{statement->column_text(0), statement->column_text(1)});
  }
  // Newest first from the query; the conversation reads oldest first.
  return std::vector<ChatTurn>(turns.rbegin(), turns.rend());
}

}  // namespace store::sqlite
