// SqliteStore: the numbers of GET /admin/statistics/total, from the running totals that
// insert_threads keeps (store/usage_totals.hpp).

#include <cstdint>
#include <initializer_list>
#include <string>

#include "store/sqlite/sqlite_store.hpp"
#include "store/usage_totals.hpp"

namespace store::sqlite {

namespace {

// The one number `sql` answers, given the integers `values` in order.
core::Result<std::int64_t> count(Connection& connection, const char* sql,
                                 std::initializer_list<std::int64_t> values) {
  auto statement = connection.prepare(sql);
  if (!statement) return statement.take_error();
  int index = 1;
  for (std::int64_t value : values) statement->bind_int64(index++, value);
  if (statement->step() != Step::kRow) return statement->internal_error();
  return statement->column_int64(0);
}

// Rows of (model, requests, tokens_in, tokens_out, fee) into `models`; `sql` takes the
// integers `values` in order.
core::Status read_models(Connection& connection, const std::string& sql,
                         std::initializer_list<std::int64_t> values,
                         std::vector<ModelStatistics>& models) {
  auto statement = connection.prepare(sql);
  if (!statement) return statement.take_error();
  int index = 1;
  for (std::int64_t value : values) statement->bind_int64(index++, value);
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
  auto keys = count(connection_, "SELECT COUNT(*) FROM api_keys", {});
  if (!keys) return keys.take_error();
  result.keys = *keys;
  auto active = count(connection_, "SELECT COUNT(*) FROM key_last_use WHERE last_thread_at >= ?",
                      {month_start});
  if (!active) return active.take_error();
  result.active_keys_this_month = *active;

  const std::int64_t whole_hours_from = first_whole_hour(month_start);
  if (auto status = read_models(connection_,
                                "SELECT model, SUM(requests), SUM(tokens_in), SUM(tokens_out), "
                                "SUM(fee) FROM usage_hours WHERE hour >= ? GROUP BY model",
                                {whole_hours_from / kSecondsPerHour}, result.models_this_month);
      !status) {
    return status.take_error();
  }
  if (whole_hours_from > month_start) {
    std::vector<ModelStatistics> partial_hour;
    if (auto status = read_models(
            connection_,
            "SELECT model, COUNT(*), SUM(tokens_in), SUM(tokens_out), SUM(fee) FROM threads "
            "WHERE created_at >= ? AND created_at < ? GROUP BY model",
            {month_start, whole_hours_from}, partial_hour);
        !status) {
      return status.take_error();
    }
    add_models(result.models_this_month, partial_hour);
  }
  order_models(result.models_this_month);
  total_up_month(result);

  if (auto status = read_models(
          connection_, "SELECT model, requests, tokens_in, tokens_out, fee FROM usage_models", {},
          result.models_total);
      !status) {
    return status.take_error();
  }
  order_models(result.models_total);
  result.total_up_models();
  if (auto status = transaction->commit(); !status) return status.take_error();
  return result;
}

}  // namespace store::sqlite
