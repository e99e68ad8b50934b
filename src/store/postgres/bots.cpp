// PostgresStore: Feishu bots.

#include <string>

#include "store/postgres/postgres_store.hpp"
#include "store/postgres/query.hpp"
#include "store/postgres/rows.hpp"

namespace store::postgres {

namespace {

core::Error duplicate_app_id(const std::string& app_id) {
  return core::Error::conflict("a bot with appId '" + app_id + "' already exists", "appId");
}

}  // namespace

core::Result<BotRow> PostgresStore::select_bot(std::int64_t id) {
  auto rows = connection_.exec(
      std::string("SELECT ") + kBotColumns + " FROM feishu_bots WHERE id = $1", Params().int64(id));
  if (!rows) return rows.take_error();
  if (rows->empty()) return core::Error::not_found("bot " + std::to_string(id) + " not found");
  return read_bot(Row(*rows, 0));
}

core::Result<Page<BotRow>> PostgresStore::list_bots(const ListQuery& page) {
  Conditions conditions;
  conditions.contains({"name", "app_id"}, page.q);
  return select_page<BotRow>(connection_, {kBotColumns, "feishu_bots", "id DESC"}, conditions, page,
                             read_bot);
}

core::Result<BotRow> PostgresStore::find_bot(std::int64_t id) { return select_bot(id); }

std::optional<BotRow> PostgresStore::find_bot_by_app_id(const std::string& app_id) {
  auto rows =
      connection_.exec(std::string("SELECT ") + kBotColumns + " FROM feishu_bots WHERE app_id = $1",
                       Params().text(app_id));
  if (!rows || rows->empty()) return std::nullopt;
  return read_bot(Row(*rows, 0));
}

core::Result<BotRow> PostgresStore::insert_bot(const BotRow& bot) {
  auto transaction = Transaction::begin_write(connection_);
  if (!transaction) return transaction.take_error();
  auto rows = connection_.exec(
      std::string("INSERT INTO feishu_bots (name, provider, app_id, config, created_at, "
                  "updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING ") +
          kBotColumns,
      Params().text(bot.name).text(bot.provider).text(bot.app_id).text(bot.config).int64(now()));
  if (!rows) {
    if (connection_.failed_with(kUniqueViolation)) return duplicate_app_id(bot.app_id);
    return rows.take_error();
  }
  BotRow row = read_bot(Row(*rows, 0));
  if (auto status = notify_catalog_change(); !status) return status.take_error();
  if (auto status = transaction->commit(); !status) return status.take_error();
  return row;
}

core::Result<BotRow> PostgresStore::update_bot(std::int64_t id, const BotUpdate& update) {
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
  if (auto status = changes.run(connection_, "feishu_bots", id, now()); !status) {
    if (connection_.failed_with(kUniqueViolation)) {
      return duplicate_app_id(update.app_id.value_or(current->app_id));
    }
    return status.take_error();
  }
  auto row = select_bot(id);
  if (!row) return row;
  if (auto status = notify_catalog_change(); !status) return status.take_error();
  if (auto status = transaction->commit(); !status) return status.take_error();
  return row;
}

core::Status PostgresStore::delete_bot(std::int64_t id) {
  return delete_row("DELETE FROM feishu_bots WHERE id = $1", id,
                    "bot " + std::to_string(id) + " not found");
}

}  // namespace store::postgres
