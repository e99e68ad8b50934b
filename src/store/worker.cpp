#include "store/worker.hpp"

#include <algorithm>

#include "core/thread_name.hpp"
#include "store/store.hpp"

namespace store {

Worker::Worker(Store& store, const char* thread_name)
    : store_(store), thread_([this, thread_name] {
        core::name_this_thread(thread_name);
        run();
      }) {}

Worker::~Worker() { stop(); }

void Worker::post(std::function<void(Store&)> job) {
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
}

void Worker::post_background(std::function<void(Store&)> job) {
  {
    std::lock_guard lock(mutex_);
    background_.emplace_back(std::chrono::steady_clock::now(), std::move(job));
  }
  wake_.notify_one();
}

void Worker::post_after(std::chrono::milliseconds delay, std::function<void(Store&)> job) {
  {
    std::lock_guard lock(mutex_);
    deferred_.emplace_back(std::chrono::steady_clock::now() + delay, std::move(job));
  }
  wake_.notify_one();  // the worker may be waiting for a later deadline
}

void Worker::queue_due_locked(Deadline now) {
  std::erase_if(deferred_, [&](auto& entry) {
    if (!stopping_ && entry.first > now) return false;
    background_.emplace_back(now, std::move(entry.second));
    return true;
  });
}

void Worker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void Worker::run() {
  for (;;) {
    std::function<void(Store&)> job;
    {
      std::unique_lock lock(mutex_);
      for (;;) {
        const auto now = std::chrono::steady_clock::now();
        queue_due_locked(now);
        if (!background_.empty() &&
            (jobs_.empty() || now - background_.front().first >= kMaxBackgroundWait)) {
          job = std::move(background_.front().second);
          background_.pop_front();
          break;
        }
        if (!jobs_.empty()) {
          job = std::move(jobs_.front());
          jobs_.pop_front();
          break;
        }
        if (stopping_) return;  // drained, background and deferred jobs included
        if (deferred_.empty()) {
          wake_.wait(lock);
        } else {
          Deadline earliest = deferred_.front().first;
          for (const auto& entry : deferred_) earliest = std::min(earliest, entry.first);
          wake_.wait_until(lock, earliest);
        }
      }
    }
    job(store_);
  }
}

}  // namespace store
