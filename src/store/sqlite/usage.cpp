#include "store/sqlite/usage.hpp"

namespace store::sqlite {

namespace {

constexpr const char* kAddToHour =
    "INSERT INTO usage_hours (hour, model, requests, tokens_in, tokens_out, fee) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (hour, model) DO UPDATE SET "
    "requests = requests + excluded.requests, tokens_in = tokens_in + excluded.tokens_in, "
    "tokens_out = tokens_out + excluded.tokens_out, fee = fee + excluded.fee";

constexpr const char* kAddToModel =
    "INSERT INTO usage_models (model, requests, tokens_in, tokens_out, fee) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (model) DO UPDATE SET "
    "requests = requests + excluded.requests, tokens_in = tokens_in + excluded.tokens_in, "
    "tokens_out = tokens_out + excluded.tokens_out, fee = fee + excluded.fee";

constexpr const char* kKeyUsed =
    "INSERT INTO key_last_use (key_id, last_thread_at) VALUES (?, ?) "
    "ON CONFLICT (key_id) DO UPDATE SET "
    "last_thread_at = MAX(last_thread_at, excluded.last_thread_at)";

// Binds a model's sums from parameter `first` on.
void bind_sums(Statement& statement, int first, const ModelStatistics& sums) {
  statement.bind_text(first, sums.model)
      .bind_int64(first + 1, sums.requests)
      .bind_int64(first + 2, sums.tokens_in)
      .bind_int64(first + 3, sums.tokens_out)
      .bind_money(first + 4, sums.fee);
}

}  // namespace

core::Status add_usage(Connection& connection, const UsageOfBatch& usage) {
  for (const HourOfModel& hour : usage.hours) {
    auto statement = connection.reuse(kAddToHour);
    if (!statement) return statement.take_error();
    (*statement)->bind_int64(1, hour.hour);
    bind_sums(**statement, 2, hour.sums);
    if (auto status = (*statement)->run(); !status) return status;
  }
  for (const ModelStatistics& model : usage.models) {
    auto statement = connection.reuse(kAddToModel);
    if (!statement) return statement.take_error();
    bind_sums(**statement, 1, model);
    if (auto status = (*statement)->run(); !status) return status;
  }
  for (const KeyLastUse& key : usage.keys) {
    auto statement = connection.reuse(kKeyUsed);
    if (!statement) return statement.take_error();
    (*statement)->bind_int64(1, key.key_id).bind_int64(2, key.last_thread_at);
    if (auto status = (*statement)->run(); !status) return status;
  }
  return core::Ok{};
}

}  // namespace store::sqlite
