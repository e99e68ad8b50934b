// The recorder's back-pressure (SPEC 8): when its queue is full, the next request waits until
// a batch has been written, instead of a record being dropped.

#include "records/recorder.hpp"

#include <gtest/gtest.h>

#include <future>
#include <memory>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "store/sqlite/sqlite_store.hpp"
#include "store/worker.hpp"

namespace records {
namespace {

namespace net = boost::asio;

net::awaitable<void> admit(Recorder& recorder, bool& admitted) {
  co_await recorder.before_request();
  admitted = true;
}

TEST(RecorderTest, AFullQueueHoldsTheNextRequestUntilABatchIsWrittenAndDropsNothing) {
  auto opened = store::sqlite::SqliteStore::open(":memory:");
  ASSERT_TRUE(opened) << opened.error().message;
  auto& store = **opened;
  ASSERT_TRUE(store.migrate());
  store::NewKey key;
  key.name = "k";
  key.key_hash = "hash-k";
  auto row = store.insert_key(key);
  ASSERT_TRUE(row) << row.error().message;

  store::Worker worker(store);
  Recorder recorder(worker, core::Clock(), {}, /*max_pending=*/2, std::chrono::milliseconds(0));
  // The worker is busy with something else: nothing gets written until it is let go.
  std::promise<void> busy;
  std::promise<void> let_go;
  auto released = let_go.get_future().share();
  worker.post([&busy, released](store::Store&) {
    busy.set_value();
    released.wait();
  });
  busy.get_future().wait();

  for (const char* id : {"request-1", "request-2"}) {
    chat::CompletionRecord record;
    record.key_id = row->id;
    record.model = "m";
    record.request_id = id;
    recorder.on_completion(record);
  }
  EXPECT_EQ(recorder.pending(), 2u);

  net::io_context io;
  auto guard = net::make_work_guard(io);
  bool admitted = false;
  net::co_spawn(io, admit(recorder, admitted), net::detached);
  io.poll();
  EXPECT_FALSE(admitted) << "a request was let in past a full queue";

  let_go.set_value();  // the batch is written; that wakes the waiting request
  while (!admitted) io.run_one();
  worker.stop();
  EXPECT_EQ(recorder.pending(), 0u);
  auto threads = store.list_threads(store::RecordFilter{});
  ASSERT_TRUE(threads) << threads.error().message;
  EXPECT_EQ(threads->total, 2);
}

}  // namespace
}  // namespace records
