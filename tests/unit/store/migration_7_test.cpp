// Migration 7 (the statistics' running totals) applied to a database whose threads were
// written before it: the totals are filled from them.

#include <gtest/gtest.h>

#include "admin_fixtures.hpp"
#include "store/sqlite/migrations.hpp"
#include "usage_expectations.hpp"

namespace store::sqlite {
namespace {

using namespace testing;

TEST(Migration7Test, FillsTheRunningTotalsFromTheStoredThreads) {
  auto store = open_migrated();
  const std::int64_t alice = must(store->insert_key(new_key("alice"))).id;
  const std::int64_t bob = must(store->insert_key(new_key("bob"))).id;
  const std::int64_t start = 1'795'000'000;
  auto threads = store::testing::threads_over_days({alice, bob}, start);
  ASSERT_TRUE(store->insert_threads(threads));
  // Back to version 6: the same schema without the totals.
  ASSERT_EQ(migrations()[6].version, 7);
  exec(*store,
       "DROP TABLE usage_hours; DROP TABLE usage_models; DROP TABLE key_last_use; "
       "DELETE FROM schema_migrations WHERE version >= 7");

  ASSERT_TRUE(store->migrate());
  EXPECT_EQ(scalar(*store, "SELECT MAX(version) FROM schema_migrations"),
            migrations().back().version);
  const std::int64_t month_start = start + 86'400 + 1800;
  store::testing::expect_same_statistics(must(store->statistics(month_start)),
                                         store::testing::statistics_of(threads, 2, month_start));
  // And they grow from there.
  auto more = new_thread(alice, "h:later", start + 5 * 86'400);
  ASSERT_TRUE(store->insert_threads({more}));
  threads.push_back(more);
  store::testing::expect_same_statistics(must(store->statistics(month_start)),
                                         store::testing::statistics_of(threads, 2, month_start));
}

}  // namespace
}  // namespace store::sqlite
