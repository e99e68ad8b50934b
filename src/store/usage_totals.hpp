#pragma once
// The statistics' running totals (GET /admin/statistics/total): both stores keep, in the
// transaction that writes a batch of chat records, the sums per hour and model, per model for
// all time, and each key's latest thread. The statistics then read a month's hours and a few
// rows per model instead of scanning every thread (370 ms at 1M threads, 1.4 s at 2M:
// bench/RESULTS.md). Hours, not months: the month starts at midnight in LLMGATE_TIMEZONE,
// which the stored rows must not depend on; the threads of a month's first partial hour (time
// zones 30 or 45 minutes off UTC) are summed from the threads themselves.

#include <cstdint>
#include <vector>

#include "store/store.hpp"

namespace store {

constexpr std::int64_t kSecondsPerHour = 3600;

struct HourOfModel {
  std::int64_t hour = 0;  // created_at / 3600
  ModelStatistics sums;
};

struct KeyLastUse {
  std::int64_t key_id = 0;
  std::int64_t last_thread_at = 0;
};

// What a batch of threads adds to the totals. Each list is sorted by its key, so that
// gateways sharing a PostgreSQL database lock the rows in one order.
struct UsageOfBatch {
  std::vector<HourOfModel> hours;       // by hour, then model
  std::vector<ModelStatistics> models;  // by model
  std::vector<KeyLastUse> keys;         // by key id
};
UsageOfBatch usage_of(const std::vector<NewThread>& threads);

// The first whole hour at or after `month_start`: totals per hour count from there; the
// threads between `month_start` and it are summed one by one.
std::int64_t first_whole_hour(std::int64_t month_start);

// Adds `more` into `models`, by model name.
void add_models(std::vector<ModelStatistics>& models, const std::vector<ModelStatistics>& more);
// Highest fee first, then by name in byte order, so that the order is stable.
void order_models(std::vector<ModelStatistics>& models);
// The month's totals are the sums of its models.
void total_up_month(Statistics& statistics);

}  // namespace store
