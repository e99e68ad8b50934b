#include "store/sqlite/statement.hpp"

#include <sqlite3.h>

#include <utility>

namespace store::sqlite {

core::Result<Statement> Statement::prepare(sqlite3* db, std::string_view sql) {
  return prepare_with(db, sql, 0);
}

core::Result<Statement> Statement::prepare_persistent(sqlite3* db, std::string_view sql) {
  return prepare_with(db, sql, SQLITE_PREPARE_PERSISTENT);
}

core::Result<Statement> Statement::prepare_with(sqlite3* db, std::string_view sql, unsigned flags) {
  sqlite3_stmt* stmt = nullptr;
  const int rc =
      sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), flags, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return core::Error::internal("sqlite prepare failed: " + std::string(sqlite3_errmsg(db)) +
                                 " in: " + std::string(sql));
  }
  return Statement(db, stmt);
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)), error_code_(other.error_code_) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = std::exchange(other.stmt_, nullptr);
    error_code_ = other.error_code_;
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::note_bind(int rc) {
  if (rc != SQLITE_OK && error_code_ == SQLITE_OK) error_code_ = rc;
}

Statement& Statement::bind_int64(int index, std::int64_t value) {
  note_bind(sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

Statement& Statement::bind_text(int index, std::string_view value) {
  // SQLITE_TRANSIENT: SQLite copies, so the caller's buffer may die before step().
  note_bind(
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  return *this;
}

Statement& Statement::bind_bool(int index, bool value) { return bind_int64(index, value ? 1 : 0); }

Statement& Statement::bind_money(int index, core::Money value) {
  return bind_int64(index, value.nanos());
}

Statement& Statement::bind_null(int index) {
  note_bind(sqlite3_bind_null(stmt_, index));
  return *this;
}

Step Statement::step() {
  if (error_code_ != SQLITE_OK) return Step::kError;  // a bind failed: do not run half-bound
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return Step::kRow;
  if (rc == SQLITE_DONE) return Step::kDone;
  error_code_ = rc;
  return Step::kError;
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  error_code_ = SQLITE_OK;
}

core::Status Statement::run() {
  for (;;) {
    switch (step()) {
      case Step::kRow:
        continue;
      case Step::kDone:
        return core::Ok{};
      case Step::kError:
        return internal_error();
    }
  }
}

std::string Statement::error_message() const {
  if (error_code_ == SQLITE_OK) return {};
  // The connection's message belongs to its most recent call, which may have been another
  // statement; the code's generic text is always right, so give both.
  return std::string(sqlite3_errstr(error_code_)) + " (" + sqlite3_errmsg(db_) + ")";
}

core::Error Statement::internal_error() const {
  const char* sql = stmt_ != nullptr ? sqlite3_sql(stmt_) : nullptr;
  return core::Error::internal("sqlite error: " + error_message() +
                               (sql != nullptr ? " in: " + std::string(sql) : std::string()));
}

std::int64_t Statement::column_int64(int index) const { return sqlite3_column_int64(stmt_, index); }

std::string Statement::column_text(int index) const {
  const auto* text = sqlite3_column_text(stmt_, index);
  if (text == nullptr) return {};
  // Size after fetching the text: the order SQLite documents for a correct byte count.
  const int size = sqlite3_column_bytes(stmt_, index);
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size));
}

bool Statement::column_is_null(int index) const {
  return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

bool is_unique_violation(int error_code) {
  return error_code == SQLITE_CONSTRAINT_UNIQUE || error_code == SQLITE_CONSTRAINT_PRIMARYKEY;
}

bool is_foreign_key_violation(int error_code) { return error_code == SQLITE_CONSTRAINT_FOREIGNKEY; }

}  // namespace store::sqlite
