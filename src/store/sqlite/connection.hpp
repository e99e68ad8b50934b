#pragma once
// One open SQLite connection, configured for the gateway's durability promise, and an RAII
// transaction that rolls back unless committed. A Connection is used by one thread at a time
// (the store::Worker), so it is opened without SQLite's own mutex.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "core/result.hpp"
#include "store/sqlite/statement.hpp"

struct sqlite3;

namespace store::sqlite {

// How a write transaction's commit reaches the disk. kFlush waits for fsync (survives power
// loss); kOsBuffer hands the WAL frames to the OS without waiting (survives a crash of the
// process, and is made durable by the next kFlush commit's fsync of the same WAL).
enum class Sync { kFlush, kOsBuffer };

class Connection;

// A statement the connection keeps prepared for its lifetime. Destroying the handle resets
// the statement and clears its bindings, so no read snapshot stays open between uses.
class ReusedStatement {
 public:
  explicit ReusedStatement(Statement* statement) : statement_(statement) {}
  ReusedStatement(ReusedStatement&& other) noexcept
      : statement_(std::exchange(other.statement_, nullptr)) {}
  ReusedStatement& operator=(ReusedStatement&&) = delete;
  ReusedStatement(const ReusedStatement&) = delete;
  ReusedStatement& operator=(const ReusedStatement&) = delete;
  ~ReusedStatement() {
    if (statement_ != nullptr) statement_->reset();
  }

  Statement* operator->() const { return statement_; }
  Statement& operator*() const { return *statement_; }

 private:
  Statement* statement_;
};

// How long a connection that finds the database locked waits before its attempt number
// `attempt` (0, 1, ...), or nothing once it has waited 5 s in all. The writer meets a lock
// only while the checkpointer restarts the log (microseconds, or a few fsyncs) or a migration
// runs, so the waits start at 50 us: SQLite's own busy timeout sleeps 1 ms first.
std::optional<std::chrono::microseconds> lock_wait(int attempt);

class Connection {
 public:
  // `path` is a file path or ":memory:". The file must already be allowed to exist (parent
  // directories are the caller's job). Sets WAL, foreign keys, busy timeout, and
  // synchronous=FULL, or NORMAL for every commit when `flush_commits` is false (the operator
  // chose to survive a crash of the process, not of the machine: LLMGATE_SQLITE_SYNCHRONOUS).
  static core::Result<Connection> open(const std::string& path, bool flush_commits = true);
  // A connection that cannot write the database file at `path` (which must exist, in WAL
  // mode); temporary tables, which scoped searches build, still work.
  static core::Result<Connection> open_read_only(const std::string& path);

  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  core::Result<Statement> prepare(std::string_view sql) { return Statement::prepare(db_, sql); }
  // For the statements of the hot path (records, charges, BEGIN/COMMIT): prepared once and
  // kept. `sql` must have static storage (a constant): its address is the cache key.
  core::Result<ReusedStatement> reuse(const char* sql);
  // Runs SQL text with no values in it: pragmas, migration scripts, BEGIN/COMMIT.
  core::Status exec(const char* sql);
  // The text answer of "PRAGMA <name>", e.g. "wal" for journal_mode.
  core::Result<std::string> pragma(std::string_view name);
  // The rowid of this connection's most recent successful INSERT.
  std::int64_t last_insert_rowid() const;
  // Rows changed by this connection's most recent INSERT, UPDATE or DELETE.
  std::int64_t changes() const;

  // true (the default): a statement that finds the database locked waits for it (lock_wait).
  // false: it fails with SQLITE_BUSY at once.
  void wait_when_busy(bool wait);

  sqlite3* handle() const { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  core::Status configure(bool in_memory);
  // The PRAGMA synchronous text for a transaction's Sync.
  const char* synchronous_for(Sync sync) const;
  core::Status run_reused(const char* sql);
  core::Status set_sync(Sync sync);

  sqlite3* db_ = nullptr;
  // Finalized before the connection closes (see the destructor).
  std::unordered_map<const char*, std::unique_ptr<Statement>> reused_;
  Sync sync_ = Sync::kFlush;
  bool flush_commits_ = true;  // false: kFlush commits do not flush either

  friend class Transaction;
};

class Transaction {
 public:
  // BEGIN IMMEDIATE takes the write lock up front: a deferred transaction that reads and then
  // writes can fail with SQLITE_BUSY half way, which busy_timeout cannot wait out.
  // `sync` applies to this transaction's commit only.
  static core::Result<Transaction> begin_write(Connection& connection, Sync sync = Sync::kFlush);
  // A plain BEGIN: several reads see one snapshot.
  static core::Result<Transaction> begin_read(Connection& connection);

  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();  // rolls back if neither commit() nor rollback() ran

  core::Status commit();
  void rollback();

 private:
  explicit Transaction(Connection* connection) : connection_(connection) {}

  Connection* connection_;  // null once finished or moved from
};

}  // namespace store::sqlite
