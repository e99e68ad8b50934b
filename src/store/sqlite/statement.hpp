#pragma once
// A prepared sqlite3_stmt owned by one object. Values are always bound, never spliced into
// SQL text. Setters are named per type (bind_int64, bind_text, ...) rather than overloaded
// so that a string literal can never silently bind as a bool.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/money.hpp"
#include "core/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace store::sqlite {

enum class Step { kRow, kDone, kError };

class Statement {
 public:
  // Errors carry SQLite's message and the SQL text, for the log of a real bug.
  static core::Result<Statement> prepare(sqlite3* db, std::string_view sql);
  // For a statement kept for the connection's lifetime (SQLITE_PREPARE_PERSISTENT).
  static core::Result<Statement> prepare_persistent(sqlite3* db, std::string_view sql);

  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Indexes are 1-based, as in SQLite. A failed bind is remembered and reported by step().
  Statement& bind_int64(int index, std::int64_t value);
  Statement& bind_text(int index, std::string_view value);
  Statement& bind_bool(int index, bool value);
  Statement& bind_money(int index, core::Money value);
  Statement& bind_null(int index);

  Step step();
  // Ready to run again with new bindings (one prepared statement for a batch).
  void reset();
  // For statements that return no rows: steps to the end; any error is kInternal.
  core::Status run();
  // Extended result code and message of the last failed step (or bind).
  int error_code() const { return error_code_; }
  std::string error_message() const;
  // The last error as a kInternal core::Error that names the SQL.
  core::Error internal_error() const;

  std::int64_t column_int64(int index) const;
  std::string column_text(int index) const;
  bool column_bool(int index) const { return column_int64(index) != 0; }
  core::Money column_money(int index) const { return core::Money::from_nanos(column_int64(index)); }
  bool column_is_null(int index) const;

 private:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  static core::Result<Statement> prepare_with(sqlite3* db, std::string_view sql, unsigned flags);
  void note_bind(int rc);

  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  int error_code_ = 0;  // SQLITE_OK
};

// Constraint failures that callers turn into 409 / 400 answers.
bool is_unique_violation(int error_code);
bool is_foreign_key_violation(int error_code);

}  // namespace store::sqlite
