// The record lists' capped count (store/sqlite/query.hpp select_capped_page): exact totals up
// to offset + cap, a lower bound beyond, and the page's rows in the scan's order.

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

#include "admin_fixtures.hpp"
#include "store/sqlite/query.hpp"

namespace store::sqlite {
namespace {

using namespace testing;

struct Item {
  std::int64_t id = 0;
  std::string tag;
};

Item read_item(const Statement& row) { return {row.column_int64(0), row.column_text(1)}; }

class CappedPageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = open_migrated();
    // Ids 1..5; the page's FROM joins a second table that only adds a column.
    exec(*store_,
         "CREATE TABLE items (id INTEGER PRIMARY KEY, tag TEXT NOT NULL, group_id INTEGER);"
         "CREATE TABLE item_groups (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
         "INSERT INTO item_groups VALUES (1, 'one');"
         "INSERT INTO items VALUES (1, 'a', 1), (2, 'b', 1), (3, 'a', NULL), (4, 'b', 1), "
         "(5, 'a', 1);");
  }

  Page<Item> list(std::int64_t limit, std::int64_t offset, std::int64_t cap,
                  const Conditions& conditions = Conditions{}) {
    ListQuery page;
    page.limit = limit;
    page.offset = offset;
    auto result = select_capped_page<Item>(
        store_->connection(), {"items i", "i.id", "i.id DESC"}, conditions,
        {"i.id, i.tag || COALESCE(g.name, '')",
         "items i LEFT JOIN item_groups g ON g.id = i.group_id", "i.id DESC"},
        "i.id", page, read_item, cap);
    EXPECT_TRUE(result) << result.error().message;
    return result ? std::move(*result) : Page<Item>{};
  }

  static std::vector<std::int64_t> ids(const Page<Item>& page) {
    std::vector<std::int64_t> out;
    for (const Item& item : page.items) out.push_back(item.id);
    return out;
  }

  std::unique_ptr<SqliteStore> store_;
};

using Ids = std::vector<std::int64_t>;

TEST_F(CappedPageTest, ExactUpToTheCap) {
  auto page = list(2, 0, 5);
  EXPECT_EQ(page.total, 5);
  EXPECT_TRUE(page.total_exact);
  EXPECT_EQ(ids(page), (Ids{5, 4}));
  EXPECT_EQ(page.items[0].tag, "aone");
  EXPECT_EQ(page.items.size(), 2u);
}

TEST_F(CappedPageTest, ALowerBoundPastTheCap) {
  auto page = list(2, 0, 3);
  EXPECT_EQ(page.total, 3);
  EXPECT_FALSE(page.total_exact);
  EXPECT_EQ(ids(page), (Ids{5, 4}));
}

TEST_F(CappedPageTest, TheCapCountsFromTheOffset) {
  // offset 1 + cap 3 = 4 of 5 rows: still a lower bound, but past the page.
  auto middle = list(2, 1, 3);
  EXPECT_EQ(middle.total, 4);
  EXPECT_FALSE(middle.total_exact);
  EXPECT_EQ(ids(middle), (Ids{4, 3}));
  EXPECT_EQ(middle.items[1].tag, "a");  // the LEFT JOIN found no group: still listed
  // offset 2 + cap 3 reaches the end: exact again.
  auto last = list(2, 2, 3);
  EXPECT_EQ(last.total, 5);
  EXPECT_TRUE(last.total_exact);
  EXPECT_EQ(ids(last), (Ids{3, 2}));
}

TEST_F(CappedPageTest, APageLargerThanTheCapIsWhole) {
  auto page = list(4, 0, 1);
  EXPECT_EQ(ids(page), (Ids{5, 4, 3, 2}));
  EXPECT_EQ(page.total, 4);
  EXPECT_FALSE(page.total_exact);
}

TEST_F(CappedPageTest, PastTheEnd) {
  auto page = list(2, 10, 3);
  EXPECT_TRUE(page.items.empty());
  EXPECT_EQ(page.total, 5);
  EXPECT_TRUE(page.total_exact);
  auto far = list(2, std::numeric_limits<std::int64_t>::max(), 3);
  EXPECT_TRUE(far.items.empty());
  EXPECT_EQ(far.total, 5);
}

TEST_F(CappedPageTest, TheConditionsFilterTheScan) {
  Conditions tagged;
  tagged.equals("i.tag", std::string("a"));
  auto page = list(2, 0, 10, tagged);
  EXPECT_EQ(page.total, 3);
  EXPECT_TRUE(page.total_exact);
  EXPECT_EQ(ids(page), (Ids{5, 3}));
  auto capped = list(1, 0, 2, tagged);
  EXPECT_EQ(capped.total, 2);
  EXPECT_FALSE(capped.total_exact);
  EXPECT_EQ(ids(capped), (Ids{5}));
}

}  // namespace
}  // namespace store::sqlite
