#pragma once
// Runs a store job on the store's worker thread and resumes the calling coroutine on its
// own executor with the result (the bot's counterpart of api::Database, which the bots do
// not depend on; no catalog refresh: the bot writes nothing the catalog holds).

#include <memory>
#include <type_traits>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "store/store.hpp"
#include "store/worker.hpp"

namespace bots::feishu {

// Name the job first and pass it as an lvalue or std::move(job): a lambda with captures
// built inside a co_await expression is miscompiled by GCC 12 (docs/architecture.md).
template <class Job>
boost::asio::awaitable<std::invoke_result_t<Job&, store::Store&>> on_store_worker(
    store::Worker& worker, Job&& job) {
  using Result = std::invoke_result_t<Job&, store::Store&>;
  auto shared_job = std::make_shared<std::decay_t<Job>>(std::forward<Job>(job));
  return boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(Result)>(
      [&worker, shared_job](auto handler) {
        auto executor = boost::asio::get_associated_executor(handler);
        auto shared_handler = std::make_shared<decltype(handler)>(std::move(handler));
        worker.post([shared_job, shared_handler, executor](store::Store& store) {
          auto result = std::make_shared<Result>((*shared_job)(store));
          boost::asio::post(executor, [shared_handler, result]() mutable {
            std::move (*shared_handler)(std::move(*result));
          });
        });
      },
      boost::asio::use_awaitable);
}

}  // namespace bots::feishu
