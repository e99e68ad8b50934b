#include "store/sqlite/connection.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <utility>

#include "store/sqlite/search_tokenizer.hpp"

namespace store::sqlite {

namespace {

constexpr std::chrono::milliseconds kBusyTimeout{5000};

constexpr const char* kBeginImmediate = "BEGIN IMMEDIATE";
constexpr const char* kBegin = "BEGIN";
constexpr const char* kCommit = "COMMIT";
constexpr const char* kRollback = "ROLLBACK";
constexpr const char* kSyncFull = "PRAGMA synchronous = FULL";
constexpr const char* kSyncNormal = "PRAGMA synchronous = NORMAL";

int wait_for_lock(void* /*unused*/, int attempt) {
  auto wait = lock_wait(attempt);
  if (!wait) return 0;
  std::this_thread::sleep_for(*wait);
  return 1;
}

core::Result<sqlite3*> open_database(const std::string& path, int flags) {
  // Before SQLite's first use (later it is refused, harmlessly): no counting of memory in
  // use, which takes a global mutex on every allocation (about 400 per request).
  static const int kNoMemoryStatus = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)kNoMemoryStatus;
  sqlite3* db = nullptr;
  // No URI flag: a path is a path, even one that starts with "file:".
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string reason = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return core::Error::internal("cannot open sqlite database '" + path + "': " + reason);
  }
  return db;
}

// FTS5's extension interface, as its documentation gets it: a pointer handed out through a
// bound parameter of the fts5() SQL function.
fts5_api* fts5_api_of(sqlite3* db) {
  fts5_api* api = nullptr;
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &statement, nullptr) == SQLITE_OK) {
    sqlite3_bind_pointer(statement, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
    sqlite3_step(statement);
  }
  sqlite3_finalize(statement);
  return api;
}

}  // namespace

std::optional<std::chrono::microseconds> lock_wait(int attempt) {
  using std::chrono::microseconds;
  constexpr microseconds kFirstWait{50};
  constexpr microseconds kLongestWait{2000};
  constexpr int kDoublings = 5;  // 50 us .. 800 us, then 2 ms each
  // The waits before this one, summed.
  const int doubled = std::min(attempt, kDoublings);
  const microseconds waited =
      kFirstWait * ((1 << doubled) - 1) + kLongestWait * std::max(attempt - kDoublings, 0);
  if (waited >= kBusyTimeout) return std::nullopt;
  return attempt < kDoublings ? kFirstWait * (1 << attempt) : kLongestWait;
}

core::Result<Connection> Connection::open(const std::string& path, bool flush_commits) {
  auto db = open_database(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!db) return db.take_error();
  Connection connection(*db);
  connection.flush_commits_ = flush_commits;
  if (auto status = connection.configure(path == ":memory:"); !status) {
    return core::Error::internal("cannot configure sqlite database '" + path +
                                 "': " + status.error().message);
  }
  return connection;
}

core::Result<Connection> Connection::open_read_only(const std::string& path) {
  auto db = open_database(path, SQLITE_OPEN_READONLY);
  if (!db) return db.take_error();
  Connection connection(*db);
  if (auto status = connection.configure(false); !status) {
    return core::Error::internal("cannot configure sqlite database '" + path +
                                 "': " + status.error().message);
  }
  return connection;
}

Connection::Connection(Connection&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      reused_(std::move(other.reused_)),
      sync_(other.sync_),
      flush_commits_(other.flush_commits_) {}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    reused_.clear();
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    reused_ = std::move(other.reused_);
    sync_ = other.sync_;
    flush_commits_ = other.flush_commits_;
  }
  return *this;
}

Connection::~Connection() {
  reused_.clear();  // statements first: they belong to db_
  sqlite3_close_v2(db_);
}

core::Result<ReusedStatement> Connection::reuse(const char* sql) {
  auto found = reused_.find(sql);
  if (found == reused_.end()) {
    auto statement = Statement::prepare_persistent(db_, sql);
    if (!statement) return statement.take_error();
    found = reused_.emplace(sql, std::make_unique<Statement>(std::move(*statement))).first;
  }
  return ReusedStatement(found->second.get());
}

core::Status Connection::run_reused(const char* sql) {
  auto statement = reuse(sql);
  if (!statement) return statement.take_error();
  return (*statement)->run();
}

