// Chat records: sessions and threads written in batches, listed, searched and scoped.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

#include "admin_fixtures.hpp"
#include "temp_dir.hpp"
#include "usage_expectations.hpp"

namespace store::sqlite {
namespace {

using core::ErrorKind;
using core::Money;
using namespace testing;

int count_commit(void* commits) {
  ++*static_cast<int*>(commits);
  return 0;  // 0: let the commit go ahead
}

class RecordsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = open_migrated();
    alice_ = must(store_->insert_key(new_key("alice"))).id;
    bob_ = must(store_->insert_key(new_key("bob"))).id;
  }

  void insert(const std::vector<NewThread>& threads) {
    auto status = store_->insert_threads(threads);
    ASSERT_TRUE(status) << status.error().message;
  }

  std::vector<std::int64_t> session_ids(const RecordFilter& filter) {
    std::vector<std::int64_t> ids;
    for (const auto& row : must(store_->list_sessions(filter)).items) ids.push_back(row.id);
    return ids;
  }
  std::int64_t session_id(std::int64_t key_id, const std::string& session_key) {
    return scalar(*store_, "SELECT id FROM sessions WHERE key_id = " + std::to_string(key_id) +
                               " AND session_key = '" + session_key + "'");
  }

  std::unique_ptr<SqliteStore> store_;
  std::int64_t alice_ = 0;
  std::int64_t bob_ = 0;
};

RecordFilter search(std::string q, std::optional<std::int64_t> key_id = std::nullopt) {
  RecordFilter filter;
  filter.page.q = std::move(q);
  filter.key_id = key_id;
  return filter;
}

// ---- insert_threads ------------------------------------------------------------------

TEST_F(RecordsTest, ABatchIsOneCommit) {
  int commits = 0;
  sqlite3_commit_hook(store_->connection().handle(), count_commit, &commits);
  std::vector<NewThread> batch;
  for (int i = 0; i < 10; ++i)
    batch.push_back(new_thread(alice_, "h:s" + std::to_string(i % 3), 100 + i));
  insert(batch);
  sqlite3_commit_hook(store_->connection().handle(), nullptr, nullptr);
  EXPECT_EQ(commits, 1);
  EXPECT_EQ(scalar(*store_, "SELECT COUNT(*) FROM threads"), 10);
  EXPECT_EQ(scalar(*store_, "SELECT COUNT(*) FROM sessions"), 3);
}

TEST_F(RecordsTest, KeptStatementsHoldNoReadSnapshotBetweenBatches) {
  // The hot statements stay prepared across batches; a statement left mid-step would keep
  // a read snapshot open and stop WAL checkpoints from ever finishing.
  insert({new_thread(alice_, "h:a", 100)});
  insert({new_thread(alice_, "h:a", 101), new_thread(bob_, "h:b", 102)});
  sqlite3* db = store_->connection().handle();
  int kept = 0;
  for (sqlite3_stmt* statement = sqlite3_next_stmt(db, nullptr); statement != nullptr;
       statement = sqlite3_next_stmt(db, statement)) {
    ++kept;
    EXPECT_FALSE(sqlite3_stmt_busy(statement)) << sqlite3_sql(statement);
  }
  EXPECT_GT(kept, 0);
  EXPECT_NE(sqlite3_get_autocommit(db), 0);  // no transaction left open
  EXPECT_EQ(scalar(*store_, "SELECT thread_count FROM sessions WHERE session_key = 'h:a'"), 2);
}

// PRAGMA synchronous of the connection after its last write: 2 is FULL, 1 is NORMAL.
std::int64_t synchronous_now(SqliteStore& store) { return scalar(store, "PRAGMA synchronous"); }

std::vector<Charge> a_charge(std::int64_t key_id) {
  return {
      Charge{key_id, "2026-11", Money::from_nanos(5), Money::from_nanos(0), Money::from_nanos(5)}};
}

TEST_F(RecordsTest, RecordsCommitWithoutFlushChargesWithFlush) {
  insert({new_thread(alice_, "h:a", 100)});
  EXPECT_EQ(synchronous_now(*store_), 1);
  ASSERT_TRUE(store_->apply_charges(a_charge(alice_)));
  EXPECT_EQ(synchronous_now(*store_), 2);
  insert({new_thread(alice_, "h:a", 101)});
  EXPECT_EQ(synchronous_now(*store_), 1);
}

TEST_F(RecordsTest, WithoutFlushingNothingCommitsWithFlush) {
  store::testing::TempDir dir;
  auto store = SqliteStore::open((dir.path() / "normal.db").string(), core::Clock(),
                                 /*flush_commits=*/false);
  ASSERT_TRUE(store);
  ASSERT_TRUE((*store)->migrate());
  EXPECT_EQ(synchronous_now(**store), 1);
  auto key = must((*store)->insert_key(new_key("dave"))).id;
  ASSERT_TRUE((*store)->apply_charges(a_charge(key)));
  EXPECT_EQ(synchronous_now(**store), 1);
  ASSERT_TRUE((*store)->insert_threads({new_thread(key, "h:d", 100)}));
  EXPECT_EQ(synchronous_now(**store), 1);
  EXPECT_EQ(must((*store)->find_key(key)).total_fee, Money::from_nanos(5));
}

