#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "store/database_url.hpp"
#include "store/postgres/postgres_store.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/store.hpp"

namespace store {

namespace {

core::Error open_failed(const std::string& url, const std::string& reason) {
  return core::Error::internal("cannot open database '" + redact_database_url(url) +
                               "': " + reason);
}

// Creates the parent directories and, when the file is new, creates it with mode 0600:
// it holds provider credentials, and SQLite gives its -wal and -shm files the same mode.
core::Status prepare_file(const std::string& url, const std::filesystem::path& path) {
  std::error_code error;
  if (const auto parent = path.parent_path(); !parent.empty()) {
    std::filesystem::create_directories(parent, error);
    if (error) {
      return open_failed(url,
                         "cannot create directory '" + parent.string() + "': " + error.message());
    }
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
  } else if (errno != EEXIST) {
    return open_failed(url, "cannot create '" + path.string() + "': " + std::strerror(errno));
  }
  return core::Ok{};
}

}  // namespace

core::Result<std::unique_ptr<Store>> open_store(const std::string& url, bool sqlite_flush_commits,
                                                OpenAs as) {
  auto parsed = parse_database_url(url);
  if (!parsed) return parsed.take_error();
  if (parsed->backend == Backend::kPostgres) {
    auto store = postgres::PostgresStore::open(parsed->location);
    if (!store) return open_failed(url, store.error().message);
    return std::unique_ptr<Store>(std::move(*store));
  }
  const std::string& path = parsed->location;
  if (as == OpenAs::kReader && path == ":memory:") return std::unique_ptr<Store>();
  if (path != ":memory:" && as == OpenAs::kWriter) {
    if (auto status = prepare_file(url, path); !status) return status.take_error();
  }
  auto store = as == OpenAs::kReader
                   ? sqlite::SqliteStore::open_reader(path, core::Clock())
                   : sqlite::SqliteStore::open(path, core::Clock(), sqlite_flush_commits);
  if (!store) return open_failed(url, store.error().message);
  return std::unique_ptr<Store>(std::move(*store));
}

}  // namespace store
