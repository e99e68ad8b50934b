#include "api/database.hpp"

#include "telemetry/log.hpp"

namespace api {

void Database::refresh_catalog(store::Store& store) {
  auto data = store.load_catalog();
  if (!data) {
    // The old snapshot stays in force; the next successful write will catch up.
    LLMGATE_LOG_ERROR("reloading the catalog failed: {}", data.error().message);
    return;
  }
  // On the worker thread, after the write committed: memory and database agree here.
  ledger_.sync(data->keys);
  catalog_.replace(catalog::Catalog::build(std::move(*data), registry_));
}

void Database::refresh_key(store::Store& store, std::int64_t key_id) {
  auto row = store.find_key(key_id);
  if (!row && row.error().kind != core::ErrorKind::kNotFound) {
    refresh_catalog(store);  // the store failed: the whole rebuild says so in the log
    return;
  }
  const store::KeyRow* stored = row ? &*row : nullptr;
  ledger_.sync_key(key_id, stored);
  catalog_.replace(catalog_.current()->with_key(key_id, stored));
}

boost::asio::awaitable<core::Status> Database::prepare_search() {
  // Without a reader, the search runs on the writer, which indexes what waits itself.
  if (&reader_ == &worker_) co_return core::Ok{};
  auto job = [](store::Store& store) { return store.prepare_search(); };
  co_return co_await in_write_order(std::move(job));
}

void Database::refresh_soon() {
  if (refresh_queued_.exchange(true)) return;  // one is queued and has not started yet
  worker_.post([this](store::Store& store) {
    refresh_queued_ = false;  // a change announced from now on needs another rebuild
    refresh_catalog(store);
  });
}

}  // namespace api
