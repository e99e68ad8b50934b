#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "store/database_url.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"

namespace store {
namespace {

using core::ErrorKind;

TEST(DatabaseUrlTest, SqliteForms) {
  auto relative = parse_database_url("sqlite://./data/llmgate.db");
  ASSERT_TRUE(relative);
  EXPECT_EQ(relative->backend, Backend::kSqlite);
  EXPECT_EQ(relative->location, "./data/llmgate.db");
  EXPECT_EQ(parse_database_url("sqlite://data/x.db")->location, "data/x.db");
  EXPECT_EQ(parse_database_url("sqlite:///abs/path.db")->location, "/abs/path.db");
  EXPECT_EQ(parse_database_url("SQLite://:memory:")->location, ":memory:");
}

TEST(DatabaseUrlTest, PostgresIsRecognised) {
  auto url = parse_database_url("postgresql://u:p@db:5432/llmgate");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->backend, Backend::kPostgres);
  EXPECT_EQ(parse_database_url("postgres://db/llmgate")->backend, Backend::kPostgres);
}

TEST(DatabaseUrlTest, BadUrlsNameTheUrl) {
  for (const char* url :
       {"mysql://host/db", "./data/llmgate.db", "sqlite://", "sqlite://x?mode=ro"}) {
    auto parsed = parse_database_url(url);
    ASSERT_FALSE(parsed) << url;
    EXPECT_EQ(parsed.error().kind, ErrorKind::kBadRequest);
    EXPECT_EQ(parsed.error().field, "database");
    EXPECT_NE(parsed.error().message.find(url), std::string::npos) << parsed.error().message;
  }
}

TEST(DatabaseUrlTest, RedactsPasswords) {
  EXPECT_EQ(redact_database_url("postgresql://user:s3cret@host:5432/db"),
            "postgresql://user:***@host:5432/db");
  EXPECT_EQ(redact_database_url("postgresql://user:p@ss@host/db"), "postgresql://user:***@host/db");
  EXPECT_EQ(redact_database_url("postgresql://user@host/db"), "postgresql://user@host/db");
  EXPECT_EQ(redact_database_url("sqlite:///a/b.db"), "sqlite:///a/b.db");
}

TEST(OpenStoreTest, InMemory) {
  auto store = open_store("sqlite://:memory:");
  ASSERT_TRUE(store) << store.error().message;
  ASSERT_TRUE((*store)->migrate());
  EXPECT_TRUE((*store)->ping());
}

TEST(OpenStoreTest, AbsolutePathCreatesDirectoriesAndAPrivateFile) {
  testing::TempDir dir;
  const auto path = dir.path() / "a" / "b" / "llmgate.db";
  auto store = open_store("sqlite://" + path.string());
  ASSERT_TRUE(store) << store.error().message;
  ASSERT_TRUE((*store)->migrate());
  ASSERT_TRUE(std::filesystem::exists(path));
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);  // it holds provider credentials
}

TEST(OpenStoreTest, RelativePathIsUnderTheWorkingDirectory) {
  testing::TempDir dir;
  const auto previous = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  auto store = open_store("sqlite://./data/llmgate.db");
  std::filesystem::current_path(previous);
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "data" / "llmgate.db"));
}

TEST(OpenStoreTest, PostgresThatDoesNotAnswerIsAnErrorThatHidesThePassword) {
  // Port 1 on the loopback: refused at once, no server there.
  auto store = open_store("postgresql://user:s3cret@127.0.0.1:1/db");
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().message.find("cannot connect to postgresql"), std::string::npos)
      << store.error().message;
  EXPECT_NE(store.error().message.find("postgresql://user:***@127.0.0.1:1/db"), std::string::npos)
      << store.error().message;
  EXPECT_EQ(store.error().message.find("s3cret"), std::string::npos);
}

TEST(OpenStoreTest, UnknownSchemeNamesTheUrl) {
  auto store = open_store("mongodb://host/db");
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().message.find("mongodb://host/db"), std::string::npos);
}

TEST(OpenStoreTest, UnwritableLocationIsAnError) {
  // Not even root may create directories in /proc.
  auto store = open_store("sqlite:///proc/llmgate/llmgate.db");
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().message.find("sqlite:///proc/llmgate/llmgate.db"), std::string::npos);
}

TEST(RoleTest, RoundTrips) {
  EXPECT_STREQ(to_string(Role::kUser), "user");
  EXPECT_STREQ(to_string(Role::kAdmin), "admin");
  EXPECT_EQ(role_from_string("admin"), Role::kAdmin);
  EXPECT_EQ(role_from_string("user"), Role::kUser);
  EXPECT_FALSE(role_from_string("Admin"));
  EXPECT_FALSE(role_from_string(""));
}

}  // namespace
}  // namespace store
