#pragma once
// The database setting (LLMGATE_DATABASE) taken apart: which backend, and where.

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace store {

enum class Backend { kSqlite, kPostgres };

struct DatabaseUrl {
  Backend backend = Backend::kSqlite;
  // SQLite: a file path, relative to the working directory unless it starts with "/", or
  // ":memory:". PostgreSQL: the whole URL, for the driver.
  std::string location;
};

// "sqlite://./data/llmgate.db", "sqlite://data/llmgate.db", "sqlite:///abs/path.db",
// "sqlite://:memory:", "postgresql://user:pass@host:5432/db" (also "postgres://").
// Errors are kBadRequest with field "database" and name the URL, password redacted.
core::Result<DatabaseUrl> parse_database_url(std::string_view url);

// The URL with any password replaced by "***": safe for logs and error messages.
std::string redact_database_url(std::string_view url);

}  // namespace store
