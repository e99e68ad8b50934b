#pragma once
// One libpq connection, used by one thread at a time (a store::Worker, or the change watch's
// own thread), and an RAII transaction that rolls back unless committed.
//
// Values always travel as parameters ($1, $2, ...) beside the SQL text, never spliced into
// it. Every value is sent and read in PostgreSQL's text format.
//
// A lost connection (server restarted, backend terminated, network gone) is noticed before
// the next statement and opened again, at most once a second, so that a database that comes
// back is used again without a restart; meanwhile statements fail at once with kUnavailable.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/money.hpp"
#include "core/result.hpp"

struct pg_conn;
struct pg_result;

namespace store::postgres {

// SQLSTATE codes the store turns into answers or retries.
inline constexpr std::string_view kUniqueViolation = "23505";
inline constexpr std::string_view kForeignKeyViolation = "23503";
inline constexpr std::string_view kNumericValueOutOfRange = "22003";
inline constexpr std::string_view kDeadlockDetected = "40P01";
inline constexpr std::string_view kSerializationFailure = "40001";

// The values of one statement, in order: the first is $1.
class Params {
 public:
  Params& int64(std::int64_t value);
  Params& text(std::string_view value);
  Params& boolean(bool value);
  Params& money(core::Money value) { return int64(value.nanos()); }
  Params& null();
  Params& optional_int64(const std::optional<std::int64_t>& value);
  // A bigint[] value: "{1,2,3}".
  Params& int64_array(const std::vector<std::int64_t>& values);

  int size() const { return static_cast<int>(values_.size()); }
  // The number of the placeholder the next value will fill: "$" + next().
  int next() const { return size() + 1; }
  const std::vector<std::optional<std::string>>& values() const { return values_; }

 private:
  std::vector<std::optional<std::string>> values_;
};

// The answer of one statement. Move-only; owns the PGresult.
class Rows {
 public:
  explicit Rows(pg_result* result) : result_(result) {}
  Rows(Rows&& other) noexcept;
  Rows& operator=(Rows&& other) noexcept;
  Rows(const Rows&) = delete;
  Rows& operator=(const Rows&) = delete;
  ~Rows();

  int size() const;
  bool empty() const { return size() == 0; }
  // Rows an INSERT, UPDATE or DELETE changed.
  std::int64_t affected() const;

  std::int64_t int64(int row, int column) const;
  std::string text(int row, int column) const;
  bool boolean(int row, int column) const;
  core::Money money(int row, int column) const {
    return core::Money::from_nanos(int64(row, column));
  }
  bool is_null(int row, int column) const;

 private:
  friend class Connection;
  friend class Transaction;
  pg_result* result_ = nullptr;
};

// One row of Rows, for the readers in rows.hpp.
class Row {
 public:
  Row(const Rows& rows, int index) : rows_(rows), index_(index) {}
  std::int64_t int64(int column) const { return rows_.int64(index_, column); }
  std::string text(int column) const { return rows_.text(index_, column); }
  bool boolean(int column) const { return rows_.boolean(index_, column); }
  core::Money money(int column) const { return rows_.money(index_, column); }
  bool is_null(int column) const { return rows_.is_null(index_, column); }

 private:
  const Rows& rows_;
  int index_;
};

class Connection {
 public:
  // Connects now. `url` is a postgresql:// URL; libpq's own query options (sslmode=...,
  // connect_timeout=...) are honoured and win over the defaults set here.
  static core::Result<Connection> open(const std::string& url);

  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs one statement. Errors: kUnavailable when the connection is lost (or cannot be
  // opened again yet), kInternal naming the SQL otherwise; error_state() tells which
  // constraint failed.
  core::Result<Rows> exec(std::string_view sql, const Params& params = {});
  // Runs `sql` once with each of `each`, in libpq's pipeline mode: every statement is sent
  // before the first answer is read, so a batch costs one round trip instead of one per
  // row. Meant for inside a transaction: after the first failure the server skips the
  // rest, and the error is the first one's. The answers, in order.
  core::Result<std::vector<Rows>> exec_each(std::string_view sql, const std::vector<Params>& each);
  // SQL text with no values in it, possibly several statements: migrations, BEGIN.
  core::Status exec_script(const std::string& sql);
  // The SQLSTATE of the most recent failed statement; "" when it never reached the server.
  const std::string& error_state() const { return error_state_; }
  bool failed_with(std::string_view state) const { return error_state_ == state; }

  // Notices a connection the server has closed meanwhile (only readable while idle) and
  // opens it again, at most once a second. False: there is no usable connection now.
  bool ensure_open();
  // True while inside a transaction block.
  bool in_transaction() const;
  // For the change watch: the socket to poll, and the raw handle for LISTEN/NOTIFY.
  int socket() const;
  pg_conn* handle() const { return conn_; }

 private:
  Connection(pg_conn* conn, std::string url) : conn_(conn), url_(std::move(url)) {}
  core::Error unavailable(std::string_view what) const;
  // Ok for a successful result; otherwise records the SQLSTATE and describes the failure.
  core::Status check(pg_result* result, std::string_view sql);

  friend class Transaction;
  pg_conn* conn_ = nullptr;
  std::string url_;
  std::string error_state_;
  bool in_block_ = false;        // between a Transaction's BEGIN and its end
  std::string reconnect_error_;  // why the last attempt to open it again failed
  std::chrono::steady_clock::time_point next_attempt_{};
};

// Opens a connection the way Connection::open does, for a watch that owns its raw handle.
// Null on failure, with `error` set.
pg_conn* connect_raw(const std::string& url, std::string& error);

class Transaction {
 public:
  // A plain read-committed transaction: charges, records, reservations.
  static core::Result<Transaction> begin(Connection& connection);
  // One snapshot for several reads (a page and its total, the catalog).
  static core::Result<Transaction> begin_read(Connection& connection);
  // An admin write: also takes a transaction-scoped advisory lock that every admin write of
  // every gateway takes, so that check-then-write sequences (does the group exist? then
  // insert the key) run one at a time, as SQLite's single writer runs them.
  static core::Result<Transaction> begin_write(Connection& connection);

  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();  // rolls back if neither commit() nor rollback() ran

  core::Status commit();
  void rollback();

 private:
  explicit Transaction(Connection* connection) : connection_(connection) {}
  static core::Result<Transaction> start(Connection& connection, const char* sql);

  Connection* connection_;  // null once finished or moved from
};

}  // namespace store::postgres
