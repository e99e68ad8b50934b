#include "http/client/idle_pool.hpp"

#include <gtest/gtest.h>

namespace http {
namespace {

using namespace std::chrono_literals;

struct FakeConnection {
  int id = 0;
  IdlePool<FakeConnection>::Clock::time_point idle_since;
};

using Pool = IdlePool<FakeConnection>;
const auto kStart = Pool::Clock::time_point{} + 1h;

std::unique_ptr<FakeConnection> connection(int id) {
  auto made = std::make_unique<FakeConnection>();
  made->id = id;
  return made;
}

auto any = [](FakeConnection&) { return true; };

Pool small_pool() {
  return Pool({.max_per_origin = 2, .max_total = 3, .max_age = 30s, .sweep_every = 5s});
}

TEST(IdlePool, TakesTheLatestOfItsOriginAndDropsTheUnusableOnTheWay) {
  auto pool = small_pool();
  pool.give_back("a", connection(1), kStart);
  pool.give_back("a", connection(2), kStart);
  pool.give_back("b", connection(3), kStart);
  EXPECT_EQ(pool.take("a", any)->id, 2);
  EXPECT_EQ(pool.take("c", any), nullptr);
  EXPECT_EQ(pool.take("a", [](FakeConnection&) { return false; }), nullptr);
  EXPECT_EQ(pool.take("a", any), nullptr);  // 1 was tried and dropped
  EXPECT_EQ(pool.size(), 1u);
}

TEST(IdlePool, KeepsAtMostSoManyPerOriginAndInAll) {
  auto pool = small_pool();
  for (int id = 1; id <= 3; ++id) pool.give_back("a", connection(id), kStart);
  EXPECT_EQ(pool.size(), 2u);
  pool.give_back("b", connection(4), kStart);
  pool.give_back("c", connection(5), kStart);  // full: dropped
  EXPECT_EQ(pool.size(), 3u);
  EXPECT_EQ(pool.take("c", any), nullptr);
}

TEST(IdlePool, ASweepDropsConnectionsPastTheirAgeAndForgetsEmptyOrigins) {
  auto pool = small_pool();
  pool.give_back("once-1", connection(1), kStart);
  pool.give_back("once-2", connection(2), kStart);
  pool.give_back("busy", connection(3), kStart + 20s);
  EXPECT_EQ(pool.origins(), 3u);
  // 31 s on: the first two are too old; the give_back's sweep closes them.
  pool.give_back("busy", connection(4), kStart + 31s);
  EXPECT_EQ(pool.size(), 2u);
  EXPECT_EQ(pool.origins(), 1u);
  EXPECT_EQ(pool.take("busy", any)->id, 4);
  EXPECT_EQ(pool.take("busy", any)->id, 3);
}

TEST(IdlePool, AFullPoolSweepsBeforeRefusing) {
  Pool pool({.max_per_origin = 2, .max_total = 3, .max_age = 30s, .sweep_every = 60s});
  pool.give_back("a", connection(1), kStart);
  pool.give_back("b", connection(2), kStart + 1s);
  pool.give_back("c", connection(3), kStart + 2s);
  // Within the sweep interval, but full: the sweep runs, and finds the first one old.
  pool.give_back("d", connection(4), kStart + 30s + 500ms);
  EXPECT_EQ(pool.size(), 3u);
  EXPECT_EQ(pool.take("a", any), nullptr);
  EXPECT_EQ(pool.take("d", any)->id, 4);
}

}  // namespace
}  // namespace http
