// store::Worker: jobs run in order on one thread; deferred jobs wait for their delay, or
// run at once when the worker stops.

#include "store/worker.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "store/sqlite/sqlite_store.hpp"

namespace store {
namespace {

using namespace std::chrono_literals;

class WorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = sqlite::SqliteStore::open(":memory:");
    ASSERT_TRUE(opened);
    store_ = std::move(*opened);
  }

  void note(std::string what) {
    std::lock_guard lock(mutex_);
    order_.push_back(std::move(what));
  }
  std::vector<std::string> order() {
    std::lock_guard lock(mutex_);
    return order_;
  }

  std::unique_ptr<sqlite::SqliteStore> store_;
  std::mutex mutex_;
  std::vector<std::string> order_;
};

TEST_F(WorkerTest, ADeferredJobRunsAfterItsDelayAndAfterLaterPlainJobs) {
  Worker worker(*store_);
  std::promise<std::chrono::steady_clock::time_point> deferred_ran;
  const auto posted = std::chrono::steady_clock::now();
  worker.post_after(30ms, [&](Store&) {
    note("deferred");
    deferred_ran.set_value(std::chrono::steady_clock::now());
  });
  std::promise<void> plain_ran;
  worker.post([&](Store&) {
    note("plain");
    plain_ran.set_value();
  });
  plain_ran.get_future().wait();
  const auto ran_at = deferred_ran.get_future().get();
  EXPECT_GE(ran_at - posted, 30ms);
  EXPECT_EQ(order(), (std::vector<std::string>{"plain", "deferred"}));
}

TEST_F(WorkerTest, AnEarlierDeadlinePostedLaterRunsFirst) {
  Worker worker(*store_);
  std::promise<void> both;
  worker.post_after(60ms, [&](Store&) {
    note("late");
    both.set_value();
  });
  worker.post_after(1ms, [&](Store&) { note("early"); });
  both.get_future().wait();
  EXPECT_EQ(order(), (std::vector<std::string>{"early", "late"}));
}

TEST_F(WorkerTest, APostedJobGoesBeforeAWaitingBackgroundJob) {
  Worker worker(*store_);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  worker.post([&, released](Store&) {
    released.wait();  // holds the worker while both jobs below are queued
    note("holding");
  });
  worker.post_background([&](Store&) { note("background"); });
  std::promise<void> done;
  worker.post([&](Store&) { note("posted"); });
  worker.post_background([&](Store&) {
    note("background 2");
    done.set_value();
  });
  release.set_value();
  done.get_future().wait();
  EXPECT_EQ(order(), (std::vector<std::string>{"holding", "posted", "background", "background 2"}));
}

TEST_F(WorkerTest, StoppingRunsDeferredJobsAtOnce) {
  const auto posted = std::chrono::steady_clock::now();
  {
    Worker worker(*store_);
    worker.post_after(std::chrono::hours(1), [&](Store&) { note("deferred"); });
    worker.stop();
  }
  EXPECT_EQ(order(), (std::vector<std::string>{"deferred"}));
  EXPECT_LT(std::chrono::steady_clock::now() - posted, std::chrono::minutes(1));
}

}  // namespace
}  // namespace store
