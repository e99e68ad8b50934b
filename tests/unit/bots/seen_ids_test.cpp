// The in-memory front of the exactly-once rule: ids remembered, duplicates refused, the
// oldest forgotten first when full.

#include <gtest/gtest.h>

#include "bots/feishu/seen_ids.hpp"

namespace bots::feishu {
namespace {

TEST(SeenIdsTest, RefusesAnEventOrAMessageSeenBefore) {
  SeenIds seen(100);
  EXPECT_TRUE(seen.remember_all({"1:e:ev1", "1:m:om1"}));
  EXPECT_FALSE(seen.remember_all({"1:e:ev1", "1:m:om1"}));  // Feishu resends the event
  EXPECT_FALSE(seen.remember_all({"1:e:ev2", "1:m:om1"}));  // another event, same message
  EXPECT_FALSE(seen.remember_all({"1:e:ev1", "1:m:om2"}));
  // A refused call remembers nothing new.
  EXPECT_TRUE(seen.remember_all({"1:e:ev2", "1:m:om2"}));
  EXPECT_EQ(seen.size(), 4u);
  // Another bot may take the same message (two bots mentioned in one group message).
  EXPECT_TRUE(seen.remember_all({"2:e:ev3", "2:m:om1"}));
}

TEST(SeenIdsTest, ForgetsTheLeastRecentlySeenWhenFull) {
  SeenIds seen(4);
  EXPECT_TRUE(seen.remember_all({"a", "b"}));
  EXPECT_TRUE(seen.remember_all({"c", "d"}));
  EXPECT_FALSE(seen.remember_all({"a"}));  // "a" is now the most recent
  EXPECT_TRUE(seen.remember_all({"e"}));   // pushes out "b"
  EXPECT_EQ(seen.size(), 4u);
  EXPECT_TRUE(seen.remember_all({"b"}));  // pushes out "c"
  EXPECT_FALSE(seen.remember_all({"a"}));
  EXPECT_TRUE(seen.remember_all({"c"}));
}

TEST(SeenIdsTest, ForgetsOnRequest) {
  SeenIds seen(10);
  EXPECT_TRUE(seen.remember_all({"x", "y"}));
  seen.forget({"x", "y", "never-seen"});
  EXPECT_EQ(seen.size(), 0u);
  EXPECT_TRUE(seen.remember_all({"x", "y"}));
}

TEST(SeenIdsTest, TheSameIdTwiceInOneCallIsOne) {
  SeenIds seen(10);
  EXPECT_TRUE(seen.remember_all({"x", "x"}));
  EXPECT_EQ(seen.size(), 1u);
}

}  // namespace
}  // namespace bots::feishu
