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

void Checkpointer::wait_for_checkpoints(std::int64_t count) const {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return checkpoints_ >= count; });
}

void Checkpointer::run() {
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [this] { return due_ || stopping_; });
      if (stopping_) return;
      due_ = false;
    }
    int log_frames = 0;
    int copied_frames = 0;
    const int rc = sqlite3_wal_checkpoint_v2(
        connection_.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_frames, &copied_frames);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
      LLMGATE_LOG_WARN("sqlite checkpoint failed: {}", sqlite3_errmsg(connection_.handle()));
    }
    {
      std::lock_guard lock(mutex_);
      ++checkpoints_;
    }
    changed_.notify_all();
  }
}

}  // namespace store::sqlite
