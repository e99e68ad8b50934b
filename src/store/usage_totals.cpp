#include "store/usage_totals.hpp"

#include <algorithm>
#include <map>
#include <string_view>
#include <tuple>
#include <utility>

namespace store {

namespace {

void add(ModelStatistics& sums, const ModelStatistics& more) {
  sums.requests += more.requests;
  sums.tokens_in += more.tokens_in;
  sums.tokens_out += more.tokens_out;
  sums.fee = core::Money::from_nanos(sums.fee.nanos() + more.fee.nanos());
}

ModelStatistics one_request(const NewThread& thread) {
  return ModelStatistics{thread.model, 1, thread.tokens_in, thread.tokens_out, thread.fee};
}

}  // namespace

UsageOfBatch usage_of(const std::vector<NewThread>& threads) {
  std::map<std::pair<std::int64_t, std::string_view>, ModelStatistics> hours;
  std::map<std::string_view, ModelStatistics> models;
  std::map<std::int64_t, std::int64_t> keys;
  for (const NewThread& thread : threads) {
    const ModelStatistics request = one_request(thread);
    auto [hour, new_hour] = hours.try_emplace({thread.created_at / kSecondsPerHour, thread.model},
                                              ModelStatistics{thread.model});
    add(hour->second, request);
    auto [model, new_model] = models.try_emplace(thread.model, ModelStatistics{thread.model});
    add(model->second, request);
    auto [key, new_key] = keys.try_emplace(thread.key_id, thread.created_at);
    key->second = std::max(key->second, thread.created_at);
  }
  UsageOfBatch usage;
  usage.hours.reserve(hours.size());
  for (auto& [hour_and_model, sums] : hours) {
    usage.hours.push_back(HourOfModel{hour_and_model.first, std::move(sums)});
  }
  usage.models.reserve(models.size());
  for (auto& [name, sums] : models) usage.models.push_back(std::move(sums));
  usage.keys.reserve(keys.size());
  for (const auto& [key_id, last] : keys) usage.keys.push_back(KeyLastUse{key_id, last});
  return usage;
}

std::int64_t first_whole_hour(std::int64_t month_start) {
  const std::int64_t hour = month_start / kSecondsPerHour;
  return hour * kSecondsPerHour == month_start ? month_start : (hour + 1) * kSecondsPerHour;
}

void add_models(std::vector<ModelStatistics>& models, const std::vector<ModelStatistics>& more) {
  for (const ModelStatistics& extra : more) {
    auto found = std::find_if(models.begin(), models.end(), [&](const ModelStatistics& model) {
      return model.model == extra.model;
    });
    if (found == models.end()) {
      models.push_back(extra);
    } else {
      add(*found, extra);
    }
  }
}

void order_models(std::vector<ModelStatistics>& models) {
  std::sort(models.begin(), models.end(), [](const ModelStatistics& a, const ModelStatistics& b) {
    if (a.fee.nanos() != b.fee.nanos()) return a.fee.nanos() > b.fee.nanos();
    return a.model < b.model;
  });
}

void total_up_month(Statistics& statistics) {
  ModelStatistics month;
  for (const ModelStatistics& model : statistics.models_this_month) add(month, model);
  statistics.requests_this_month = month.requests;
  statistics.tokens_in_this_month = month.tokens_in;
  statistics.tokens_out_this_month = month.tokens_out;
  statistics.spend_this_month = month.fee;
}

}  // namespace store
