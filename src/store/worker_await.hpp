#pragma once
// Runs a store job on the store's worker thread and resumes the awaiting coroutine on its
// own executor with the job's result. The one bridge between coroutines and the store, used
// by the API (api::Database) and the bots.

#include <functional>
#include <memory>
#include <type_traits>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "store/store.hpp"
#include "store/worker.hpp"

namespace store {

// `after_job`, when set, runs on the worker right after the job (e.g. to refresh the
// catalog after a write) and before the caller resumes. Name the job first and pass it as
// an lvalue or std::move(job): a capturing lambda built inside a co_await expression is
// miscompiled by GCC 12 (docs/architecture.md).
template <class Job>
boost::asio::awaitable<std::invoke_result_t<Job&, Store&>> on_worker(
    Worker& worker, Job&& job, std::function<void(Store&)> after_job = {}) {
  using Result = std::invoke_result_t<Job&, Store&>;
  // The job moves to the heap before any coroutine frame sees it.
  auto shared_job = std::make_shared<std::decay_t<Job>>(std::forward<Job>(job));
  // Not a coroutine itself: the initiation hands the awaiting coroutine's completion handler
  // to the worker, which posts the result back to the handler's own executor.
  return boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(Result)>(
      [&worker, shared_job, after_job = std::move(after_job)](auto handler) mutable {
        auto executor = boost::asio::get_associated_executor(handler);
        auto shared_handler = std::make_shared<decltype(handler)>(std::move(handler));
        worker.post(
            [shared_job, shared_handler, executor, after_job = std::move(after_job)](Store& store) {
              auto result = std::make_shared<Result>((*shared_job)(store));
              if (after_job) after_job(store);
              boost::asio::post(executor, [shared_handler, result]() mutable {
                std::move (*shared_handler)(std::move(*result));
              });
            });
      },
      boost::asio::use_awaitable);
}

}  // namespace store
