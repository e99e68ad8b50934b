// PostgresStore: the numbers of GET /admin/statistics/total, summed from the threads.

#include <cstdint>
#include <optional>
#include <string>

#include "store/postgres/postgres_store.hpp"

namespace store::postgres {

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
  auto rows = connection.exec(
      "SELECT COUNT(DISTINCT key_id), COUNT(*), COALESCE(SUM(tokens_in), 0), "
      "COALESCE(SUM(tokens_out), 0), COALESCE(SUM(fee), 0) FROM threads WHERE created_at >= $1",
      Params().int64(since));
  if (!rows) return rows.take_error();
  return Totals{rows->int64(0, 0), rows->int64(0, 1), rows->int64(0, 2), rows->int64(0, 3),
                rows->money(0, 4)};
}

// Per model name (models renamed or deleted since keep their rows under the old name),
// highest fee first, then by name in byte order (SQLite's) so that the order is stable.
// `since` unset: every thread.
core::Status model_totals(Connection& connection, std::optional<std::int64_t> since,
                          std::vector<ModelStatistics>& models) {
  Params params;
  if (since) {
    params.int64(*since);
  } else {
    params.null();
  }
  auto rows = connection.exec(
      "SELECT model, COUNT(*), SUM(tokens_in), SUM(tokens_out), SUM(fee) FROM threads "
      "WHERE $1::bigint IS NULL OR created_at >= $1 GROUP BY model "
      "ORDER BY SUM(fee) DESC, model COLLATE \"C\"",
      params);
  if (!rows) return rows.take_error();
  for (int index = 0; index < rows->size(); ++index) {
    models.push_back(ModelStatistics{rows->text(index, 0), rows->int64(index, 1),
                                     rows->int64(index, 2), rows->int64(index, 3),
                                     rows->money(index, 4)});
  }
  return core::Ok{};
}

}  // namespace

core::Result<Statistics> PostgresStore::statistics(std::int64_t month_start) {
  // One snapshot: the month's numbers never exceed the totals.
  auto transaction = Transaction::begin_read(connection_);
  if (!transaction) return transaction.take_error();
  Statistics result;
  auto keys = connection_.exec("SELECT COUNT(*) FROM api_keys");
  if (!keys) return keys.take_error();
  result.keys = keys->int64(0, 0);
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

}  // namespace store::postgres
