// What a batch of chat records adds to the statistics' running totals, and how the totals are
// put together again (store/usage_totals.hpp).

#include "store/usage_totals.hpp"

#include <gtest/gtest.h>

#include "admin_fixtures.hpp"

namespace store {
namespace {

using core::Money;
using sqlite::testing::new_thread;

NewThread thread_of(std::int64_t key, const std::string& model, std::int64_t at, std::int64_t fee) {
  auto thread = new_thread(key, "h:s", at);
  thread.model = model;
  thread.fee = Money::from_nanos(fee);
  return thread;
}

TEST(UsageTotalsTest, ABatchAddsPerHourAndModelPerModelAndEachKeysLatestThread) {
  auto usage = usage_of({
      thread_of(2, "gpt", 7300, 5),     // hour 2
      thread_of(1, "claude", 3599, 7),  // hour 0
      thread_of(1, "gpt", 7200, 11),    // hour 2
      thread_of(2, "gpt", 3600, 13),    // hour 1, earlier than key 2's first
  });
  ASSERT_EQ(usage.hours.size(), 3u);  // by hour, then model
  EXPECT_EQ(usage.hours[0].hour, 0);
  EXPECT_EQ(usage.hours[0].sums.model, "claude");
  EXPECT_EQ(usage.hours[1].hour, 1);
  EXPECT_EQ(usage.hours[2].hour, 2);
  EXPECT_EQ(usage.hours[2].sums.model, "gpt");
  EXPECT_EQ(usage.hours[2].sums.requests, 2);
  EXPECT_EQ(usage.hours[2].sums.fee, Money::from_nanos(16));
  EXPECT_EQ(usage.hours[2].sums.tokens_in, 20);
  EXPECT_EQ(usage.hours[2].sums.tokens_out, 40);

  ASSERT_EQ(usage.models.size(), 2u);  // by name
  EXPECT_EQ(usage.models[0].model, "claude");
  EXPECT_EQ(usage.models[1].model, "gpt");
  EXPECT_EQ(usage.models[1].requests, 3);
  EXPECT_EQ(usage.models[1].fee, Money::from_nanos(29));

  ASSERT_EQ(usage.keys.size(), 2u);  // by key id, the latest thread of each
  EXPECT_EQ(usage.keys[0].key_id, 1);
  EXPECT_EQ(usage.keys[0].last_thread_at, 7200);
  EXPECT_EQ(usage.keys[1].key_id, 2);
  EXPECT_EQ(usage.keys[1].last_thread_at, 7300);
}

TEST(UsageTotalsTest, TheFirstWholeHourOfAMonth) {
  EXPECT_EQ(first_whole_hour(7200), 7200);
  EXPECT_EQ(first_whole_hour(7201), 10800);
  EXPECT_EQ(first_whole_hour(5400), 7200);  // a month starting on the half hour
}

TEST(UsageTotalsTest, ModelsAddUpByNameAndAreOrderedByFeeThenName) {
  std::vector<ModelStatistics> models{{"b", 1, 1, 1, Money::from_nanos(5)},
                                      {"a", 1, 1, 1, Money::from_nanos(2)}};
  add_models(models, {{"a", 2, 3, 4, Money::from_nanos(3)}, {"c", 1, 0, 0, Money::from_nanos(9)}});
  order_models(models);
  ASSERT_EQ(models.size(), 3u);
  EXPECT_EQ(models[0].model, "c");
  EXPECT_EQ(models[1].model, "a");  // 5, as "b": by name
  EXPECT_EQ(models[1].requests, 3);
  EXPECT_EQ(models[1].tokens_out, 5);
  EXPECT_EQ(models[2].model, "b");

  Statistics statistics;
  statistics.models_this_month = models;
  total_up_month(statistics);
  EXPECT_EQ(statistics.requests_this_month, 5);
  EXPECT_EQ(statistics.spend_this_month, Money::from_nanos(19));
}

}  // namespace
}  // namespace store
