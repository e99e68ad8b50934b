#pragma once
// Shared set-up for the PostgreSQL store tests. They need a server: LLMGATE_TEST_POSTGRES_URL
// names a database on it (`make test` starts a throwaway cluster and sets it, see
// scripts/test-postgres.sh); without it every test is skipped. Each test gets a database of
// its own, created from that URL and dropped afterwards.

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <random>
#include <string>

#include "admin_fixtures.hpp"
#include "store/postgres/postgres_store.hpp"

namespace store::postgres::testing {

using namespace store::sqlite::testing;  // new_key, new_model, new_thread, must, expect_error

inline const char* server_url() {
  const char* url = std::getenv("LLMGATE_TEST_POSTGRES_URL");
  return url != nullptr && *url != '\0' ? url : nullptr;
}

// The URL of database `name` on the server of `url`: its last path segment replaced.
inline std::string url_of(const std::string& url, const std::string& name) {
  const auto query = url.find('?');
  const auto slash = url.rfind('/', query);
  return url.substr(0, slash + 1) + name + (query == std::string::npos ? "" : url.substr(query));
}

// A fresh database for one test; dropped (with whatever still uses it) on destruction.
class TestDatabase {
 public:
  TestDatabase() {
    std::random_device random;
    name_ = "llmgate_unit_" + std::to_string(random()) + std::to_string(random());
    auto admin = Connection::open(server_url());
    if (!admin) throw std::runtime_error(admin.error().message);
    auto created = admin->exec_script("CREATE DATABASE " + name_);
    if (!created) throw std::runtime_error(created.error().message);
    url_ = url_of(server_url(), name_);
  }
  ~TestDatabase() {
    if (auto admin = Connection::open(server_url())) {
      (void)admin->exec_script("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    }
  }
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }

  std::unique_ptr<PostgresStore> open() const {
    auto store = PostgresStore::open(url_);
    EXPECT_TRUE(store) << store.error().message;
    return store ? std::move(*store) : nullptr;
  }
  std::unique_ptr<PostgresStore> open_migrated() const {
    auto store = open();
    if (store) {
      auto migrated = store->migrate();
      EXPECT_TRUE(migrated) << migrated.error().message;
    }
    return store;
  }

 private:
  std::string name_;
  std::string url_;
};

// One integer straight from SQL, so that tests see rows the Store API would not show.
inline std::int64_t scalar(PostgresStore& store, const std::string& sql) {
  auto rows = store.connection().exec(sql);
  EXPECT_TRUE(rows) << rows.error().message;
  if (!rows || rows->empty()) return -1;
  return rows->int64(0, 0);
}

inline void exec(PostgresStore& store, const std::string& sql) {
  auto status = store.connection().exec_script(sql);
  ASSERT_TRUE(status) << status.error().message;
}

// A test with a migrated store on a database of its own.
class PostgresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (server_url() == nullptr) GTEST_SKIP() << "LLMGATE_TEST_POSTGRES_URL is not set";
    database_ = std::make_unique<TestDatabase>();
    store_ = database_->open_migrated();
    ASSERT_NE(store_, nullptr);
  }
  void TearDown() override {
    store_.reset();
    database_.reset();
  }

  std::unique_ptr<TestDatabase> database_;
  std::unique_ptr<PostgresStore> store_;
};

}  // namespace store::postgres::testing
