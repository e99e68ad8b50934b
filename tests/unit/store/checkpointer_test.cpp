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
  // The log file keeps its size once written; it grows only when the log is not restarted.
  std::uintmax_t log_bytes() const { return std::filesystem::file_size(path + "-wal"); }
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

TEST(CheckpointerTest, ACopiedLogStartsOverInsteadOfGrowing) {
  Database db;
  db.checkpoint_with(/*log_pages=*/50);
  db.write_rows(100);
  db.checkpointer->wait_for_checkpoints(1);
  EXPECT_EQ(db.checkpointer->restarts(), 1);
  const std::uintmax_t log_size = db.log_bytes();
  db.write_rows(100);  // written over the first rows' frames
  EXPECT_EQ(db.log_bytes(), log_size);
}

TEST(CheckpointerTest, AReaderInTheLogPostponesTheRestartToALaterCommit) {
  Database db;
  db.checkpoint_with(/*log_pages=*/50);
  db.write_rows(60);
  db.checkpointer->wait_for_checkpoints(1);
  ASSERT_EQ(db.checkpointer->restarts(), 1);

  auto reader = Connection::open(db.path);
  ASSERT_TRUE(reader);
  db.write_rows(20);  // below the threshold: in the log, where the reader's snapshot needs it
  ASSERT_TRUE(reader->exec("BEGIN"));
  ASSERT_TRUE(reader->exec("SELECT count(*) FROM t"));
  db.write_rows(40);  // past the threshold while the reader stays in the log
  db.checkpointer->wait_for_checkpoints(2);
  EXPECT_EQ(db.checkpointer->restarts(), 1);  // the writer was not made to wait for it

  ASSERT_TRUE(reader->exec("COMMIT"));
  db.write_rows(1);  // the log is still past the threshold: this commit brings another try
  db.checkpointer->wait_for_checkpoints(3);
  EXPECT_EQ(db.checkpointer->restarts(), 2);
}

TEST(ConnectionTest, WithoutWaitingALockedDatabaseFailsAtOnce) {
  Database db;
  auto other = Connection::open(db.path);
  ASSERT_TRUE(other);
  other->wait_when_busy(false);
  ASSERT_TRUE(db.writer.exec("BEGIN IMMEDIATE"));
  auto status = other->exec("BEGIN IMMEDIATE");
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().message.find("locked"), std::string::npos) << status.error().message;
  ASSERT_TRUE(db.writer.exec("COMMIT"));
  EXPECT_TRUE(other->exec("BEGIN IMMEDIATE"));  // free again
  EXPECT_TRUE(other->exec("COMMIT"));
}

}  // namespace
}  // namespace store::sqlite
