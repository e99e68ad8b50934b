// The record lists' capped count on PostgreSQL (store/postgres/query.cpp select_page_ids):
// the server counts the scan up to offset + cap and sends only the page's ids; exact totals
// up to there, a lower bound beyond, the page in the scan's order, and the count also for a
// page past the end.

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

#include "postgres_fixtures.hpp"
#include "store/postgres/query.hpp"

namespace store::postgres {
namespace {

using namespace testing;
using Ids = std::vector<std::int64_t>;

class PostgresCappedPageTest : public PostgresTest {
 protected:
  void SetUp() override {
    PostgresTest::SetUp();
    if (IsSkipped()) return;
    exec(*store_,
         "CREATE TABLE items (id BIGINT PRIMARY KEY, tag TEXT NOT NULL);"
         "INSERT INTO items VALUES (1, 'a'), (2, 'b'), (3, 'a'), (4, 'b'), (5, 'a');");
  }

  PageIds page(std::int64_t limit, std::int64_t offset, std::int64_t cap,
               const Conditions& conditions = Conditions{}) {
    ListQuery query;
    query.limit = limit;
    query.offset = offset;
    auto result = select_page_ids(store_->connection(), {"items i", "i.id", "i.id DESC"},
                                  conditions, query, cap);
    EXPECT_TRUE(result) << result.error().message;
    return result ? std::move(*result) : PageIds{};
  }
};

TEST_F(PostgresCappedPageTest, ExactUpToTheCapALowerBoundBeyond) {
  auto whole = page(2, 0, 5);
  EXPECT_EQ(whole.ids, (Ids{5, 4}));
  EXPECT_EQ(whole.total, 5);
  EXPECT_TRUE(whole.total_exact);
  auto capped = page(2, 0, 3);
  EXPECT_EQ(capped.ids, (Ids{5, 4}));
  EXPECT_EQ(capped.total, 3);
  EXPECT_FALSE(capped.total_exact);
}

TEST_F(PostgresCappedPageTest, TheCapCountsFromTheOffset) {
  auto middle = page(2, 1, 3);
  EXPECT_EQ(middle.ids, (Ids{4, 3}));
  EXPECT_EQ(middle.total, 4);
  EXPECT_FALSE(middle.total_exact);
  auto last = page(2, 2, 3);
  EXPECT_EQ(last.ids, (Ids{3, 2}));
  EXPECT_EQ(last.total, 5);
  EXPECT_TRUE(last.total_exact);
  auto larger = page(4, 0, 1);  // a page larger than the cap is whole
  EXPECT_EQ(larger.ids, (Ids{5, 4, 3, 2}));
  EXPECT_EQ(larger.total, 4);
}

TEST_F(PostgresCappedPageTest, PastTheEndStillCounts) {
  auto past = page(2, 10, 3);
  EXPECT_TRUE(past.ids.empty());
  EXPECT_EQ(past.total, 5);
  EXPECT_TRUE(past.total_exact);
  auto far = page(2, std::numeric_limits<std::int64_t>::max(), 3);
  EXPECT_TRUE(far.ids.empty());
  EXPECT_EQ(far.total, 5);
  Conditions none;
  none.equals("i.tag", std::string("z"));
  auto empty = page(2, 0, 3, none);
  EXPECT_TRUE(empty.ids.empty());
  EXPECT_EQ(empty.total, 0);
  EXPECT_TRUE(empty.total_exact);
}

TEST_F(PostgresCappedPageTest, TheConditionsFilterTheScan) {
  Conditions tagged;
  tagged.equals("i.tag", std::string("a"));
  auto all = page(2, 0, 10, tagged);
  EXPECT_EQ(all.ids, (Ids{5, 3}));
  EXPECT_EQ(all.total, 3);
  EXPECT_TRUE(all.total_exact);
  auto second = page(2, 2, 10, tagged);
  EXPECT_EQ(second.ids, (Ids{1}));
  auto capped = page(1, 0, 2, tagged);
  EXPECT_EQ(capped.ids, (Ids{5}));
  EXPECT_EQ(capped.total, 2);
  EXPECT_FALSE(capped.total_exact);
}

}  // namespace
}  // namespace store::postgres