TEST_F(RecordsTest, ALargeBatchKeepsItsOrderAndEveryField) {
  // 19 threads: two statements of several rows, then three of one.
  std::vector<NewThread> batch;
  for (int i = 0; i < 19; ++i) {
    auto thread = new_thread(i % 2 ? alice_ : bob_, "h:s" + std::to_string(i % 3), 1000 - i,
                             "prompt " + std::to_string(i), "answer " + std::to_string(i));
    thread.request_id = "req-" + std::to_string(i);
    thread.tokens_in = i;
    thread.fee = Money::from_nanos(i * 1'000'000'007LL);
    batch.push_back(thread);
  }
  insert(batch);
  const std::int64_t first = scalar(*store_, "SELECT MIN(id) FROM threads");
  for (int i = 0; i < 19; ++i) {
    const std::string where = " FROM threads WHERE id = " + std::to_string(first + i);
    EXPECT_EQ(scalar(*store_, "SELECT tokens_in" + where), i);
    EXPECT_EQ(scalar(*store_, "SELECT fee" + where), i * 1'000'000'007LL);
    EXPECT_EQ(scalar(*store_, "SELECT created_at" + where), 1000 - i);
    EXPECT_EQ(scalar(*store_, "SELECT key_id" + where), i % 2 ? alice_ : bob_);
    EXPECT_EQ(scalar(*store_, "SELECT request_id = 'req-" + std::to_string(i) + "'" + where), 1);
  }
  EXPECT_EQ(scalar(*store_, "SELECT COUNT(*) FROM threads"), 19);
}

TEST_F(RecordsTest, SessionsAreScopedByKey) {
  insert({new_thread(alice_, "h:chat", 100), new_thread(alice_, "h:chat", 101),
          new_thread(bob_, "h:chat", 102)});
  EXPECT_EQ(scalar(*store_, "SELECT COUNT(*) FROM sessions"), 2);
  auto alice = must(store_->find_session(session_id(alice_, "h:chat"), alice_));
  EXPECT_EQ(alice.session.thread_count, 2);
  ASSERT_EQ(alice.threads.size(), 2u);
  auto bob = must(store_->find_session(session_id(bob_, "h:chat"), bob_));
  EXPECT_EQ(bob.session.thread_count, 1);
  EXPECT_EQ(bob.session.key_name, "bob");
  EXPECT_NE(alice.session.id, bob.session.id);
}

TEST_F(RecordsTest, ABatchAddsItsThreadsToTheirSessionsOnce) {
  insert({new_thread(alice_, "h:old", 100)});
  // One batch: two threads of an existing session, three of a new one (interleaved, one
  // late), one of another key's session of the same name.
  std::vector<NewThread> batch;
  for (std::int64_t at : {110, 120}) {
    auto thread = new_thread(alice_, "h:old", at);
    thread.tokens_in = 5;
    thread.fee = Money::from_nanos(1'000'000'001);
    batch.push_back(thread);
    auto fresh = new_thread(alice_, "h:new", at + 1);
    fresh.session_title = at == 110 ? "first of new" : "second of new";
    fresh.tokens_out = 3;
    batch.push_back(fresh);
  }
  batch.push_back(new_thread(alice_, "h:new", 90));
  batch.push_back(new_thread(bob_, "h:new", 130));
  insert(batch);

  auto old = must(store_->find_session(session_id(alice_, "h:old"), alice_)).session;
  EXPECT_EQ(old.thread_count, 3);
  EXPECT_EQ(old.updated_at, 120);
  EXPECT_EQ(old.created_at, 100);
  EXPECT_EQ(old.total_in_tokens, 10 + new_thread(alice_, "x", 0).tokens_in);
  auto fresh = must(store_->find_session(session_id(alice_, "h:new"), alice_));
  EXPECT_EQ(fresh.session.thread_count, 3);
  EXPECT_EQ(fresh.session.title, "first of new");
  EXPECT_EQ(fresh.session.created_at, 111);
  EXPECT_EQ(fresh.session.updated_at, 121);
  ASSERT_EQ(fresh.threads.size(), 3u);
  EXPECT_EQ(must(store_->find_session(session_id(bob_, "h:new"), bob_)).session.thread_count, 1);
  EXPECT_EQ(scalar(*store_, "SELECT SUM(thread_count) FROM sessions"),
            scalar(*store_, "SELECT COUNT(*) FROM threads"));
  EXPECT_EQ(scalar(*store_, "SELECT SUM(total_fee) FROM sessions"),
            scalar(*store_, "SELECT SUM(fee) FROM threads"));
}

TEST_F(RecordsTest, TotalsAddUpExactly) {
  auto first = new_thread(alice_, "o:abc", 200);
  first.tokens_in = 7;
  first.tokens_out = 11;
  first.fee = Money::from_nanos(1'234'567'891);
  first.session_title = "the first title";
  auto second = new_thread(alice_, "o:abc", 300);
  second.tokens_in = 13;
  second.tokens_out = 17;
  second.fee = Money::from_nanos(987'654'329);
  second.session_title = "a later title";
  insert({first});
  insert({second});
  // Arrives late (an older request finished last): counted, but updated_at stays.
  auto late = new_thread(alice_, "o:abc", 250);
  late.fee = Money::from_nanos(1);
  late.tokens_in = 1;
  late.tokens_out = 0;
  insert({late});

  auto detail = must(store_->find_session(session_id(alice_, "o:abc"), std::nullopt));
  const SessionRow& session = detail.session;
  EXPECT_EQ(session.title, "the first title");
  EXPECT_EQ(session.key_id, alice_);
  EXPECT_EQ(session.key_name, "alice");
  EXPECT_EQ(session.thread_count, 3);
  EXPECT_EQ(session.total_in_tokens, 21);
  EXPECT_EQ(session.total_out_tokens, 28);
  EXPECT_EQ(session.total_fee, Money::from_nanos(2'222'222'221));
  EXPECT_EQ(session.created_at, 200);
  EXPECT_EQ(session.updated_at, 300);

  // Threads oldest first (by id, the order they were written); fees sum to the total.
  ASSERT_EQ(detail.threads.size(), 3u);
  EXPECT_EQ(detail.threads[0].thread.created_at, 200);
  EXPECT_EQ(detail.threads[1].thread.created_at, 300);
  EXPECT_EQ(detail.threads[2].thread.created_at, 250);
  std::int64_t sum = 0;
  for (const auto& thread : detail.threads) {
    EXPECT_EQ(thread.session_id, session.id);
    EXPECT_EQ(thread.thread.session_title, "the first title");
    sum += thread.thread.fee.nanos();
  }
  EXPECT_EQ(Money::from_nanos(sum), session.total_fee);
}

TEST_F(RecordsTest, EveryFieldRoundTrips) {
  NewThread thread = new_thread(bob_, "h:x", 1'700'000'000, "what's 2+2?", "4");
  thread.tool_calls = R"([{"id":"c1","type":"function"}])";
  thread.whole_prompt = R"([{"role":"system","content":"s"},{"role":"user","content":"q"}])";
  thread.tokens_in = 123;
  thread.tokens_out = 456;
  thread.cached_tokens = 78;
  thread.reasoning_tokens = 90;
  thread.usage_estimated = true;
  thread.price_in = Money::from_nanos(1'000'000'001);
  thread.price_out = Money::from_nanos(2'000'000'002);
  thread.fee = Money::from_nanos(3'000'000'003);
  thread.first_byte_latency_ms = 42;
  thread.latency_ms = 4242;
  thread.stream = false;
  thread.status = "error";
  thread.error = "upstream answered 500: boom";
  thread.request_id = "req-xyz";
  thread.model = "claude-sonnet";
  insert({thread});
  const std::int64_t id = scalar(*store_, "SELECT MAX(id) FROM threads");
  auto row = must(store_->find_thread(id, std::nullopt));
  EXPECT_EQ(row.id, id);
  EXPECT_EQ(row.session_id, session_id(bob_, "h:x"));
  const NewThread& got = row.thread;
  EXPECT_EQ(got.key_id, bob_);
  EXPECT_EQ(got.session_key, "h:x");
  EXPECT_EQ(got.session_title, "title of h:x");
  EXPECT_EQ(got.request_id, "req-xyz");
  EXPECT_EQ(got.model, "claude-sonnet");
  EXPECT_EQ(got.prompt, "what's 2+2?");
  EXPECT_EQ(got.completion, "4");
  EXPECT_EQ(got.tool_calls, thread.tool_calls);
  EXPECT_EQ(got.whole_prompt, thread.whole_prompt);
  EXPECT_EQ(got.tokens_in, 123);
  EXPECT_EQ(got.tokens_out, 456);
  EXPECT_EQ(got.cached_tokens, 78);
  EXPECT_EQ(got.reasoning_tokens, 90);
  EXPECT_TRUE(got.usage_estimated);
  EXPECT_EQ(got.price_in, thread.price_in);
  EXPECT_EQ(got.price_out, thread.price_out);
  EXPECT_EQ(got.fee, thread.fee);
  EXPECT_EQ(got.first_byte_latency_ms, 42);
  EXPECT_EQ(got.latency_ms, 4242);
  EXPECT_FALSE(got.stream);
  EXPECT_EQ(got.status, "error");
  EXPECT_EQ(got.error, "upstream answered 500: boom");
  EXPECT_EQ(got.created_at, 1'700'000'000);
}

TEST_F(RecordsTest, EveryStatusIsAccepted) {
  auto cancelled = new_thread(alice_, "h:a", 1);
  cancelled.status = "cancelled";
  auto failed = new_thread(alice_, "h:a", 2);
  failed.status = "error";
  insert({new_thread(alice_, "h:a", 0), cancelled, failed});
  EXPECT_EQ(scalar(*store_, "SELECT COUNT(DISTINCT status) FROM threads"), 3);
}

TEST_F(RecordsTest, AnUnknownStatusWritesNothingOfTheBatch) {
  auto bad = new_thread(alice_, "h:a", 2);
  bad.status = "done";
  auto status = store_->insert_threads({new_thread(alice_, "h:a", 1), bad});
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().kind, ErrorKind::kInternal);
  EXPECT_NE(status.error().message.find("done"), std::string::npos);
  EXPECT_EQ(scalar(*store_, "SELECT COUNT(*) FROM threads"), 0);
  EXPECT_EQ(scalar(*store_, "SELECT COUNT(*) FROM sessions"), 0);
}

TEST_F(RecordsTest, AFailingThreadRollsTheBatchBack) {
  // Make the second insert fail inside the transaction (a trigger the store knows nothing of).
  exec(*store_,
       "CREATE TRIGGER refuse BEFORE INSERT ON threads WHEN new.request_id = 'boom' "
       "BEGIN SELECT RAISE(ABORT, 'refused'); END");
  auto boom = new_thread(bob_, "h:b", 2);
  boom.request_id = "boom";
  EXPECT_FALSE(store_->insert_threads({new_thread(alice_, "h:a", 1), boom}));
  EXPECT_EQ(scalar(*store_, "SELECT COUNT(*) FROM threads"), 0);
  EXPECT_EQ(scalar(*store_, "SELECT COUNT(*) FROM sessions"), 0);
  // The store is usable afterwards.
  insert({new_thread(alice_, "h:a", 3)});
  EXPECT_EQ(scalar(*store_, "SELECT COUNT(*) FROM threads"), 1);
}

TEST_F(RecordsTest, AnEmptyBatchIsFine) {
  insert({});
  EXPECT_EQ(scalar(*store_, "SELECT COUNT(*) FROM threads"), 0);
}

TEST_F(RecordsTest, AThreadOfAnUnknownKeyIsStillRecorded) {
  insert({new_thread(999, "h:gone", 5)});
  auto sessions = must(store_->list_sessions(RecordFilter{}));
  ASSERT_EQ(sessions.items.size(), 1u);
  EXPECT_EQ(sessions.items[0].key_id, 999);
  EXPECT_EQ(sessions.items[0].key_name, "");
}

// ---- lists ---------------------------------------------------------------------------

TEST_F(RecordsTest, SessionsNewestActivityFirstWithStableTies) {
  insert({new_thread(alice_, "h:1", 100), new_thread(alice_, "h:2", 300),
          new_thread(bob_, "h:3", 200), new_thread(bob_, "h:4", 300),
          new_thread(alice_, "h:5", 50)});
  // h:1 becomes active again, after everything else.
  insert({new_thread(alice_, "h:1", 400)});
  const auto s1 = session_id(alice_, "h:1");
  const auto s2 = session_id(alice_, "h:2");
  const auto s3 = session_id(bob_, "h:3");
  const auto s4 = session_id(bob_, "h:4");
  const auto s5 = session_id(alice_, "h:5");
  using Ids = std::vector<std::int64_t>;
  EXPECT_EQ(session_ids(RecordFilter{}), (Ids{s1, s4, s2, s3, s5}));

  RecordFilter page;
  page.page.limit = 2;
  page.page.offset = 2;
  auto second = must(store_->list_sessions(page));
  EXPECT_EQ(second.total, 5);
  ASSERT_EQ(second.items.size(), 2u);
  EXPECT_EQ(second.items[0].id, s2);
  EXPECT_EQ(second.items[1].id, s3);

  RecordFilter alice;
  alice.key_id = alice_;
  auto mine = must(store_->list_sessions(alice));
  EXPECT_EQ(mine.total, 3);
  EXPECT_EQ(session_ids(alice), (Ids{s1, s2, s5}));
  EXPECT_EQ(mine.items[0].key_name, "alice");
}

TEST_F(RecordsTest, ThreadsNewestFirstFilteredByKeyAndSession) {
  insert({new_thread(alice_, "h:1", 100), new_thread(bob_, "h:1", 101),
          new_thread(alice_, "h:2", 102), new_thread(alice_, "h:1", 103)});
  auto all = must(store_->list_threads(RecordFilter{}));
  EXPECT_EQ(all.total, 4);
  ASSERT_EQ(all.items.size(), 4u);
  EXPECT_EQ(all.items[0].thread.created_at, 103);
  EXPECT_EQ(all.items[3].thread.created_at, 100);
  EXPECT_GT(all.items[0].id, all.items[1].id);

  RecordFilter alice;
  alice.key_id = alice_;
  EXPECT_EQ(must(store_->list_threads(alice)).total, 3);

  RecordFilter session;
  session.session_id = session_id(alice_, "h:1");
  auto in_session = must(store_->list_threads(session));
  EXPECT_EQ(in_session.total, 2);
  ASSERT_EQ(in_session.items.size(), 2u);
  EXPECT_EQ(in_session.items[0].thread.created_at, 103);
  EXPECT_EQ(in_session.items[0].thread.session_key, "h:1");

  // Bob asking for Alice's session sees nothing of it.
  session.key_id = bob_;
  EXPECT_EQ(must(store_->list_threads(session)).total, 0);

  RecordFilter paged;
  paged.page.limit = 1;
  paged.page.offset = 1;
  auto page = must(store_->list_threads(paged));
  EXPECT_EQ(page.total, 4);
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].thread.created_at, 102);
}

// ---- search --------------------------------------------------------------------------

class RecordsSearchTest : public RecordsTest {
 protected:
  void SetUp() override {
    RecordsTest::SetUp();
    auto recipe = new_thread(alice_, "h:cooking", 100, "How do I bake bread?",
                             "Knead the dough, then let it rise overnight.");
    recipe.session_title = "Bread baking";
    auto pasta = new_thread(alice_, "h:cooking", 101, "And pasta?",
                            "Boil salted water; the café's trick is olive oil.");
    auto travel = new_thread(alice_, "h:travel", 102, "Trains in Japan",
                             "The Shinkansen is fast and punctual.");
    travel.session_title = "Japan trip";
    auto secret =
        new_thread(bob_, "h:bob", 103, "bob's bread question", "Sourdough needs a starter.");
    secret.session_title = "Bob bread";
    auto syntax =
        new_thread(bob_, "h:syntax", 104, R"(say "NEAR(" AND foo* it's)", "prompt:x OR NOT y");
    syntax.session_title = "Operators";
    insert({recipe, pasta, travel, secret, syntax});
  }

  std::vector<std::string> thread_prompts(const RecordFilter& filter) {
    std::vector<std::string> prompts;
    for (const auto& row : must(store_->list_threads(filter)).items) {
      prompts.push_back(row.thread.prompt);
    }
    return prompts;
  }
  std::vector<std::string> session_titles(const RecordFilter& filter) {
    std::vector<std::string> titles;
    for (const auto& row : must(store_->list_sessions(filter)).items) titles.push_back(row.title);
    return titles;
  }
};

using Strings = std::vector<std::string>;

TEST_F(RecordsSearchTest, FindsAWordOfACompletion) {
  EXPECT_EQ(thread_prompts(search("overnight")), (Strings{"How do I bake bread?"}));
  EXPECT_EQ(thread_prompts(search("SHINKANSEN")), (Strings{"Trains in Japan"}));
  // Words, not substrings.
  EXPECT_TRUE(thread_prompts(search("ight")).empty());
  // Sessions through their threads' text.
  EXPECT_EQ(session_titles(search("overnight")), (Strings{"Bread baking"}));
  EXPECT_EQ(session_titles(search("punctual")), (Strings{"Japan trip"}));
}

TEST_F(RecordsSearchTest, EachBatchIndexesItsOwnNewRowsOnce) {
  // A later batch: a thread for an existing session, and a new session. Each batch indexes
  // the rows it added (after the largest ids before it), so nothing is indexed twice or
  // missed, and an existing session's title stays found once.
  auto more = new_thread(alice_, "h:cooking", 105, "Rye bread?", "Rye wants a longer proof.");
  auto fresh = new_thread(alice_, "h:garden", 106, "Tomatoes", "Stake them early.");
  fresh.session_title = "Garden plans";
  insert({more, fresh});
  EXPECT_EQ(thread_prompts(search("proof")), (Strings{"Rye bread?"}));
  EXPECT_EQ(thread_prompts(search("overnight")), (Strings{"How do I bake bread?"}));
  EXPECT_EQ(session_titles(search("garden")), (Strings{"Garden plans"}));
  EXPECT_EQ(session_titles(search("baking")), (Strings{"Bread baking"}));
  // The index's own row of sizes per document: each row indexed exactly once.
  EXPECT_EQ(scalar(*store_, "SELECT COUNT(*) FROM threads_fts_docsize"),
            scalar(*store_, "SELECT COUNT(*) FROM threads"));
  EXPECT_EQ(scalar(*store_, "SELECT COUNT(*) FROM sessions_fts_docsize"),
            scalar(*store_, "SELECT COUNT(*) FROM sessions"));
}

TEST_F(RecordsTest, RecordsAreIndexedInBulkOrBeforeASearch) {
  insert({new_thread(alice_, "h:a", 100, "first", "alpha")});
  // One row waits: not indexed yet, but a search indexes it first.
  EXPECT_EQ(scalar(*store_, "SELECT COUNT(*) FROM threads_fts_docsize"), 0);
  EXPECT_EQ(scalar(*store_, "SELECT threads_to FROM search_index_state"), 0);
  EXPECT_EQ(must(store_->list_threads(search("alpha"))).total, 1);
  EXPECT_EQ(scalar(*store_, "SELECT COUNT(*) FROM threads_fts_docsize"), 1);
  EXPECT_EQ(scalar(*store_, "SELECT COUNT(*) FROM sessions_fts_docsize"), 1);
  EXPECT_EQ(scalar(*store_, "SELECT threads_to FROM search_index_state"),
            scalar(*store_, "SELECT MAX(id) FROM threads"));

  // A batch that makes kIndexBatch rows wait is indexed as it is written.
  std::vector<NewThread> batch;
  for (std::int64_t i = 0; i < SqliteStore::kIndexBatch; ++i) {
    batch.push_back(new_thread(bob_, "h:b" + std::to_string(i % 7), 200 + i, "q", "beta"));
  }
  insert(batch);
  EXPECT_EQ(scalar(*store_, "SELECT COUNT(*) FROM threads_fts_docsize"),
            1 + SqliteStore::kIndexBatch);
  EXPECT_EQ(scalar(*store_, "SELECT COUNT(*) FROM sessions_fts_docsize"), 1 + 7);
  EXPECT_EQ(must(store_->list_threads(search("beta"))).total, SqliteStore::kIndexBatch);
}

TEST_F(RecordsSearchTest, ToolCallsAreSearched) {
  auto call = new_thread(alice_, "h:tools", 100, "What is the weather?", "");
  call.tool_calls = R"([{"id":"call_9","type":"function","function":{"name":"get_forecast",)"
                    R"("arguments":"{\"city\":\"Reykjavik\"}"}}])";
  insert({call, new_thread(bob_, "h:other", 101, "hello", "Reykjavik is cold")});
  // The function's name and the words of its arguments, in every kind of search.
  EXPECT_EQ(thread_prompts(search("forecast")), (Strings{"What is the weather?"}));
  EXPECT_EQ(thread_prompts(search("get_forecast")), (Strings{"What is the weather?"}));
  EXPECT_EQ(must(store_->list_threads(search("Reykjavik"))).total, 2);
  EXPECT_EQ(thread_prompts(search("reykjavik", alice_)), (Strings{"What is the weather?"}));
  EXPECT_EQ(must(store_->list_sessions(search("forecast"))).total, 1);
}

TEST_F(RecordsTest, WaitingRecordsAreFoundAfterAReopen) {
  store::testing::TempDir dir;
  const std::string path = (dir.path() / "records.db").string();
  auto open_file = [&path] {
    auto store = SqliteStore::open(path);
    EXPECT_TRUE(store) << store.error().message;
    EXPECT_TRUE((*store)->migrate());
    return std::move(*store);
  };
  {
    auto store = open_file();
    auto key = must(store->insert_key(new_key("carol"))).id;
    ASSERT_TRUE(store->insert_threads({new_thread(key, "h:c", 100, "p", "gamma")}));
  }
  auto store = open_file();
  RecordFilter filter;
  filter.page.q = "gamma";
  EXPECT_EQ(must(store->list_threads(filter)).total, 1);
  EXPECT_EQ(must(store->list_sessions(filter)).total, 1);
}

TEST_F(RecordsSearchTest, FindsAWordOfATitle) {
  EXPECT_EQ(session_titles(search("trip")), (Strings{"Japan trip"}));
  EXPECT_EQ(session_titles(search("baking")), (Strings{"Bread baking"}));
  // The thread list searches the threads' own text only.
  EXPECT_TRUE(thread_prompts(search("baking")).empty());
}

TEST_F(RecordsSearchTest, PrefixOfTheLastWordAndAllWords) {
  EXPECT_EQ(thread_prompts(search("Shinkan")), (Strings{"Trains in Japan"}));
  EXPECT_EQ(thread_prompts(search("knead dou")), (Strings{"How do I bake bread?"}));
  // Every word must match; only the last is a prefix.
  EXPECT_TRUE(thread_prompts(search("knea dough")).empty());
  EXPECT_TRUE(thread_prompts(search("knead sourdough")).empty());
  // Case and accents fold.
  EXPECT_EQ(thread_prompts(search("CAFE")), (Strings{"And pasta?"}));
  EXPECT_EQ(thread_prompts(search("café")), (Strings{"And pasta?"}));
}

TEST_F(RecordsSearchTest, SearchIsScopedToTheKey) {
  EXPECT_EQ(thread_prompts(search("bread")),
            (Strings{"bob's bread question", "How do I bake bread?"}));
  EXPECT_EQ(thread_prompts(search("bread", alice_)), (Strings{"How do I bake bread?"}));
  EXPECT_EQ(thread_prompts(search("sourdough", alice_)), Strings{});
  EXPECT_EQ(session_titles(search("bread", alice_)), (Strings{"Bread baking"}));
  EXPECT_EQ(session_titles(search("bread", bob_)), (Strings{"Bob bread"}));
  EXPECT_EQ(must(store_->list_sessions(search("bread"))).total, 2);
}

TEST_F(RecordsSearchTest, QueryOperatorsAreText) {
  for (const char* q : {R"(")",
                        "AND",
                        "foo*",
                        "NEAR(",
                        "'",
                        "OR",
                        "NOT",
                        "prompt:x",
                        "(",
                        ")",
                        "^",
                        "*",
                        "-x",
                        "a:b:c",
                        R"("unterminated)",
                        R"(a" OR "b)",
                        "NEAR(a b, 2)",
                        "{prompt completion}:x",
                        "\\",
                        "%_",
                        "x\x01y"}) {
    auto threads = store_->list_threads(search(q));
    EXPECT_TRUE(threads) << q << ": " << threads.error().message;
    auto sessions = store_->list_sessions(search(q));
    EXPECT_TRUE(sessions) << q << ": " << sessions.error().message;
  }
  const Strings operators{R"(say "NEAR(" AND foo* it's)"};
  // The word "and" (and words it begins), not an operator.
  EXPECT_EQ(thread_prompts(search("AND")),
            (Strings{R"(say "NEAR(" AND foo* it's)", "Trains in Japan", "And pasta?"}));
  EXPECT_EQ(thread_prompts(search("NOT")), operators);
  EXPECT_EQ(thread_prompts(search("NEAR(")), operators);
  EXPECT_EQ(thread_prompts(search("foo*")), operators);
  EXPECT_EQ(thread_prompts(search("prompt:x")), operators);
  EXPECT_EQ(thread_prompts(search("it's")), operators);
  EXPECT_EQ(thread_prompts(search(R"("near")")), operators);
  // A column filter is not one: "completion" is no word of any record.
  EXPECT_TRUE(thread_prompts(search("completion:Sourdough")).empty());
  // No word at all finds nothing (rather than everything).
  EXPECT_EQ(must(store_->list_threads(search(R"(")"))).total, 0);
  EXPECT_EQ(must(store_->list_sessions(search("' ( *"))).total, 0);
}

TEST_F(RecordsSearchTest, SearchCombinesWithTheSessionFilter) {
  RecordFilter filter = search("the");
  filter.session_id = session_id(alice_, "h:cooking");
  EXPECT_EQ(thread_prompts(filter), (Strings{"And pasta?", "How do I bake bread?"}));
  filter.page.limit = 1;
  auto page = must(store_->list_threads(filter));
  EXPECT_EQ(page.total, 2);
  EXPECT_EQ(page.items.size(), 1u);
}

TEST_F(RecordsSearchTest, ASearchAlonePagesNewestFirstWithExactTotals) {
  // The search-only path walks the index, not the threads: same order, same totals.
  RecordFilter bread = search("bread");
  bread.page.limit = 1;
  auto first = must(store_->list_threads(bread));
  EXPECT_EQ(first.total, 2);
  EXPECT_TRUE(first.total_exact);
  ASSERT_EQ(first.items.size(), 1u);
  EXPECT_EQ(first.items[0].thread.prompt, "bob's bread question");
  EXPECT_EQ(first.items[0].thread.session_title, "Bob bread");
  bread.page.offset = 1;
  auto second = must(store_->list_threads(bread));
  EXPECT_EQ(second.total, 2);
  ASSERT_EQ(second.items.size(), 1u);
  EXPECT_EQ(second.items[0].thread.prompt, "How do I bake bread?");
  bread.page.offset = 2;
  auto past = must(store_->list_threads(bread));
  EXPECT_EQ(past.total, 2);
  EXPECT_TRUE(past.items.empty());
  // With a key, the key's threads are scanned and the search tests them: the same answer.
  EXPECT_EQ(must(store_->list_threads(search("bread", alice_))).total, 1);
  auto sessions = must(store_->list_sessions(search("bread")));
  EXPECT_EQ(sessions.total, 2);
  EXPECT_TRUE(sessions.total_exact);
  EXPECT_EQ(must(store_->list_threads(RecordFilter{})).total, 5);
  EXPECT_TRUE(must(store_->list_threads(RecordFilter{})).total_exact);
}

TEST_F(RecordsTest, AScopedSearchGivesTheSameAnswersWhateverTheScopeSize) {
  // A search within a key or session is planned by the scope's size: at most 1,000 threads
  // (alice, a session) are indexed on their own; a tenth of all threads or more (filler)
  // walk the matches; in between (carol) test the key's threads against all matches. Each
  // must page newest first with the same totals. (Probing threads_fts once per thread was
  // tried: FTS5 rebuilds the last word's prefix list for every probe, 56 ms each at 2M.)
  auto carol = must(store_->insert_key(new_key("carol"))).id;
  auto filler = must(store_->insert_key(new_key("filler"))).id;
  std::vector<NewThread> batch;
  for (int i = 0; i < 11000; ++i) {
    batch.push_back(new_thread(filler, "h:f" + std::to_string(i % 50), 100 + i, "hay", "x"));
  }
  for (int i = 0; i < 1200; ++i) {
    batch.push_back(new_thread(carol, "h:c" + std::to_string(i % 7), 20000 + i,
                               i % 3 == 0 ? "find the needle " + std::to_string(i) : "hay",
                               "answer"));
  }
  for (int i = 0; i < 5; ++i) {
    batch.push_back(new_thread(alice_, "h:a", 30000 + i,
                               i % 2 == 0 ? "a needle of alice " + std::to_string(i) : "hay",
                               "answer"));
  }
  insert(batch);

  RecordFilter between = search("needle", carol);  // 1,200 of 12,205 threads
  between.page.limit = 2;
  auto page = must(store_->list_threads(between));
  EXPECT_EQ(page.total, 400);
  EXPECT_TRUE(page.total_exact);
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_EQ(page.items[0].thread.prompt, "find the needle 1197");
  EXPECT_EQ(page.items[1].thread.prompt, "find the needle 1194");
  between.page.offset = 399;
  page = must(store_->list_threads(between));
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].thread.prompt, "find the needle 0");

  RecordFilter few = search("needle", alice_);
  auto alice_page = must(store_->list_threads(few));
  EXPECT_EQ(alice_page.total, 3);
  ASSERT_EQ(alice_page.items.size(), 3u);
  EXPECT_EQ(alice_page.items[0].thread.prompt, "a needle of alice 4");
  EXPECT_EQ(alice_page.items[2].thread.prompt, "a needle of alice 0");
  EXPECT_EQ(must(store_->list_threads(search("needle", filler))).total, 0);

  RecordFilter many = search("hay", filler);  // 11,000 of 12,205 threads, all matching
  many.page.limit = 3;
  auto filler_page = must(store_->list_threads(many));
  EXPECT_EQ(filler_page.total, 10000);  // counted up to the cap
  EXPECT_FALSE(filler_page.total_exact);
  ASSERT_EQ(filler_page.items.size(), 3u);
  EXPECT_EQ(filler_page.items[0].thread.created_at, 100 + 10999);
  EXPECT_EQ(filler_page.items[2].thread.created_at, 100 + 10997);
  for (const auto& row : filler_page.items) EXPECT_EQ(row.thread.key_id, filler);
  EXPECT_EQ(must(store_->list_threads(search("answer", filler))).total, 0);

  RecordFilter session = search("needle");  // a session of carol's: 171 or 172 threads
  session.session_id = session_id(carol, "h:c0");
  EXPECT_EQ(must(store_->list_threads(session)).total, 58);  // i % 21 == 0 for i < 1200
  EXPECT_EQ(must(store_->list_threads(search("needle"))).total, 403);
}

TEST_F(RecordsSearchTest, TheIndexFollowsUpdatesAndDeletes) {
  // The store never changes or deletes records; the triggers are there for maintenance.
  // A row waiting for the index is changed and deleted too: the index must stay whole.
  insert({new_thread(alice_, "h:later", 105, "Waiting row", "Not indexed yet.")});
  exec(*store_, "UPDATE threads SET completion = 'Still waiting.' WHERE prompt = 'Waiting row'");
  exec(*store_, "DELETE FROM threads WHERE prompt = 'Waiting row'");
  exec(*store_,
       "UPDATE threads SET completion = 'Use a baguette pan.' WHERE prompt = "
       "'How do I bake bread?'");
  EXPECT_TRUE(thread_prompts(search("overnight")).empty());
  EXPECT_EQ(thread_prompts(search("baguette")), (Strings{"How do I bake bread?"}));
  exec(*store_, "UPDATE sessions SET title = 'Rail journey' WHERE title = 'Japan trip'");
  EXPECT_TRUE(session_titles(search("trip")).empty());
  EXPECT_EQ(session_titles(search("journey")), (Strings{"Rail journey"}));
  exec(*store_, "DELETE FROM threads WHERE prompt = 'Trains in Japan'");
  EXPECT_TRUE(thread_prompts(search("shinkansen")).empty());
  // rank 1: also compare the index with the content tables.
  exec(*store_, "INSERT INTO threads_fts (threads_fts, rank) VALUES ('integrity-check', 1)");
  exec(*store_, "INSERT INTO sessions_fts (sessions_fts, rank) VALUES ('integrity-check', 1)");
}

// ---- detail and scoping ---------------------------------------------------------------

TEST_F(RecordsTest, AnotherKeysRecordsAreNotFound) {
  insert({new_thread(alice_, "h:a", 1), new_thread(bob_, "h:b", 2)});
  const auto alices_session = session_id(alice_, "h:a");
  const auto alices_thread = scalar(*store_, "SELECT MIN(id) FROM threads");

  EXPECT_TRUE(store_->find_session(alices_session, alice_));
  EXPECT_TRUE(store_->find_session(alices_session, std::nullopt));  // the admin
  auto session = store_->find_session(alices_session, bob_);
  ASSERT_FALSE(session);
  expect_error(session.error(), ErrorKind::kNotFound,
               "session " + std::to_string(alices_session) + " not found");
  // The same answer as a session that does not exist.
  auto missing = store_->find_session(777, bob_);
  ASSERT_FALSE(missing);
  expect_error(missing.error(), ErrorKind::kNotFound, "session 777 not found");

  EXPECT_TRUE(store_->find_thread(alices_thread, alice_));
  EXPECT_TRUE(store_->find_thread(alices_thread, std::nullopt));
  auto thread = store_->find_thread(alices_thread, bob_);
  ASSERT_FALSE(thread);
  expect_error(thread.error(), ErrorKind::kNotFound,
               "thread " + std::to_string(alices_thread) + " not found");
  auto missing_thread = store_->find_thread(778, std::nullopt);
  ASSERT_FALSE(missing_thread);
  expect_error(missing_thread.error(), ErrorKind::kNotFound, "thread 778 not found");
}

TEST_F(RecordsTest, RecordsOutliveTheirKey) {
  insert({new_thread(alice_, "h:a", 1), new_thread(alice_, "h:a", 2)});
  ASSERT_TRUE(store_->delete_key(alice_));
  auto sessions = must(store_->list_sessions(RecordFilter{}));
  ASSERT_EQ(sessions.items.size(), 1u);
  EXPECT_EQ(sessions.items[0].key_id, alice_);
  EXPECT_EQ(sessions.items[0].key_name, "");
  auto detail = must(store_->find_session(sessions.items[0].id, alice_));
  EXPECT_EQ(detail.threads.size(), 2u);
  EXPECT_EQ(must(store_->list_threads(search("hello", alice_))).total, 2);
  // The key's records keep counting in the totals, but not as a key.
  auto stats = must(store_->statistics(0));
  EXPECT_EQ(stats.keys, 1);
  EXPECT_EQ(stats.requests_total, 2);
  // More records of the deleted key id still land in its session.
  insert({new_thread(alice_, "h:a", 3)});
  EXPECT_EQ(must(store_->find_session(sessions.items[0].id, std::nullopt)).session.thread_count, 3);
}

// ---- statistics ----------------------------------------------------------------------

TEST_F(RecordsTest, StatisticsOfAnEmptyStore) {
  auto stats = must(store_->statistics(1000));
  EXPECT_EQ(stats.keys, 2);
  EXPECT_EQ(stats.active_keys_this_month, 0);
  EXPECT_EQ(stats.requests_total, 0);
  EXPECT_EQ(stats.spend_total, Money{});
  EXPECT_TRUE(stats.models_total.empty());
  EXPECT_TRUE(stats.models_this_month.empty());
}

TEST_F(RecordsTest, StatisticsThisMonthAndInTotal) {
  const std::int64_t month_start = 1'000'000;
  auto thread = [](std::int64_t key, std::string model, std::int64_t at, std::int64_t fee,
                   std::int64_t in, std::int64_t out) {
    auto row = new_thread(key, "h:" + model, at);
    row.model = std::move(model);
    row.fee = Money::from_nanos(fee);
    row.tokens_in = in;
    row.tokens_out = out;
    return row;
  };
  must(store_->insert_key(new_key("carol")));
  insert({
      thread(alice_, "gpt", month_start - 1, 5'000, 100, 200),  // last month
      thread(bob_, "claude", month_start - 50, 9'000, 1, 2),    // last month
      thread(alice_, "gpt", month_start, 1'000, 10, 20),        // this month, at the start
      thread(alice_, "claude", month_start + 5, 3'000, 30, 40),
      thread(alice_, "llama", month_start + 6, 1'000, 1, 1),
      thread(alice_, "gpt", month_start + 7, 2'000, 50, 60),
  });
  auto stats = must(store_->statistics(month_start));
  EXPECT_EQ(stats.keys, 3);
  EXPECT_EQ(stats.active_keys_this_month, 1);
  EXPECT_EQ(stats.requests_this_month, 4);
  EXPECT_EQ(stats.requests_total, 6);
  EXPECT_EQ(stats.tokens_in_this_month, 91);
  EXPECT_EQ(stats.tokens_out_this_month, 121);
  EXPECT_EQ(stats.tokens_in_total, 192);
  EXPECT_EQ(stats.tokens_out_total, 323);
  EXPECT_EQ(stats.spend_this_month, Money::from_nanos(7'000));
  EXPECT_EQ(stats.spend_total, Money::from_nanos(21'000));

  // Highest fee first; equal fees by name.
  ASSERT_EQ(stats.models_this_month.size(), 3u);
  EXPECT_EQ(stats.models_this_month[0].model, "claude");  // 3000 = gpt's 3000: by name
  EXPECT_EQ(stats.models_this_month[0].fee, Money::from_nanos(3'000));
  EXPECT_EQ(stats.models_this_month[0].requests, 1);
  EXPECT_EQ(stats.models_this_month[1].model, "gpt");
  EXPECT_EQ(stats.models_this_month[1].requests, 2);
  EXPECT_EQ(stats.models_this_month[1].tokens_in, 60);
  EXPECT_EQ(stats.models_this_month[1].tokens_out, 80);
  EXPECT_EQ(stats.models_this_month[1].fee, Money::from_nanos(3'000));
  EXPECT_EQ(stats.models_this_month[2].model, "llama");

  ASSERT_EQ(stats.models_total.size(), 3u);
  EXPECT_EQ(stats.models_total[0].model, "claude");
  EXPECT_EQ(stats.models_total[0].fee, Money::from_nanos(12'000));
  EXPECT_EQ(stats.models_total[0].requests, 2);
  EXPECT_EQ(stats.models_total[1].model, "gpt");
  EXPECT_EQ(stats.models_total[1].fee, Money::from_nanos(8'000));
  EXPECT_EQ(stats.models_total[1].tokens_in, 160);
  EXPECT_EQ(stats.models_total[2].model, "llama");
}

TEST_F(RecordsTest, StatisticsFromRunningTotalsAgreeWithTheThreadsAtAnyMonthStart) {
  const std::int64_t start = 1'795'000'000;  // a whole hour
  auto threads = store::testing::threads_over_days({alice_, bob_}, start);
  for (std::size_t from = 0; from < threads.size(); from += 50) {  // batch after batch
    insert({threads.begin() + static_cast<std::ptrdiff_t>(from),
            threads.begin() + static_cast<std::ptrdiff_t>(std::min(from + 50, threads.size()))});
  }
  // Whole hours, and month starts 30 and 45 minutes off the hour (India, Nepal), where the
  // first partial hour is summed from the threads.
  for (std::int64_t month_start : {start - 3600, start + 86'400, start + 86'400 + 1800,
                                   start + 2 * 86'400 + 2700, start + 4 * 86'400}) {
    SCOPED_TRACE(month_start);
    store::testing::expect_same_statistics(must(store_->statistics(month_start)),
                                           store::testing::statistics_of(threads, 2, month_start));
  }
}

}  // namespace
}  // namespace store::sqlite
