#include "store/postgres/connection.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <array>
#include <charconv>
#include <utility>

#include "telemetry/log.hpp"

namespace store::postgres {

namespace {

// Reopening a lost connection is tried at most this often: a database that is down is not
// hammered by every job, and jobs meanwhile fail at once instead of waiting.
constexpr auto kReconnectInterval = std::chrono::seconds(1);

// The key of the advisory lock every admin write takes (Transaction::begin_write): "llmgate"
// and 2 in its bytes, so that it cannot collide with another application's lock by chance.
constexpr const char* kBeginAdminWrite = "BEGIN; SELECT pg_advisory_xact_lock(7812739744365044994)";

std::string trimmed(const char* message) {
  std::string text = message != nullptr ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// libpq prints server notices (e.g. "text-search query doesn't contain lexemes") to stderr
// by default; they are no news to an operator, so they go to the debug log.
void log_notice(void*, const char* message) {
  LLMGATE_LOG_DEBUG("postgresql: {}", trimmed(message));
}

// Server-side states that mean "not now" rather than a bug: the connection class (08),
// operator intervention (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect
// now), and too many connections (53300).
bool unavailable_state(std::string_view state) {
  return state.starts_with("08") || state == "57P01" || state == "57P02" || state == "57P03" ||
         state == "53300";
}

}  // namespace

// ---- Params -----------------------------------------------------------------------------

Params& Params::int64(std::int64_t value) {
  values_.emplace_back(std::to_string(value));
  return *this;
}

Params& Params::text(std::string_view value) {
  // PostgreSQL's text cannot hold NUL, and libpq reads a text parameter up to its first
  // NUL: "before\0after" would be stored as "before". A NUL (valid in JSON as \u0000) is
  // stored as U+FFFD instead, the rest kept.
  if (value.find('\0') == std::string_view::npos) {
    values_.emplace_back(std::string(value));
    return *this;
  }
  std::string kept;
  kept.reserve(value.size() + 8);
  for (char c : value) {
    if (c == '\0') {
      kept += "\xEF\xBF\xBD";
    } else {
      kept += c;
    }
  }
  values_.emplace_back(std::move(kept));
  return *this;
}

Params& Params::boolean(bool value) {
  values_.emplace_back(value ? "t" : "f");
  return *this;
}

Params& Params::null() {
  values_.emplace_back(std::nullopt);
  return *this;
}

Params& Params::optional_int64(const std::optional<std::int64_t>& value) {
  return value ? int64(*value) : null();
}

Params& Params::int64_array(const std::vector<std::int64_t>& values) {
  std::string text = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) text += ',';
    text += std::to_string(values[i]);
  }
  text += '}';
  values_.emplace_back(std::move(text));
  return *this;
}

// ---- Rows -------------------------------------------------------------------------------

Rows::Rows(Rows&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}

Rows& Rows::operator=(Rows&& other) noexcept {
  if (this != &other) {
    PQclear(result_);
    result_ = std::exchange(other.result_, nullptr);
  }
  return *this;
}

Rows::~Rows() { PQclear(result_); }

int Rows::size() const { return result_ != nullptr ? PQntuples(result_) : 0; }

std::int64_t Rows::affected() const {
  const char* count = result_ != nullptr ? PQcmdTuples(result_) : "";
  std::int64_t value = 0;
  std::from_chars(count, count + std::char_traits<char>::length(count), value);
  return value;
}

std::int64_t Rows::int64(int row, int column) const {
  // SUM() of bigints is numeric: whole numbers still, so the same parse reads it.
  const char* text = PQgetvalue(result_, row, column);
  const int length = PQgetlength(result_, row, column);
  std::int64_t value = 0;
  std::from_chars(text, text + length, value);
  return value;
}

std::string Rows::text(int row, int column) const {
  return std::string(PQgetvalue(result_, row, column),
                     static_cast<std::size_t>(PQgetlength(result_, row, column)));
}

bool Rows::boolean(int row, int column) const {
  const char* text = PQgetvalue(result_, row, column);
  return text[0] == 't' || text[0] == '1';
}

bool Rows::is_null(int row, int column) const { return PQgetisnull(result_, row, column) != 0; }

// ---- Connection -------------------------------------------------------------------------

