// A reader (open_store with OpenAs::kReader): a second, query-only connection through which
// admin reads run, so that a long one never holds up the writer's charges.

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>

#include "admin_fixtures.hpp"
#include "store/worker.hpp"
#include "temp_dir.hpp"

namespace store::sqlite {
namespace {

using core::Money;
using namespace testing;

class ReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto writer = SqliteStore::open(path_);
    ASSERT_TRUE(writer) << writer.error().message;
    writer_ = std::move(*writer);
    ASSERT_TRUE(writer_->migrate());
    alice_ = must(writer_->insert_key(new_key("alice"))).id;
    auto reader = open_store("sqlite://" + path_, true, OpenAs::kReader);
    ASSERT_TRUE(reader) << reader.error().message;
    ASSERT_NE(*reader, nullptr);
    reader_ = std::move(*reader);
  }

  std::int64_t found_threads(const std::string& q) {
    RecordFilter filter;
    filter.page.q = q;
    return must(reader_->list_threads(filter)).total;
  }

  store::testing::TempDir dir_;
  std::string path_ = (dir_.path() / "llmgate.db").string();
  std::unique_ptr<SqliteStore> writer_;
  std::unique_ptr<Store> reader_;
  std::int64_t alice_ = 0;
};

TEST_F(ReaderTest, SeesWhatTheWriterCommitted) {
  EXPECT_EQ(must(reader_->find_key(alice_)).name, "alice");
  auto bob = must(writer_->insert_key(new_key("bob"))).id;
  ASSERT_TRUE(writer_->apply_charges(
      {Charge{bob, "2026-11", Money::from_nanos(7), Money::from_nanos(0), Money::from_nanos(7)}}));
  EXPECT_EQ(must(reader_->find_key(bob)).total_fee, Money::from_nanos(7));
}

TEST_F(ReaderTest, CannotWrite) {
  auto inserted = reader_->insert_key(new_key("mallory"));
  ASSERT_FALSE(inserted);
  EXPECT_EQ(scalar(*writer_, "SELECT COUNT(*) FROM api_keys WHERE name = 'mallory'"), 0);
}

TEST_F(ReaderTest, FindsNewRecordsOnceTheWriterPreparedTheSearch) {
  // Fewer rows than the writer indexes at once: they wait for a search to index them.
  ASSERT_TRUE(writer_->insert_threads({new_thread(alice_, "h:a", 100, "kubernetes pods")}));
  // The reader cannot index them itself; the API prepares each search on the writer.
  EXPECT_EQ(found_threads("kubernetes"), 0);
  ASSERT_TRUE(writer_->prepare_search());
  EXPECT_EQ(found_threads("kubernetes"), 1);
  ASSERT_TRUE(writer_->insert_threads({new_thread(alice_, "h:a", 101, "kubernetes nodes")}));
  ASSERT_TRUE(writer_->prepare_search());
  EXPECT_EQ(found_threads("kubernetes"), 2);
}

TEST_F(ReaderTest, ChargesCommitWhileAReadIsInProgress) {
  Worker writer(*writer_);
  Worker reader(*reader_, "test-reader");
  // A read that stays in the middle of its snapshot until the charge below is done, as a
  // statistics query over millions of threads does for seconds.
  std::promise<void> reading;
  std::promise<void> release;
  std::promise<Money> seen_by_reader;
  reader.post([&](Store&) {
    auto* sqlite = static_cast<SqliteStore*>(reader_.get());
    auto transaction = Transaction::begin_read(sqlite->connection());
    EXPECT_TRUE(transaction);
    EXPECT_EQ(must(reader_->find_key(alice_)).total_fee, Money::from_nanos(0));
    reading.set_value();
    release.get_future().wait();
    // Still its own snapshot: the charge committed since is not in it.
    seen_by_reader.set_value(must(reader_->find_key(alice_)).total_fee);
  });
  reading.get_future().wait();

  std::promise<bool> charged;
  writer.post([&](Store& store) {
    charged.set_value(static_cast<bool>(store.apply_charges({Charge{
        alice_, "2026-11", Money::from_nanos(5), Money::from_nanos(0), Money::from_nanos(5)}})));
  });
  auto charge = charged.get_future();
  // Bounded, so that a charge stuck behind the read fails here instead of hanging.
  ASSERT_EQ(charge.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_TRUE(charge.get());
  release.set_value();
  EXPECT_EQ(seen_by_reader.get_future().get(), Money::from_nanos(0));
  writer.stop();
  reader.stop();
  EXPECT_EQ(must(reader_->find_key(alice_)).total_fee, Money::from_nanos(5));
}

TEST(ReaderOpenTest, AnInMemoryDatabaseHasNone) {
  auto reader = open_store("sqlite://:memory:", true, OpenAs::kReader);
  ASSERT_TRUE(reader);
  EXPECT_EQ(*reader, nullptr);
}

}  // namespace
}  // namespace store::sqlite
