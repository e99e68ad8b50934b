#pragma once
// Versioned schema migrations for SQLite. Each script runs once, in its own transaction,
// and is recorded in schema_migrations. Scripts are append-only: a released script is never
// edited, a change is a new version.

#include <cstdint>
#include <span>

#include "core/result.hpp"
#include "store/sqlite/connection.hpp"

namespace store::sqlite {

struct Migration {
  int version;
  const char* sql;  // no values in it; several statements allowed
};

// In ascending version order, without gaps.
std::span<const Migration> migrations();

// Applies every migration newer than the database's version. A database newer than this
// binary is refused rather than run against a schema the code does not know.
core::Status apply_migrations(Connection& connection, std::int64_t now);

}  // namespace store::sqlite