pg_conn* connect_raw(const std::string& url, std::string& error) {
  // Defaults before "dbname": the URL is expanded in its place, and its own options win
  // over what precedes it. Keepalives notice an idle peer that vanished without closing the
  // TCP connection (a failover, a cut network) in about a minute rather than hours, and
  // tcp_user_timeout bounds how long a statement's data may go unacknowledged, so that a
  // worker (or a stopping gateway) does not hang on a dead network.
  struct Option {
    const char* keyword;
    const char* value;
  };
  const std::array options = {
      Option{"connect_timeout", "3"},        Option{"keepalives", "1"},
      Option{"keepalives_idle", "30"},       Option{"keepalives_interval", "10"},
      Option{"keepalives_count", "3"},       Option{"tcp_user_timeout", "10000"},
      Option{"application_name", "llmgate"}, Option{"dbname", url.c_str()},
  };
  std::array<const char*, options.size() + 1> keywords{};
  std::array<const char*, options.size() + 1> values{};
  for (std::size_t i = 0; i < options.size(); ++i) {
    keywords[i] = options[i].keyword;
    values[i] = options[i].value;
  }
  PGconn* conn = PQconnectdbParams(keywords.data(), values.data(), 1);
  if (conn == nullptr) {
    error = "out of memory";
    return nullptr;
  }
  if (PQstatus(conn) != CONNECTION_OK) {
    error = trimmed(PQerrorMessage(conn));
    PQfinish(conn);
    return nullptr;
  }
  PQsetNoticeProcessor(conn, log_notice, nullptr);
  // Text is UTF-8 everywhere in the gateway, whatever the database's default.
  if (PQsetClientEncoding(conn, "UTF8") != 0) {
    error = "cannot use UTF8: " + trimmed(PQerrorMessage(conn));
    PQfinish(conn);
    return nullptr;
  }
  return conn;
}

core::Result<Connection> Connection::open(const std::string& url) {
  std::string error;
  PGconn* conn = connect_raw(url, error);
  if (conn == nullptr) return core::Error::unavailable("cannot connect to postgresql: " + error);
  return Connection(conn, url);
}

Connection::Connection(Connection&& other) noexcept
    : conn_(std::exchange(other.conn_, nullptr)),
      url_(std::move(other.url_)),
      error_state_(std::move(other.error_state_)),
      in_block_(std::exchange(other.in_block_, false)),
      next_attempt_(other.next_attempt_) {}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    PQfinish(conn_);
    conn_ = std::exchange(other.conn_, nullptr);
    url_ = std::move(other.url_);
    error_state_ = std::move(other.error_state_);
    in_block_ = std::exchange(other.in_block_, false);
    next_attempt_ = other.next_attempt_;
  }
  return *this;
}

Connection::~Connection() { PQfinish(conn_); }

bool Connection::in_transaction() const {
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) return false;
  const auto status = PQtransactionStatus(conn_);
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR;
}

int Connection::socket() const { return conn_ != nullptr ? PQsocket(conn_) : -1; }

bool Connection::ensure_open() {
  if (conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK) {
    if (PQtransactionStatus(conn_) != PQTRANS_IDLE) return true;
    // Idle, nothing is owed to us: a readable socket means the server has closed it, or
    // sent the FATAL that precedes closing (pg_terminate_backend, a shutdown). libpq takes
    // that FATAL for a notice and sees the end of the stream only on a further read.
    bool closed = false;
    for (int reads = 0; reads < 4 && !closed; ++reads) {
      pollfd ready{PQsocket(conn_), POLLIN, 0};
      if (::poll(&ready, 1, 0) <= 0) break;
      closed = PQconsumeInput(conn_) == 0 || PQstatus(conn_) != CONNECTION_OK;
    }
    if (!closed) return true;
    LLMGATE_LOG_WARN("the postgresql connection was closed: {}", trimmed(PQerrorMessage(conn_)));
  }
  const auto now = std::chrono::steady_clock::now();
  if (now < next_attempt_) return false;
  next_attempt_ = now + kReconnectInterval;
  std::string error;
  PGconn* fresh = connect_raw(url_, error);
  if (fresh == nullptr) {
    // Logged when it changes, not every second while the database is away.
    if (error != reconnect_error_) LLMGATE_LOG_WARN("reconnecting to postgresql failed: {}", error);
    reconnect_error_ = std::move(error);
    return false;
  }
  reconnect_error_.clear();
  PQfinish(conn_);
  conn_ = fresh;
  LLMGATE_LOG_INFO("reconnected to postgresql");
  return true;
}

core::Error Connection::unavailable(std::string_view what) const {
  std::string reason = !reconnect_error_.empty() ? reconnect_error_
                       : conn_ != nullptr        ? trimmed(PQerrorMessage(conn_))
                                                 : "";
  if (reason.empty()) reason = "no connection";
  return core::Error::unavailable("the database is unavailable (" + std::string(what) +
                                  "): " + reason);
}

core::Result<Rows> Connection::exec(std::string_view sql, const Params& params) {
  error_state_.clear();
  // Inside a transaction a lost connection is not replaced: the statements before would be
  // lost with it while the ones after ran on their own.
  if (!in_block_ && !ensure_open()) return unavailable("not connected");
  const std::string text(sql);  // NUL-terminated for libpq
  std::vector<const char*> values;
  values.reserve(params.values().size());
  for (const auto& value : params.values()) values.push_back(value ? value->c_str() : nullptr);
  Rows rows(PQexecParams(conn_, text.c_str(), params.size(), nullptr, values.data(), nullptr,
                         nullptr, 0));
  if (auto status = check(rows.result_, text); !status) return status.take_error();
  return rows;
}

