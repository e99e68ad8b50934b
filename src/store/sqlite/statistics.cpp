// SqliteStore: the numbers of GET /admin/statistics/total, summed from the threads.

#include <cstdint>
#include <optional>
#include <string>

#include "store/sqlite/sqlite_store.hpp"

namespace store::sqlite {

namespace {

struct Totals {
  std::int64_t keys = 0;  // distinct key ids
  std::int64_t requests = 0;
  std::int64_t tokens_in = 0;
  std::int64_t tokens_out = 0;
  core::Money fee;
};

// The threads created at or after `since`.
core::Result<Totals> thread_totals(Connection& connection, std::int64_t since) {
  auto statement = connection.prepare(
      "SELECT COUNT(DISTINCT key_id), COUNT(*), COALESCE(SUM(tokens_in), 0), "
      "COALESCE(SUM(tokens_out), 0), COALESCE(SUM(fee), 0) FROM threads WHERE created_at >= ?");
  if (!statement) return statement.take_error();
  statement->bind_int64(1, since);
  if (statement->step() != Step::kRow) return statement->internal_error();
  return Totals{statement->column_int64(0), statement->column_int64(1), statement->column_int64(2),
                statement->column_int64(3), statement->column_money(4)};
}

// Per model name (models renamed or deleted since keep their rows under the old name),
// highest fee first, then by name so that the order is stable.
// `since` unset: every thread, read in table order (through the created_at index, each row
// would be a lookup).
core::Status model_totals(Connection& connection, std::optional<std::int64_t> since,
                          std::vector<ModelStatistics>& models) {
  auto statement = connection.prepare(
      std::string(
          "SELECT model, COUNT(*), SUM(tokens_in), SUM(tokens_out), SUM(fee) FROM threads ") +
      (since ? "WHERE created_at >= ? " : "") + "GROUP BY model ORDER BY SUM(fee) DESC, model");
  if (!statement) return statement.take_error();
  if (since) statement->bind_int64(1, *since);
  for (;;) {
    switch (statement->step()) {
      case Step::kRow:
        models.push_back(ModelStatistics{statement->column_text(0), statement->column_int64(1),
                                         statement->column_int64(2), statement->column_int64(3),
                                         statement->column_money(4)});
        continue;
      case Step::kDone:
        return core::Ok{};
      case Step::kError:
        return statement->internal_error();
    }
  }
}

}  // namespace

core::Result<Statistics> SqliteStore::statistics(std::int64_t month_start) {
  // One snapshot: the month's numbers never exceed the totals.
  auto transaction = Transaction::begin_read(connection_);
  if (!transaction) return transaction.take_error();
  Statistics result;
  {
    auto keys = connection_.prepare("SELECT COUNT(*) FROM api_keys");
    if (!keys) return keys.take_error();
    if (keys->step() != Step::kRow) return keys->internal_error();
    result.keys = keys->column_int64(0);
  }
  auto month = thread_totals(connection_, month_start);
  if (!month) return month.take_error();
  result.active_keys_this_month = month->keys;
  result.requests_this_month = month->requests;
  result.tokens_in_this_month = month->tokens_in;
  result.tokens_out_this_month = month->tokens_out;
  result.spend_this_month = month->fee;
  if (auto status = model_totals(connection_, month_start, result.models_this_month); !status) {
    return status.take_error();
  }
  // All time: one scan of every thread, without the month's COUNT(DISTINCT key_id), which
  // would sort every key id; the totals are the models' sums.
  if (auto status = model_totals(connection_, std::nullopt, result.models_total); !status) {
    return status.take_error();
  }
  result.total_up_models();
  if (auto status = transaction->commit(); !status) return status.take_error();
  return result;
}

}  // namespace store::sqlite
