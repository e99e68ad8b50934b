#pragma once
// Statistics worked out from the threads themselves, one by one, to hold each store's running
// totals (store/usage_totals.hpp) against.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "admin_fixtures.hpp"
#include "store/store.hpp"

namespace store::testing {

using sqlite::testing::new_thread;

// Threads of `keys` over three days from `start`, every 7 minutes and 13 seconds, with three
// models and varying tokens and fees, in the order they would be written.
inline std::vector<NewThread> threads_over_days(const std::vector<std::int64_t>& keys,
                                                std::int64_t start) {
  const char* kModels[] = {"gpt-4o", "claude", "llama"};
  std::vector<NewThread> threads;
  for (int i = 0; i < 600; ++i) {
    auto thread =
        new_thread(keys[i % keys.size()], "h:s" + std::to_string(i % 11), start + i * 433);
    thread.model = kModels[(i / 5) % 3];
    thread.tokens_in = 10 + i;
    thread.tokens_out = 3 * i;
    thread.fee = core::Money::from_nanos(1'000 + 37 * i);
    threads.push_back(std::move(thread));
  }
  return threads;
}

// What GET /admin/statistics/total must say about `threads` (and `keys` keys).
inline Statistics statistics_of(const std::vector<NewThread>& threads, std::int64_t keys,
                                std::int64_t month_start) {
  Statistics expected;
  expected.keys = keys;
  std::map<std::string, ModelStatistics> month;
  std::map<std::string, ModelStatistics> total;
  std::set<std::int64_t> active;
  auto add = [](ModelStatistics& sums, const NewThread& thread) {
    sums.model = thread.model;
    sums.requests += 1;
    sums.tokens_in += thread.tokens_in;
    sums.tokens_out += thread.tokens_out;
    sums.fee = core::Money::from_nanos(sums.fee.nanos() + thread.fee.nanos());
  };
  for (const NewThread& thread : threads) {
    add(total[thread.model], thread);
    if (thread.created_at < month_start) continue;
    add(month[thread.model], thread);
    active.insert(thread.key_id);
  }
  expected.active_keys_this_month = static_cast<std::int64_t>(active.size());
  auto ordered = [](const std::map<std::string, ModelStatistics>& models) {
    std::vector<ModelStatistics> list;
    for (const auto& [name, sums] : models) list.push_back(sums);
    std::stable_sort(list.begin(), list.end(),
                     [](const auto& a, const auto& b) { return a.fee.nanos() > b.fee.nanos(); });
    return list;
  };
  expected.models_this_month = ordered(month);
  expected.models_total = ordered(total);
  for (const auto& model : expected.models_this_month) {
    expected.requests_this_month += model.requests;
    expected.tokens_in_this_month += model.tokens_in;
    expected.tokens_out_this_month += model.tokens_out;
    expected.spend_this_month =
        core::Money::from_nanos(expected.spend_this_month.nanos() + model.fee.nanos());
  }
  expected.total_up_models();
  return expected;
}

inline void expect_same_models(const std::vector<ModelStatistics>& actual,
                               const std::vector<ModelStatistics>& expected, const char* which) {
  ASSERT_EQ(actual.size(), expected.size()) << which;
  for (std::size_t i = 0; i < actual.size(); ++i) {
    EXPECT_EQ(actual[i].model, expected[i].model) << which << " " << i;
    EXPECT_EQ(actual[i].requests, expected[i].requests) << which << " " << actual[i].model;
    EXPECT_EQ(actual[i].tokens_in, expected[i].tokens_in) << which << " " << actual[i].model;
    EXPECT_EQ(actual[i].tokens_out, expected[i].tokens_out) << which << " " << actual[i].model;
    EXPECT_EQ(actual[i].fee, expected[i].fee) << which << " " << actual[i].model;
  }
}

inline void expect_same_statistics(const Statistics& actual, const Statistics& expected) {
  EXPECT_EQ(actual.keys, expected.keys);
  EXPECT_EQ(actual.active_keys_this_month, expected.active_keys_this_month);
  EXPECT_EQ(actual.requests_this_month, expected.requests_this_month);
  EXPECT_EQ(actual.requests_total, expected.requests_total);
  EXPECT_EQ(actual.tokens_in_this_month, expected.tokens_in_this_month);
  EXPECT_EQ(actual.tokens_out_this_month, expected.tokens_out_this_month);
  EXPECT_EQ(actual.tokens_in_total, expected.tokens_in_total);
  EXPECT_EQ(actual.tokens_out_total, expected.tokens_out_total);
  EXPECT_EQ(actual.spend_this_month, expected.spend_this_month);
  EXPECT_EQ(actual.spend_total, expected.spend_total);
  expect_same_models(actual.models_this_month, expected.models_this_month, "this month");
  expect_same_models(actual.models_total, expected.models_total, "total");
}

}  // namespace store::testing