core::Result<std::vector<Rows>> Connection::exec_each(std::string_view sql,
                                                      const std::vector<Params>& each) {
  error_state_.clear();
  std::vector<Rows> answers;
  if (each.empty()) return answers;
  if (!in_block_ && !ensure_open()) return unavailable("not connected");
  const std::string text(sql);  // NUL-terminated for libpq
  if (PQenterPipelineMode(conn_) != 1) return unavailable("pipeline");
  bool sent = true;
  std::vector<const char*> values;
  for (const Params& params : each) {
    values.clear();
    for (const auto& value : params.values()) values.push_back(value ? value->c_str() : nullptr);
    if (PQsendQueryParams(conn_, text.c_str(), params.size(), nullptr, values.data(), nullptr,
                          nullptr, 0) != 1) {
      sent = false;
      break;
    }
  }
  if (sent && PQpipelineSync(conn_) != 1) sent = false;
  if (!sent) {
    // Some statements may be on their way with no sync point after them: this connection
    // cannot be used again. The transaction around it fails; the next one reconnects.
    auto error = unavailable("sending a pipeline");
    PQfinish(conn_);
    conn_ = nullptr;
    return error;
  }
  // Every answer up to the sync point is read, also after a failure, so that the
  // connection leaves pipeline mode clean. A statement's answer ends with a null result.
  core::Status status = core::Ok{};
  for (;;) {
    pg_result* result = PQgetResult(conn_);
    if (result == nullptr) {
      if (PQstatus(conn_) != CONNECTION_OK) break;
      continue;
    }
    const ExecStatusType kind = PQresultStatus(result);
    if (kind == PGRES_PIPELINE_SYNC) {
      PQclear(result);
      break;
    }
    Rows rows(result);
    if (kind == PGRES_PIPELINE_ABORTED || !status) continue;  // skipped after a failure
    if (auto checked = check(result, text); !checked) {
      status = std::move(checked);
      continue;
    }
    answers.push_back(std::move(rows));
  }
  if (PQstatus(conn_) != CONNECTION_OK) {
    if (status) status = unavailable("lost");
  } else {
    PQexitPipelineMode(conn_);
  }
  if (!status) return status.take_error();
  if (answers.size() != each.size()) return unavailable("answers missing");
  return answers;
}

core::Status Connection::exec_script(const std::string& sql) {
  error_state_.clear();
  if (!in_block_ && !ensure_open()) return unavailable("not connected");
  Rows rows(PQexec(conn_, sql.c_str()));
  return check(rows.result_, sql);
}

core::Status Connection::check(pg_result* result, std::string_view sql) {
  const ExecStatusType status = result != nullptr ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return core::Ok{};
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  error_state_ = state != nullptr ? state : "";
  if (PQstatus(conn_) != CONNECTION_OK || unavailable_state(error_state_)) {
    return unavailable("lost");
  }
  std::string message = result != nullptr ? trimmed(PQresultErrorMessage(result)) : "";
  if (message.empty()) message = trimmed(PQerrorMessage(conn_));
  return core::Error::internal("postgresql error: " + message + " in: " + std::string(sql));
}

// ---- Transaction ------------------------------------------------------------------------

core::Result<Transaction> Transaction::start(Connection& connection, const char* sql) {
  auto status = connection.exec_script(sql);
  connection.in_block_ = true;
  Transaction transaction(&connection);
  // A BEGIN that half ran (the lock failed) must not leave the connection in a block: the
  // transaction rolls back as it goes out of scope here.
  if (!status) return status.take_error();
  return transaction;
}

core::Result<Transaction> Transaction::begin(Connection& connection) {
  return start(connection, "BEGIN");
}

core::Result<Transaction> Transaction::begin_read(Connection& connection) {
  return start(connection, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
}

core::Result<Transaction> Transaction::begin_write(Connection& connection) {
  return start(connection, kBeginAdminWrite);
}

Transaction::Transaction(Transaction&& other) noexcept
    : connection_(std::exchange(other.connection_, nullptr)) {}

Transaction::~Transaction() { rollback(); }

core::Status Transaction::commit() {
  Connection* connection = std::exchange(connection_, nullptr);
  if (connection == nullptr) return core::Error::internal("commit of a finished transaction");
  auto rows = connection->exec("COMMIT");
  if (!rows && connection->in_transaction()) (void)connection->exec("ROLLBACK");
  connection->in_block_ = false;
  if (!rows) return rows.take_error();
  // COMMIT of a transaction a failed statement aborted answers ROLLBACK, not an error.
  const char* tag = PQcmdStatus(rows->result_);
  if (tag == nullptr || std::string_view(tag) != "COMMIT") {
    return core::Error::internal("postgresql: the transaction was rolled back, not committed");
  }
  return core::Ok{};
}

void Transaction::rollback() {
  Connection* connection = std::exchange(connection_, nullptr);
  if (connection == nullptr) return;
  // The statement that failed is what the caller asks about (a deadlock to retry, a UNIQUE
  // violation), not the ROLLBACK.
  std::string state = connection->error_state_;
  if (connection->in_transaction()) (void)connection->exec("ROLLBACK");
  connection->error_state_ = std::move(state);
  connection->in_block_ = false;
}

}  // namespace store::postgres
