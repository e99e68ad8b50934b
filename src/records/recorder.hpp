#pragma once
// The pipeline's CompletionObserver for chat records: a bounded queue, written in batches
// by the store's worker thread.

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include <boost/json/array.hpp>

#include "chat/completion_observer.hpp"
#include "core/clock.hpp"
#include "store/store.hpp"
#include "store/worker.hpp"

namespace records {

class Recorder final : public chat::CompletionObserver {
 public:
  static constexpr std::size_t kDefaultMaxPending = 10'000;
  // A batch is written this long after its first record, or at once when it has kFullBatch
  // records: a batch has a fixed cost (a commit, a search-index segment per table) that is
  // large next to a row's, so records gather for a moment instead of going one by one.
  static constexpr std::chrono::milliseconds kDefaultBatchWindow{10};
  static constexpr std::size_t kFullBatch = 512;
  // Rows per transaction: the worker's background jobs yield to charges between
  // transactions, so a charge waits for at most this many rows' writing (a few ms).
  static constexpr std::size_t kRowsPerWrite = 128;

  // What of a request's content a record keeps (LLMGATE_STORE_CONTENT, LLMGATE_STORE_MEDIA).
  struct Keep {
    bool text = true;   // prompt, completion, whole prompt, title
    bool media = true;  // inline images, audio and files in the whole prompt
  };

  Recorder(store::Worker& worker, core::Clock clock, Keep keep,
           std::size_t max_pending = kDefaultMaxPending,
           std::chrono::milliseconds batch_window = kDefaultBatchWindow);

  void on_completion(chat::CompletionRecord& record) override;
  boost::asio::awaitable<void> before_request() override;
  bool keeps_text() const override { return store_content_; }

  // Queues one last write of everything still queued (records kept while the database was
  // away); call before stopping the worker.
  void flush_before_stop();

  // Records queued and not yet written (for tests and metrics).
  std::size_t pending() const;

 private:
  // A record with its messages still as JSON: turning them into text happens on the worker.
  struct Queued {
    store::NewThread thread;
    // Moved from the request with its storage (the request's arena, kept alive by it), so
    // that nothing is copied on the I/O thread; empty when the request had none.
    std::optional<boost::json::array> messages;
    bool built = false;  // thread is complete (kept from a batch the database refused)
  };
  void flush(store::Store& store);  // on the worker thread
  void wake_waiters_locked(std::vector<std::function<void()>>& wake);

  store::Worker& worker_;
  core::Clock clock_;
  bool store_content_;
  bool store_media_;
  std::size_t max_pending_;
  std::chrono::milliseconds batch_window_;
  mutable std::mutex mutex_;
  std::vector<Queued> queue_;
  std::size_t in_flight_ = 0;  // taken by a running flush, not yet written
  bool flush_scheduled_ = false;
  std::deque<std::function<void()>> waiters_;
};

}  // namespace records