core::Status Connection::set_sync(Sync sync) {
  if (synchronous_for(sync) == synchronous_for(sync_)) return core::Ok{};
  // Outside a transaction only: the setting applies to the next commit. Not a kept
  // statement: SQLite applies this pragma when it is prepared, not when it is stepped.
  auto status = exec(synchronous_for(sync));
  if (status) sync_ = sync;
  return status;
}

const char* Connection::synchronous_for(Sync sync) const {
  return sync == Sync::kFlush && flush_commits_ ? kSyncFull : kSyncNormal;
}

core::Status Connection::configure(bool in_memory) {
  // Extended codes tell a UNIQUE failure (409) from a FOREIGN KEY failure (400).
  sqlite3_extended_result_codes(db_, 1);
  // Before anything reads the search index, whose tables name this tokenizer.
  if (const int rc = register_search_tokenizer(fts5_api_of(db_)); rc != SQLITE_OK) {
    return core::Error::internal(std::string("cannot register the search tokenizer: ") +
                                 sqlite3_errstr(rc));
  }
  wait_when_busy(true);
  if (auto status = exec("PRAGMA foreign_keys = ON"); !status) return status;
  auto mode = pragma("journal_mode = WAL");
  if (!mode) return mode.take_error();
  // An in-memory database has no journal file; anywhere else WAL is required, because the
  // single writer must not block the readers and the synchronous setting assumes WAL.
  if (!in_memory && *mode != "wal") {
    return core::Error::internal("WAL journal mode unavailable (got '" + *mode +
                                 "'); is the file on a network file system?");
  }
  // FULL, not NORMAL, unless the operator chose otherwise: in WAL mode NORMAL may lose the
  // last commits on power loss, and a charge that was acknowledged must survive (SPEC 7).
  return exec(synchronous_for(Sync::kFlush));
}

void Connection::wait_when_busy(bool wait) {
  sqlite3_busy_handler(db_, wait ? &wait_for_lock : nullptr, nullptr);
}

core::Status Connection::exec(const char* sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return core::Ok{};
  std::string reason = message != nullptr ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  return core::Error::internal("sqlite error: " + reason + " in: " + sql);
}

core::Result<std::string> Connection::pragma(std::string_view name) {
  // Pragma names cannot be bound; callers pass compile-time text, never user input.
  auto statement = prepare("PRAGMA " + std::string(name));
  if (!statement) return statement.take_error();
  switch (statement->step()) {
    case Step::kRow:
      return statement->column_text(0);
    case Step::kDone:
      return std::string();
    case Step::kError:
      break;
  }
  return statement->internal_error();
}

std::int64_t Connection::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

std::int64_t Connection::changes() const { return sqlite3_changes64(db_); }

core::Result<Transaction> Transaction::begin_write(Connection& connection, Sync sync) {
  if (auto status = connection.set_sync(sync); !status) return status.take_error();
  if (auto status = connection.run_reused(kBeginImmediate); !status) return status.take_error();
  return Transaction(&connection);
}

core::Result<Transaction> Transaction::begin_read(Connection& connection) {
  if (auto status = connection.run_reused(kBegin); !status) return status.take_error();
  return Transaction(&connection);
}

Transaction::Transaction(Transaction&& other) noexcept
    : connection_(std::exchange(other.connection_, nullptr)) {}

Transaction::~Transaction() { rollback(); }

core::Status Transaction::commit() {
  Connection* connection = std::exchange(connection_, nullptr);
  if (connection == nullptr) return core::Error::internal("commit of a finished transaction");
  auto status = connection->run_reused(kCommit);
  // A failed COMMIT (SQLITE_BUSY, disk full) can leave the transaction open; end it so the
  // connection is usable for the next job.
  if (!status && sqlite3_get_autocommit(connection->handle()) == 0) {
    (void)connection->run_reused(kRollback);
  }
  return status;
}

void Transaction::rollback() {
  Connection* connection = std::exchange(connection_, nullptr);
  // Some errors (SQLITE_FULL, SQLITE_IOERR) roll back on their own; a second ROLLBACK
  // would only report "no transaction is active".
  if (connection != nullptr && sqlite3_get_autocommit(connection->handle()) == 0) {
    (void)connection->run_reused(kRollback);
  }
}

}  // namespace store::sqlite
