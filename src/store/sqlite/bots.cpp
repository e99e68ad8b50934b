// SqliteStore: Feishu bots.

#include <string>

#include "store/sqlite/query.hpp"
#include "store/sqlite/rows.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace store::sqlite {

namespace {

core::Error duplicate_app_id(const std::string& app_id) {
  return core::Error::conflict("a bot with appId '" + app_id + "' already exists", "appId");
}

}  // namespace

core::Result<BotRow> SqliteStore::select_bot(std::int64_t id) {
  auto statement =
      connection_.prepare(std::string("SELECT ") + kBotColumns + " FROM feishu_bots WHERE id = ?");
  if (!statement) return statement.take_error();
  statement->bind_int64(1, id);
  switch (statement->step()) {
    case Step::kRow:
      return read_bot(*statement);
    case Step::kDone:
      return core::Error::not_found("bot " + std::to_string(id) + " not found");
    case Step::kError:
      break;
  }
  return statement->internal_error();
}

core::Result<Page<BotRow>> SqliteStore::list_bots(const ListQuery& page) {
  Conditions conditions;
  conditions.contains({"name", "app_id"}, page.q);
  return select_page<BotRow>(connection_, {kBotColumns, "feishu_bots", "id DESC"}, conditions, page,
                             read_bot);
}

core::Result<BotRow> SqliteStore::find_bot(std::int64_t id) { return select_bot(id); }

std::optional<BotRow> SqliteStore::find_bot_by_app_id(const std::string& app_id) {
  auto statement = connection_.prepare(std::string("SELECT ") + kBotColumns +
                                       " FROM feishu_bots WHERE app_id = ?");
  if (!statement) return std::nullopt;
  statement->bind_text(1, app_id);
  if (statement->step() != Step::kRow) return std::nullopt;
  return read_bot(*statement);
}

core::Result<BotRow> SqliteStore::insert_bot(const BotRow& bot) {
  auto transaction = Transaction::begin_write(connection_);
  if (!transaction) return transaction.take_error();
  auto statement = connection_.prepare(
      "INSERT INTO feishu_bots (name, provider, app_id, config, created_at, updated_at) "
      "VALUES (?, ?, ?, ?, ?, ?)");
  if (!statement) return statement.take_error();
  const std::int64_t timestamp = now();
  statement->bind_text(1, bot.name)
      .bind_text(2, bot.provider)
      .bind_text(3, bot.app_id)
      .bind_text(4, bot.config)
      .bind_int64(5, timestamp)
      .bind_int64(6, timestamp);
  if (statement->step() != Step::kDone) {
    if (is_unique_violation(statement->error_code())) return duplicate_app_id(bot.app_id);
    return statement->internal_error();
  }
  auto row = select_bot(connection_.last_insert_rowid());
  if (!row) return row;
  if (auto status = transaction->commit(); !status) return status.take_error();
  return row;
}

core::Result<BotRow> SqliteStore::update_bot(std::int64_t id, const BotUpdate& update) {
  auto transaction = Transaction::begin_write(connection_);
  if (!transaction) return transaction.take_error();
  auto current = select_bot(id);
  if (!current) return current;
  Assignments changes;
  changes.change("name", update.name, current->name);
  changes.change("provider", update.provider, current->provider);
  changes.change("app_id", update.app_id, current->app_id);
  changes.change("config", update.config, current->config);
  if (changes.empty()) return current;
  auto statement = changes.prepare(connection_, "feishu_bots", id, now());
  if (!statement) return statement.take_error();
  if (statement->step() != Step::kDone) {
    if (is_unique_violation(statement->error_code())) {
      return duplicate_app_id(update.app_id.value_or(current->app_id));
    }
    return statement->internal_error();
  }
  auto row = select_bot(id);
  if (!row) return row;
  if (auto status = transaction->commit(); !status) return status.take_error();
  return row;
}

core::Status SqliteStore::delete_bot(std::int64_t id) {
  return delete_row("DELETE FROM feishu_bots WHERE id = ?", id,
                    "bot " + std::to_string(id) + " not found");
}

}  // namespace store::sqlite
