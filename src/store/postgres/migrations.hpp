#pragma once
// Versioned schema migrations for PostgreSQL: the same tables and columns as SQLite's
// (store/sqlite/migrations.cpp), in PostgreSQL's types, plus what several gateways on one
// database need. Each script runs once, in its own transaction, recorded in
// schema_migrations. Scripts are append-only: a released script is never edited, a change
// is a new version. A schema change therefore comes as a pair: one SQLite script, one here.
//
// Several gateways may start at once: apply_migrations holds a session-level advisory lock
// while it reads the version and applies what is missing, so exactly one of them migrates
// and the others wait, then find nothing left to do.

#include <cstdint>
#include <span>

#include "core/result.hpp"
#include "store/postgres/connection.hpp"

namespace store::postgres {

struct Migration {
  int version;
  const char* sql;  // no values in it; several statements allowed
  // Runs first, in the same transaction (for steps that depend on what the server offers).
  core::Status (*prepare)(Connection& connection) = nullptr;
};

// In ascending version order, without gaps.
std::span<const Migration> migrations();

// Applies every migration newer than the database's version, under the migration lock, and
// then `after` (still under the lock). A database newer than this binary is refused.
core::Status apply_migrations(Connection& connection, std::int64_t now,
                              core::Status (*after)(Connection&, std::int64_t) = nullptr);

}  // namespace store::postgres
