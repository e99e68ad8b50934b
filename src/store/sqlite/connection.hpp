#pragma once
// One open SQLite connection, configured for the gateway's durability promise, and an RAII
// transaction that rolls back unless committed. A Connection is used by one thread at a time
// (the store::Worker), so it is opened without SQLite's own mutex.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "store/sqlite/statement.hpp"

struct sqlite3;

namespace store::sqlite {

class Connection {
 public:
  // `path` is a file path or ":memory:". The file must already be allowed to exist (parent
  // directories are the caller's job). Sets WAL, synchronous=FULL, foreign keys, busy timeout.
  static core::Result<Connection> open(const std::string& path);

  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  core::Result<Statement> prepare(std::string_view sql) { return Statement::prepare(db_, sql); }
  // Runs SQL text with no values in it: pragmas, migration scripts, BEGIN/COMMIT.
  core::Status exec(const char* sql);
  // The text answer of "PRAGMA <name>", e.g. "wal" for journal_mode.
  core::Result<std::string> pragma(std::string_view name);
  // The rowid of this connection's most recent successful INSERT.
  std::int64_t last_insert_rowid() const;
  // Rows changed by this connection's most recent INSERT, UPDATE or DELETE.
  std::int64_t changes() const;

  sqlite3* handle() const { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  core::Status configure(bool in_memory);

  sqlite3* db_ = nullptr;
};

class Transaction {
 public:
  // BEGIN IMMEDIATE takes the write lock up front: a deferred transaction that reads and then
  // writes can fail with SQLITE_BUSY half way, which busy_timeout cannot wait out.
  static core::Result<Transaction> begin_write(Connection& connection);
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
