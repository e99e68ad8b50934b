// PostgresStore: the numbers of GET /admin/statistics/total, from the running totals that
// insert_threads keeps (store/usage_totals.hpp).

#include <cstdint>

#include "store/postgres/postgres_store.hpp"
#include "store/usage_totals.hpp"

namespace store::postgres {

namespace {

// Rows of (model, requests, tokens_in, tokens_out, fee) into `models`.
core::Status read_models(Connection& connection, const char* sql, const Params& params,
                         std::vector<ModelStatistics>& models) {
  auto rows = connection.exec(sql, params);
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
  auto active = connection_.exec("SELECT COUNT(*) FROM key_last_use WHERE last_thread_at >= $1",
                                 Params().int64(month_start));
  if (!active) return active.take_error();
  result.active_keys_this_month = active->int64(0, 0);

  const std::int64_t whole_hours_from = first_whole_hour(month_start);
  if (auto status =
          read_models(connection_,
                      "SELECT model, SUM(requests), SUM(tokens_in), SUM(tokens_out), "
                      "SUM(fee) FROM usage_hours WHERE hour >= $1 GROUP BY model",
                      Params().int64(whole_hours_from / kSecondsPerHour), result.models_this_month);
      !status) {
    return status.take_error();
  }
  if (whole_hours_from > month_start) {
    std::vector<ModelStatistics> partial_hour;
    if (auto status = read_models(
            connection_,
            "SELECT model, COUNT(*), SUM(tokens_in), SUM(tokens_out), SUM(fee) FROM threads "
            "WHERE created_at >= $1 AND created_at < $2 GROUP BY model",
            Params().int64(month_start).int64(whole_hours_from), partial_hour);
        !status) {
      return status.take_error();
    }
    add_models(result.models_this_month, partial_hour);
  }
  order_models(result.models_this_month);
  total_up_month(result);

  if (auto status = read_models(
          connection_, "SELECT model, requests, tokens_in, tokens_out, fee FROM usage_models",
          Params(), result.models_total);
      !status) {
    return status.take_error();
  }
  order_models(result.models_total);
  result.total_up_models();
  if (auto status = transaction->commit(); !status) return status.take_error();
  return result;
}

}  // namespace store::postgres
