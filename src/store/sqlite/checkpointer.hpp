#pragma once
// Copies the write-ahead log into the database file from a thread and connection of its
// own. SQLite's automatic checkpoint runs inside the commit that crosses 1,000 log pages, on
// the store's worker thread, and ends with an fsync of the database file: tens of
// milliseconds that every charge queued behind it adds to its answer (bench/RESULTS.md). A
// PASSIVE checkpoint from another connection blocks neither the writer nor the readers.

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/result.hpp"
#include "store/sqlite/connection.hpp"

namespace store::sqlite {

class Checkpointer {
 public:
  static constexpr int kDefaultLogPages = 1000;  // SQLite's own automatic threshold

  // Opens its own connection to `path` (a file, not ":memory:") and starts the thread.
  static core::Result<std::unique_ptr<Checkpointer>> start(const std::string& path,
                                                           int log_pages = kDefaultLogPages);
  ~Checkpointer();  // stops the thread; SQLite checkpoints what is left when the last
                    // connection closes
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Takes over `writer`'s checkpoints: its commits no longer checkpoint, they wake this
  // thread once the log has `log_pages` pages. `writer` must close before this is destroyed.
  void take_over(Connection& writer);

  // Checkpoints done so far, and waiting for more (for tests).
  std::int64_t checkpoints() const;
  void wait_for_checkpoints(std::int64_t count) const;

 private:
  Checkpointer(Connection connection, int log_pages);
  void run();
  void log_grew(int pages);
  static int on_commit(void* self, struct sqlite3* db, const char* schema, int pages);

  Connection connection_;
  const int log_pages_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  bool due_ = false;
  bool stopping_ = false;
  std::int64_t checkpoints_ = 0;
  std::thread thread_;
};

}  // namespace store::sqlite
