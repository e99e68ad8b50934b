// The write-ahead log is copied into the database file by the Checkpointer's own thread,
// never inside the writer's commit.

#include "store/sqlite/checkpointer.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "store/sqlite/connection.hpp"
#include "temp_dir.hpp"

namespace store::sqlite {
namespace {

constexpr int kRowBytes = 3000;  // about one 4 KiB page of log per row

struct Database {
  store::testing::TempDir dir;
  std::unique_ptr<Checkpointer> checkpointer;  // destroyed after the writer, as in SqliteStore
  std::string path = (dir.path() / "log.db").string();
  Connection writer = [this] {
    auto opened = Connection::open(path);
    EXPECT_TRUE(opened);
    EXPECT_TRUE(opened->exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)"));
    return std::move(*opened);
  }();

  void checkpoint_with(int log_pages) {
    auto started = Checkpointer::start(path, log_pages);
    ASSERT_TRUE(started) << started.error().message;
    checkpointer = std::move(*started);
    checkpointer->take_over(writer);
  }
  void write_rows(int rows) {
    ASSERT_TRUE(writer.exec("BEGIN"));
    for (int i = 0; i < rows; ++i) {
      ASSERT_TRUE(writer.exec("INSERT INTO t (v) VALUES (randomblob(3000))"));
    }
    ASSERT_TRUE(writer.exec("COMMIT"));
  }
  // Until a checkpoint, the rows live in the log only: the database file stays small.
  std::uintmax_t file_bytes() const { return std::filesystem::file_size(path); }
};

TEST(CheckpointerTest, TheWritersCommitsNeverCheckpoint) {
  Database db;
  db.checkpoint_with(/*log_pages=*/1'000'000);
  // Past SQLite's own threshold (1,000 pages), where its default hook would have copied
  // the log inside this commit.
  db.write_rows(1200);
  EXPECT_LT(db.file_bytes(), 100u * 1024);
  EXPECT_EQ(db.checkpointer->checkpoints(), 0);
}

TEST(CheckpointerTest, ItCopiesTheLogOncePastItsThreshold) {
  Database db;
  db.checkpoint_with(/*log_pages=*/50);
  db.write_rows(5);
  EXPECT_EQ(db.checkpointer->checkpoints(), 0);
  db.write_rows(100);
  db.checkpointer->wait_for_checkpoints(1);
  EXPECT_GE(db.file_bytes(), 105u * kRowBytes);
}

}  // namespace
}  // namespace store::sqlite
