#pragma once
// The API's way to the database: a job runs on a store worker thread and the calling
// coroutine resumes on its own I/O thread with the result. Writes run on the writer, in
// order with charges and records; `write` also rebuilds the catalog snapshot before
// resuming, so an admin change applies to the very next request. Reads run on a reader of
// their own, when the database allows a second connection: a long admin read (statistics
// over millions of threads take seconds) would otherwise hold up every charge behind it,
// and with them the answers that wait for their charge.

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
  // `reader`: the worker of a store opened with store::OpenAs::kReader; null when there is
  // none (SQLite ":memory:"), and reads run on the writer.
  Database(store::Worker& worker, store::Worker* reader, catalog::CatalogHolder& catalog,
           const providers::Registry& registry, billing::Ledger& ledger)
      : worker_(worker),
        reader_(reader != nullptr ? *reader : worker),
        catalog_(catalog),
        registry_(registry),
        ledger_(ledger) {}

  // Name the job first (see store/worker_await.hpp on GCC 12). A read sees every write
  // that was acknowledged before it began; a `q` search needs prepare_search first.
  template <class Job>
  boost::asio::awaitable<std::invoke_result_t<Job&, store::Store&>> read(Job&& job) {
    return store::on_worker(reader_, std::forward<Job>(job));
  }
  // On the writer, in order with the writes queued before it, without a catalog rebuild.
  template <class Job>
  boost::asio::awaitable<std::invoke_result_t<Job&, store::Store&>> in_write_order(Job&& job) {
    return store::on_worker(worker_, std::forward<Job>(job));
  }
  // Makes every record written so far findable by a search that `read` runs next.
  boost::asio::awaitable<core::Status> prepare_search();
  // A write also rebuilds the catalog (and syncs the ledger) before the caller resumes, so
  // the change applies to the very next request.
  template <class Job>
  boost::asio::awaitable<std::invoke_result_t<Job&, store::Store&>> write(Job&& job) {
    return store::on_worker(worker_, std::forward<Job>(job),
                            [this](store::Store& store) { refresh_catalog(store); });
  }

  // A write that changes one key's row and nothing else (create, settings, recharge, new
  // secret, delete): the catalog and the ledger take that row alone (Catalog::with_key),
  // not every row again (15 ms at 10,000 keys, during which charges wait). `key_id` names
  // the key; 0 for a new one, which the job's KeyRow names.
  template <class Job>
  boost::asio::awaitable<std::invoke_result_t<Job&, store::Store&>> write_key(std::int64_t key_id,
                                                                              Job&& job) {
    using Result = std::invoke_result_t<Job&, store::Store&>;
    auto id = std::make_shared<std::int64_t>(key_id);
    auto wrapped = [job = std::forward<Job>(job), id](store::Store& store) mutable {
      Result result = job(store);
      if constexpr (std::is_same_v<Result, core::Result<store::KeyRow>>) {
        if (result) *id = result->id;
      }
      return result;
    };
    return store::on_worker(worker_, std::move(wrapped), [this, id](store::Store& store) {
      if (*id != 0) refresh_key(store, *id);
    });
  }

  // Rebuilds the catalog from the store; call on the worker thread only.
  void refresh_catalog(store::Store& store);
  // Takes one key's stored row into the catalog and the ledger; on the worker thread only.
  void refresh_key(store::Store& store, std::int64_t key_id);
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
  store::Worker& reader_;
  std::atomic<bool> refresh_queued_{false};
  catalog::CatalogHolder& catalog_;
  const providers::Registry& registry_;
  billing::Ledger& ledger_;
};

}  // namespace api
