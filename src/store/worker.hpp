#pragma once
// A dedicated thread that owns the database connection and runs jobs in order. I/O threads
// post work here and are resumed when it is done (see api/db_call.hpp).

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace store {

class Store;

class Worker {
 public:
  explicit Worker(Store& store);
  ~Worker();  // runs every job already posted, then joins
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // The job runs on the worker thread with exclusive use of the store.
  void post(std::function<void(Store&)> job);
  void stop();

 private:
  void run();

  Store& store_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void(Store&)>> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace store
