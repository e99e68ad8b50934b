#pragma once
// The API's way to the database: a job runs on the store's worker thread and the calling
// coroutine resumes on its own I/O thread with the result. `write` also rebuilds the
// catalog snapshot before resuming, so an admin change applies to the very next request.

#include <atomic>
#include <memory>
#include <type_traits>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "billing/ledger.hpp"
#include "catalog/catalog.hpp"
#include "store/store.hpp"
#include "store/worker.hpp"
#include "store/worker_await.hpp"

namespace providers {
class Registry;
}

namespace api {

class Database {
 public:
  Database(store::Worker& worker, catalog::CatalogHolder& catalog,
           const providers::Registry& registry, billing::Ledger& ledger)
      : worker_(worker), catalog_(catalog), registry_(registry), ledger_(ledger) {}

  // Name the job first (see store/worker_await.hpp on GCC 12).
  template <class Job>
  boost::asio::awaitable<std::invoke_result_t<Job&, store::Store&>> read(Job&& job) {
    return store::on_worker(worker_, std::forward<Job>(job));
  }
  // A write also rebuilds the catalog (and syncs the ledger) before the caller resumes, so
  // the change applies to the very next request.
  template <class Job>
  boost::asio::awaitable<std::invoke_result_t<Job&, store::Store&>> write(Job&& job) {
    return store::on_worker(worker_, std::forward<Job>(job),
                            [this](store::Store& store) { refresh_catalog(store); });
  }

  // Rebuilds the catalog from the store; call on the worker thread only.
  void refresh_catalog(store::Store& store);
  // Rebuilds the catalog soon, on the worker thread: another gateway changed the database
  // (store::Store::watch_changes). Any thread; a burst of calls makes one rebuild.
  void refresh_soon();
  const providers::Registry& registry() const { return registry_; }
  const billing::Ledger& ledger() const { return ledger_; }
  // A stored key row as of now: month_fee is 0 once its month is over (SPEC 7 rollover).
  store::KeyRow current(store::KeyRow row) const {
    row.month_fee = ledger_.effective_month_fee(row);
    return row;
  }

 private:
  store::Worker& worker_;
  std::atomic<bool> refresh_queued_{false};
  catalog::CatalogHolder& catalog_;
  const providers::Registry& registry_;
  billing::Ledger& ledger_;
};

}  // namespace api
