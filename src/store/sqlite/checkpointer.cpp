#include "store/sqlite/checkpointer.hpp"

#include <sqlite3.h>

#include <utility>

#include "core/thread_name.hpp"
#include "telemetry/log.hpp"

namespace store::sqlite {

core::Result<std::unique_ptr<Checkpointer>> Checkpointer::start(const std::string& path,
                                                                int log_pages) {
  // Its commits are none, so the synchronous setting only shapes the checkpoint itself,
  // which syncs the log before and the database file after copying at FULL.
  auto connection = Connection::open(path);
  if (!connection) return connection.take_error();
  // Never waits for the writer or a reader: a busy log is tried again at the next commit.
  connection->wait_when_busy(false);
  return std::unique_ptr<Checkpointer>(new Checkpointer(std::move(*connection), log_pages));
}

Checkpointer::Checkpointer(Connection connection, int log_pages)
    : connection_(std::move(connection)), log_pages_(log_pages), thread_([this] {
        core::name_this_thread("llmgate-ckpt");
        run();
      }) {}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Checkpointer::take_over(Connection& writer) {
  // A WAL hook replaces SQLite's automatic checkpoint, which is itself such a hook.
  sqlite3_wal_hook(writer.handle(), &Checkpointer::on_commit, this);
}

int Checkpointer::on_commit(void* self, sqlite3* /*db*/, const char* /*schema*/, int pages) {
  static_cast<Checkpointer*>(self)->log_grew(pages);
  return SQLITE_OK;
}

void Checkpointer::log_grew(int pages) {
  if (pages < log_pages_) return;
  {
    std::lock_guard lock(mutex_);
    if (due_) return;
    due_ = true;
  }
  changed_.notify_all();
}

std::int64_t Checkpointer::checkpoints() const {
  std::lock_guard lock(mutex_);
  return checkpoints_;
}

std::int64_t Checkpointer::restarts() const {
  std::lock_guard lock(mutex_);
  return restarts_;
}

void Checkpointer::wait_for_checkpoints(std::int64_t count) const {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return checkpoints_ >= count; });
}

int Checkpointer::checkpoint(int mode) {
  int log_frames = 0;
  int copied_frames = 0;
  int rc =
      sqlite3_wal_checkpoint_v2(connection_.handle(), nullptr, mode, &log_frames, &copied_frames);
  // A PASSIVE checkpoint that could not copy every frame (a reader still needs them) reports
  // SQLITE_OK; the restart would fail the same way.
  if (rc == SQLITE_OK && copied_frames < log_frames) rc = SQLITE_BUSY;
  return rc;
}

void Checkpointer::run() {
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [this] { return due_ || stopping_; });
      if (stopping_) return;
      due_ = false;
    }
    // The log is copied without any lock first (the bulk: a RESTART would hold the write lock
    // while it copies); then, when that caught up, a RESTART copies what came since and
    // restarts the log, taking the write lock only if the writer is not using it.
    int rc = checkpoint(SQLITE_CHECKPOINT_PASSIVE);
    if (rc == SQLITE_OK) rc = checkpoint(SQLITE_CHECKPOINT_RESTART);
    // SQLITE_BUSY: the writer or a reader held the log; what could be copied was. The log
    // stays past the threshold until it restarts, so the next commit brings another try.
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
      LLMGATE_LOG_WARN("sqlite checkpoint failed: {}", sqlite3_errmsg(connection_.handle()));
    }
    {
      std::lock_guard lock(mutex_);
      ++checkpoints_;
      if (rc == SQLITE_OK) ++restarts_;
    }
    changed_.notify_all();
  }
}

}  // namespace store::sqlite
