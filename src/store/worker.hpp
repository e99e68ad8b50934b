#pragma once
// A dedicated thread that owns the database connection and runs jobs in order. I/O threads
// post work here and are resumed when it is done (see api/db_call.hpp).

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace store {

class Store;

class Worker {
 public:
  // `thread_name` shows in `top -H` and `perf --comm` (at most 15 characters).
  explicit Worker(Store& store, const char* thread_name = "llmgate-store");
  ~Worker();  // runs every job already posted, then joins
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // The job runs on the worker thread with exclusive use of the store.
  void post(std::function<void(Store&)> job);
  // Background jobs (chat records) run when no posted job waits, or once one has waited
  // kMaxBackgroundWait: a charge that an answer waits for never queues behind them.
  void post_background(std::function<void(Store&)> job);
  // A background job that joins its queue once `delay` has passed (or at once when the
  // worker stops), so that work which is cheaper in bulk can gather first.
  void post_after(std::chrono::milliseconds delay, std::function<void(Store&)> job);

  static constexpr std::chrono::milliseconds kMaxBackgroundWait{100};
  void stop();

 private:
  using Deadline = std::chrono::steady_clock::time_point;

  void run();
  void queue_due_locked(Deadline now);

  Store& store_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void(Store&)>> jobs_;
  std::deque<std::pair<Deadline, std::function<void(Store&)>>> background_;  // since when
  std::vector<std::pair<Deadline, std::function<void(Store&)>>> deferred_;   // few: no heap
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace store
