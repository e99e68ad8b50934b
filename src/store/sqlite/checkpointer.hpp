#pragma once
// Copies the write-ahead log into the database file from a thread and connection of its
// own. SQLite's automatic checkpoint runs inside the commit that crosses 1,000 log pages, on
// the store's worker thread, and ends with an fsync of the database file: tens of
// milliseconds that every charge queued behind it adds to its answer (bench/RESULTS.md).
//
// A checkpoint here copies the log without blocking anyone (PASSIVE), then tries a RESTART
// that never waits: if it got the write lock for a moment and no reader was in the log, the
// writer's next transaction starts the log from its beginning. If the writer or a reader was
// busy, the next commit brings another try.
// Without the restart, a log that the writer keeps adding to is never started over: every
// commit past the threshold then brought a checkpoint with two fsyncs of its own (one per
// charge batch under load; bench/RESULTS.md, fifth session).

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

  // Checkpoints done so far, how many of them restarted the log, and waiting for more (for
  // tests).
  std::int64_t checkpoints() const;
  std::int64_t restarts() const;
  void wait_for_checkpoints(std::int64_t count) const;

 private:
  Checkpointer(Connection connection, int log_pages);
  void run();
  // One sqlite3_wal_checkpoint_v2 in `mode`: SQLITE_BUSY unless every frame was copied.
  int checkpoint(int mode);
  void log_grew(int pages);
  static int on_commit(void* self, struct sqlite3* db, const char* schema, int pages);

  Connection connection_;
  const int log_pages_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  bool due_ = false;
  bool stopping_ = false;
  std::int64_t checkpoints_ = 0;
  std::int64_t restarts_ = 0;
  std::thread thread_;
};

}  // namespace store::sqlite
