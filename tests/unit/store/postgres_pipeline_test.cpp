// Connection::exec_each: one statement per row, sent in libpq's pipeline mode (one round
// trip for a batch of records or charges). Needs LLMGATE_TEST_POSTGRES_URL.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "postgres_fixtures.hpp"

namespace store::postgres {
namespace {

using namespace testing;

class PostgresPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (server_url() == nullptr) GTEST_SKIP() << "LLMGATE_TEST_POSTGRES_URL is not set";
    database_ = std::make_unique<TestDatabase>();
    auto opened = Connection::open(database_->url());
    ASSERT_TRUE(opened) << opened.error().message;
    connection_ = std::make_unique<Connection>(std::move(*opened));
    ASSERT_TRUE(connection_->exec_script("CREATE TABLE numbers (n integer PRIMARY KEY)"));
  }

  std::vector<Params> rows(const std::vector<int>& numbers) {
    std::vector<Params> out;
    for (int n : numbers) out.emplace_back().int64(n);
    return out;
  }
  std::int64_t stored() {
    auto rows = connection_->exec("SELECT COUNT(*) FROM numbers");
    EXPECT_TRUE(rows) << rows.error().message;
    return rows ? rows->int64(0, 0) : -1;
  }

  std::unique_ptr<TestDatabase> database_;
  std::unique_ptr<Connection> connection_;
};

TEST_F(PostgresPipelineTest, RunsTheStatementForEachRowAndAnswersInOrder) {
  auto transaction = Transaction::begin(*connection_);
  ASSERT_TRUE(transaction);
  auto answers =
      connection_->exec_each("INSERT INTO numbers VALUES ($1) RETURNING n * 10", rows({3, 1, 2}));
  ASSERT_TRUE(answers) << answers.error().message;
  ASSERT_EQ(answers->size(), 3u);
  EXPECT_EQ((*answers)[0].int64(0, 0), 30);
  EXPECT_EQ((*answers)[1].int64(0, 0), 10);
  EXPECT_EQ((*answers)[2].int64(0, 0), 20);
  ASSERT_TRUE(transaction->commit());
  EXPECT_EQ(stored(), 3);
}

TEST_F(PostgresPipelineTest, AFailureStopsTheBatchAndTheConnectionStaysUsable) {
  {
    auto transaction = Transaction::begin(*connection_);
    ASSERT_TRUE(transaction);
    // The second row repeats the first: the rest of the batch is skipped.
    auto answers = connection_->exec_each("INSERT INTO numbers VALUES ($1)", rows({1, 1, 2}));
    ASSERT_FALSE(answers);
    EXPECT_EQ(connection_->error_state(), "23505");  // unique_violation
    EXPECT_NE(answers.error().message.find("INSERT INTO numbers"), std::string::npos)
        << answers.error().message;
  }  // rolled back
  EXPECT_EQ(stored(), 0);
  // Out of pipeline mode again: an ordinary statement and another batch both work.
  auto transaction = Transaction::begin(*connection_);
  ASSERT_TRUE(transaction);
  ASSERT_TRUE(connection_->exec_each("INSERT INTO numbers VALUES ($1)", rows({4, 5})));
  ASSERT_TRUE(transaction->commit());
  EXPECT_EQ(stored(), 2);
}

TEST_F(PostgresPipelineTest, NoRowsAnswersNothing) {
  auto answers = connection_->exec_each("INSERT INTO numbers VALUES ($1)", {});
  ASSERT_TRUE(answers);
  EXPECT_TRUE(answers->empty());
  EXPECT_EQ(stored(), 0);
}

}  // namespace
}  // namespace store::postgres
