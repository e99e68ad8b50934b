#include "store/postgres/usage.hpp"

#include <vector>

namespace store::postgres {

namespace {

constexpr const char* kAddToHour =
    "INSERT INTO usage_hours AS u (hour, model, requests, tokens_in, tokens_out, fee) "
    "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (hour, model) DO UPDATE SET "
    "requests = u.requests + excluded.requests, tokens_in = u.tokens_in + excluded.tokens_in, "
    "tokens_out = u.tokens_out + excluded.tokens_out, fee = u.fee + excluded.fee";

constexpr const char* kAddToModel =
    "INSERT INTO usage_models AS u (model, requests, tokens_in, tokens_out, fee) "
    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (model) DO UPDATE SET "
    "requests = u.requests + excluded.requests, tokens_in = u.tokens_in + excluded.tokens_in, "
    "tokens_out = u.tokens_out + excluded.tokens_out, fee = u.fee + excluded.fee";

constexpr const char* kKeyUsed =
    "INSERT INTO key_last_use AS k (key_id, last_thread_at) VALUES ($1, $2) "
    "ON CONFLICT (key_id) DO UPDATE SET "
    "last_thread_at = GREATEST(k.last_thread_at, excluded.last_thread_at)";

Params& sums(Params& params, const ModelStatistics& model) {
  return params.text(model.model)
      .int64(model.requests)
      .int64(model.tokens_in)
      .int64(model.tokens_out)
      .money(model.fee);
}

}  // namespace

core::Status add_usage(Connection& connection, const UsageOfBatch& usage) {
  // Each list one round trip (pipeline mode).
  std::vector<Params> hours;
  hours.reserve(usage.hours.size());
  for (const HourOfModel& hour : usage.hours)
    sums(hours.emplace_back().int64(hour.hour), hour.sums);
  std::vector<Params> models;
  models.reserve(usage.models.size());
  for (const ModelStatistics& model : usage.models) sums(models.emplace_back(), model);
  std::vector<Params> keys;
  keys.reserve(usage.keys.size());
  for (const KeyLastUse& key : usage.keys) {
    keys.emplace_back().int64(key.key_id).int64(key.last_thread_at);
  }
  for (auto [sql, each] : {std::pair{kAddToHour, &hours}, std::pair{kAddToModel, &models},
                           std::pair{kKeyUsed, &keys}}) {
    if (each->empty()) continue;
    if (auto rows = connection.exec_each(sql, *each); !rows) return rows.take_error();
  }
  return core::Ok{};
}

}  // namespace store::postgres
