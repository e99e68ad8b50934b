// The PostgreSQL store behaves as the SQLite one: errors and their messages, ids, paging,
// search. Needs LLMGATE_TEST_POSTGRES_URL (postgres_fixtures.hpp); skipped without it.

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "postgres_fixtures.hpp"
#include "store/postgres/migrations.hpp"
#include "usage_expectations.hpp"

namespace store::postgres {
namespace {

using core::ErrorKind;
using core::Money;
using namespace testing;

using PostgresStoreTest = PostgresTest;

std::vector<std::string> names(const Page<KeyListRow>& page) {
  std::vector<std::string> out;
  for (const auto& row : page.items) out.push_back(row.key.name);
  return out;
}

// ---- schema ---------------------------------------------------------------------------

TEST_F(PostgresStoreTest, MigratingAgainChangesNothing) {
  const std::int64_t newest = migrations().back().version;
  EXPECT_EQ(scalar(*store_, "SELECT MAX(version) FROM schema_migrations"), newest);
  ASSERT_TRUE(store_->migrate());
  EXPECT_EQ(scalar(*store_, "SELECT COUNT(*) FROM schema_migrations"), newest);
  EXPECT_EQ(scalar(*store_, "SELECT COUNT(*) FROM groups"), 1);
}

TEST(PostgresMigrationTest, GatewaysStartingAtOnceMigrateOnce) {
  if (server_url() == nullptr) GTEST_SKIP() << "LLMGATE_TEST_POSTGRES_URL is not set";
  TestDatabase database;
  std::vector<std::unique_ptr<PostgresStore>> stores;
  for (int i = 0; i < 4; ++i) stores.push_back(database.open());
  std::vector<core::Status> results(stores.size(), core::Ok{});
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < stores.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = stores[i]->migrate(); });
  }
  for (auto& thread : threads) thread.join();
  for (auto& result : results) EXPECT_TRUE(result) << result.error().message;
  EXPECT_EQ(scalar(*stores[0], "SELECT COUNT(*) FROM schema_migrations"),
            migrations().back().version);
  EXPECT_EQ(scalar(*stores[0], "SELECT COUNT(*) FROM groups"), 1);
}

TEST_F(PostgresStoreTest, IdsAreNeverGivenTwice) {
  auto group = must(store_->insert_group("first"));
  EXPECT_EQ(group.id, 2);  // 1 is the default group
  ASSERT_TRUE(store_->delete_group(group.id, false));
  EXPECT_EQ(must(store_->insert_group("second")).id, 3);

  auto key = must(store_->insert_key(new_key("alice")));
  ASSERT_TRUE(store_->delete_key(key.id));
  EXPECT_EQ(must(store_->insert_key(new_key("bob"))).id, key.id + 1);
}

TEST_F(PostgresStoreTest, AMissingDefaultGroupComesBack) {
  exec(*store_, "DELETE FROM groups WHERE id = 1");
  ASSERT_TRUE(store_->migrate());
  EXPECT_EQ(must(store_->find_group(1)).name, "default");
  EXPECT_EQ(must(store_->insert_group("next")).id, 2);
}

// ---- keys -------------------------------------------------------------------------------

TEST_F(PostgresStoreTest, KeysRoundTripWithTheirErrors) {
  auto alice = must(store_->insert_key(new_key("alice", "alice@example.com")));
  EXPECT_EQ(alice.name, "alice");
  EXPECT_EQ(alice.email, "alice@example.com");
  EXPECT_EQ(alice.month_quota, Money::from_nanos(1'000'000'000));
  EXPECT_EQ(alice.balance, Money::from_nanos(2'000'000'000));
  EXPECT_GT(alice.created_at, 0);
  EXPECT_EQ(store_->find_key_by_hash("hash-alice")->id, alice.id);
  EXPECT_FALSE(store_->find_key_by_hash("hash-nobody"));

  expect_error(store_->insert_key(new_key("alice")).error(), ErrorKind::kConflict,
               "an api key with this hash already exists", "api_key");
  expect_error(store_->insert_key(new_key("carol", "", 99)).error(), ErrorKind::kBadRequest,
               "group 99 not found", "group_id");
  expect_error(store_->find_key(424242).error(), ErrorKind::kNotFound, "api key 424242 not found");
  expect_error(store_->delete_key(424242).error(), ErrorKind::kNotFound,
               "api key 424242 not found");

  KeyUpdate update;
  update.group_id = 77;
  expect_error(store_->update_key(alice.id, update).error(), ErrorKind::kBadRequest,
               "group 77 not found", "group_id");
  update = {};
  update.name = "alice2";
  update.role = Role::kAdmin;
  update.month_quota = Money::from_nanos(5);
  auto updated = must(store_->update_key(alice.id, update));
  EXPECT_EQ(updated.name, "alice2");
  EXPECT_EQ(updated.role, Role::kAdmin);
  EXPECT_EQ(updated.month_quota, Money::from_nanos(5));
  EXPECT_EQ(updated.email, "alice@example.com");  // untouched
  EXPECT_TRUE(store_->has_admin_key());
}

TEST_F(PostgresStoreTest, KeyListsPageFilterAndSearchCaseInsensitively) {
  for (const char* name : {"Alpha", "beta", "Gamma", "alphabet", "100%_sure"}) {
    must(store_->insert_key(new_key(name)));
  }
  KeyFilter filter;
  auto all = must(store_->list_keys(filter));
  EXPECT_EQ(all.total, 5);
  EXPECT_EQ(names(all),
            (std::vector<std::string>{"100%_sure", "alphabet", "Gamma", "beta", "Alpha"}));
  EXPECT_EQ(all.items[0].group_name, "default");

  filter.page.q = "ALPHA";
  EXPECT_EQ(names(must(store_->list_keys(filter))),
            (std::vector<std::string>{"alphabet", "Alpha"}));
  // % and _ are plain characters, not patterns.
  filter.page.q = "%_";
  EXPECT_EQ(names(must(store_->list_keys(filter))), (std::vector<std::string>{"100%_sure"}));

  filter.page.q = "";
  filter.page.limit = 2;
  filter.page.offset = 1;
  auto page = must(store_->list_keys(filter));
  EXPECT_EQ(page.total, 5);
  EXPECT_EQ(names(page), (std::vector<std::string>{"alphabet", "Gamma"}));

  KeyFilter by_role;
  by_role.role = Role::kAdmin;
  EXPECT_EQ(must(store_->list_keys(by_role)).total, 0);
}

TEST_F(PostgresStoreTest, RechargeAddsAndWritesAPayment) {
  auto admin = must(store_->insert_key(new_key("root", "", 1, Role::kAdmin)));
  auto alice = must(store_->insert_key(new_key("alice")));
  auto recharge = must(store_->recharge_key(alice.id, Money::from_nanos(500), admin.id));
  EXPECT_EQ(recharge.key.balance, Money::from_nanos(2'000'000'500));
  EXPECT_EQ(recharge.payment.amount, Money::from_nanos(500));
  EXPECT_EQ(recharge.payment.balance_after, Money::from_nanos(2'000'000'500));
  EXPECT_EQ(recharge.payment.admin_key_id, admin.id);
  EXPECT_EQ(recharge.payment.admin_key_name, "root");
  EXPECT_EQ(recharge.payment.key_name, "alice");

  expect_error(store_->recharge_key(alice.id, Money(), std::nullopt).error(),
               ErrorKind::kBadRequest, "the recharge amount must be greater than 0", "balance");
  expect_error(store_->recharge_key(alice.id, Money::from_nanos(INT64_MAX), std::nullopt).error(),
               ErrorKind::kBadRequest,
               "the balance of api key " + std::to_string(alice.id) +
                   " would exceed the largest amount that can be stored",
               "balance");
  expect_error(store_->recharge_key(999, Money::from_nanos(1), std::nullopt).error(),
               ErrorKind::kNotFound, "api key 999 not found");
  auto payments = must(store_->list_payments(alice.id, ListQuery{}));
  EXPECT_EQ(payments.total, 1);
}

// ---- models, groups, grants, bots -------------------------------------------------------

TEST_F(PostgresStoreTest, ModelsGroupsAndGrants) {
  auto group = must(store_->insert_group("team"));
  expect_error(store_->insert_group("team").error(), ErrorKind::kConflict,
               "a group named 'team' already exists", "name");
  auto model = must(store_->insert_model(new_model("gpt", "openai-compatible", group.id)));
  EXPECT_EQ(model.price_in, Money::from_nanos(3'000'000'000));
  EXPECT_FALSE(model.multiple);
  expect_error(store_->insert_model(new_model("gpt")).error(), ErrorKind::kConflict,
               "a model named 'gpt' already exists", "name");

  ModelUpdate update;
  update.multiple = true;
  update.config = R"({"apiKey":"sk-2"})";
  auto updated = must(store_->update_model(model.id, update));
  EXPECT_TRUE(updated.multiple);
  EXPECT_EQ(updated.config, R"({"apiKey":"sk-2"})");
  EXPECT_EQ(updated.name, "gpt");

  auto key = must(store_->insert_key(new_key("alice", "", group.id)));
  ASSERT_TRUE(store_->grant_model_to_key(key.id, model.id));
  ASSERT_TRUE(store_->grant_model_to_key(key.id, model.id));  // idempotent
  expect_error(store_->grant_model_to_key(key.id, 999).error(), ErrorKind::kNotFound,
               "model 999 not found");
  auto data = must(store_->load_catalog());
  EXPECT_EQ(data.group_grants.size(), 1u);
  EXPECT_EQ(data.key_grants.size(), 1u);
  GrantFilter grants;
  grants.page.q = "ALI";
  EXPECT_EQ(must(store_->list_key_grants(grants)).total, 1);

  expect_error(store_->delete_group(group.id, false).error(), ErrorKind::kConflict,
               "group " + std::to_string(group.id) +
                   " still has 1 api key; move them first or delete with force to move them "
                   "to the default group");
  ASSERT_TRUE(store_->delete_group(group.id, true));
  EXPECT_EQ(must(store_->find_key(key.id)).group_id, kDefaultGroupId);
  expect_error(store_->delete_group(1, true).error(), ErrorKind::kBadRequest,
               "the default group cannot be deleted", "id");

  ASSERT_TRUE(store_->revoke_model_from_key(key.id, model.id));
  ASSERT_TRUE(store_->revoke_model_from_key(key.id, model.id));  // idempotent
  ASSERT_TRUE(store_->delete_model(model.id));
  expect_error(store_->delete_model(model.id).error(), ErrorKind::kNotFound,
               "model " + std::to_string(model.id) + " not found");

  auto groups = must(store_->list_groups(ListQuery{}));
  ASSERT_EQ(groups.total, 1);
  EXPECT_EQ(groups.items[0].key_count, 1);
}

TEST_F(PostgresStoreTest, BotsAndTheirEvents) {
  auto bot = must(store_->insert_bot(new_bot("helper", "cli_1")));
  expect_error(store_->insert_bot(new_bot("other", "cli_1")).error(), ErrorKind::kConflict,
               "a bot with appId 'cli_1' already exists", "appId");
  EXPECT_EQ(store_->find_bot_by_app_id("cli_1")->id, bot.id);
  EXPECT_TRUE(must(store_->claim_bot_events(bot.id, {"e:1", "m:1"}, 3600)));
  EXPECT_FALSE(must(store_->claim_bot_events(bot.id, {"e:2", "m:1"}, 3600)));
  // The refused claim recorded nothing: e:2 is still free.
  EXPECT_TRUE(must(store_->claim_bot_events(bot.id, {"e:2"}, 3600)));
  ASSERT_TRUE(store_->delete_bot(bot.id));
  expect_error(store_->find_bot(bot.id).error(), ErrorKind::kNotFound,
               "bot " + std::to_string(bot.id) + " not found");
}

// ---- records ----------------------------------------------------------------------------

class PostgresRecordsTest : public PostgresTest {
 protected:
  void SetUp() override {
    PostgresTest::SetUp();
    if (IsSkipped()) return;
    alice_ = must(store_->insert_key(new_key("alice"))).id;
    bob_ = must(store_->insert_key(new_key("bob"))).id;
  }

  std::vector<std::string> prompts(const std::string& q,
                                   std::optional<std::int64_t> key = std::nullopt) {
    RecordFilter filter;
    filter.page.q = q;
    filter.key_id = key;
    std::vector<std::string> out;
    for (const auto& row : must(store_->list_threads(filter)).items)
      out.push_back(row.thread.prompt);
    return out;
  }

  std::int64_t alice_ = 0;
  std::int64_t bob_ = 0;
};

TEST_F(PostgresRecordsTest, SessionsSumTheirThreadsPerKey) {
  auto first = new_thread(alice_, "h:chat", 200);
  first.session_title = "the first title";
  auto second = new_thread(alice_, "h:chat", 300);
  second.fee = Money::from_nanos(1);
  auto late = new_thread(alice_, "h:chat", 250);
  ASSERT_TRUE(store_->insert_threads({first, second}));
  ASSERT_TRUE(store_->insert_threads({late, new_thread(bob_, "h:chat", 400)}));

  RecordFilter mine;
  mine.key_id = alice_;
  auto sessions = must(store_->list_sessions(mine));
  ASSERT_EQ(sessions.total, 1);
  const SessionRow& session = sessions.items[0];
  EXPECT_EQ(session.title, "the first title");
  EXPECT_EQ(session.key_name, "alice");
  EXPECT_EQ(session.thread_count, 3);
  EXPECT_EQ(session.total_in_tokens, 30);
  EXPECT_EQ(session.total_fee, Money::from_nanos(225'001 * 2 + 1));
  EXPECT_EQ(session.created_at, 200);
  EXPECT_EQ(session.updated_at, 300);

  auto detail = must(store_->find_session(session.id, alice_));
  ASSERT_EQ(detail.threads.size(), 3u);
  EXPECT_EQ(detail.threads[2].thread.created_at, 250);  // oldest first by id
  EXPECT_TRUE(detail.threads[0].thread.stream);
  EXPECT_EQ(detail.threads[0].thread.cached_tokens, 3);
  expect_error(store_->find_session(session.id, bob_).error(), ErrorKind::kNotFound,
               "session " + std::to_string(session.id) + " not found");
  expect_error(store_->find_thread(detail.threads[0].id, bob_).error(), ErrorKind::kNotFound,
               "thread " + std::to_string(detail.threads[0].id) + " not found");

  auto bad = new_thread(alice_, "h:chat", 500);
  bad.status = "done";
  EXPECT_FALSE(store_->insert_threads({new_thread(alice_, "h:other", 1), bad}));
  EXPECT_EQ(scalar(*store_, "SELECT COUNT(*) FROM threads"), 4);

  auto turns = must(store_->recent_turns(alice_, "h:chat", 2));
  ASSERT_EQ(turns.size(), 2u);
  EXPECT_EQ(turns[0].prompt, "hello");
}

TEST_F(PostgresRecordsTest, SearchFindsWordsFoldsCaseAndAccentsAndTakesNoSyntax) {
  ASSERT_TRUE(store_->insert_threads({
      new_thread(alice_, "h:1", 1, "How do I cook pasta?",
                 "Boil salted water; the café's trick is olive oil."),
      new_thread(alice_, "h:2", 2, "Translate 你好 please", "你好 means hello"),
      new_thread(bob_, "h:3", 3, "pasta for bob", "sure"),
  }));
  EXPECT_EQ(prompts("pasta", alice_), (std::vector<std::string>{"How do I cook pasta?"}));
  EXPECT_EQ(prompts("PASTA").size(), 2u);
  // Case and accents fold; the last word is a prefix; every word must occur.
  EXPECT_EQ(prompts("CAFE").size(), 1u);
  EXPECT_EQ(prompts("café").size(), 1u);
  EXPECT_EQ(prompts("oliv").size(), 1u);
  EXPECT_EQ(prompts("water oliv").size(), 1u);
  EXPECT_EQ(prompts("oliv water").size(), 0u);  // only the last word is a prefix
  EXPECT_EQ(prompts("water pizza").size(), 0u);
  EXPECT_EQ(prompts("你好").size(), 1u);
  // Words, not substrings.
  EXPECT_EQ(prompts("asta").size(), 0u);
  // Query syntax is plain text: no error, no match-all.
  for (const char* q : {"pasta & !bob", "'pasta'", "pasta:*", "(pasta | x)", "\\", "pasta'"}) {
    RecordFilter filter;
    filter.page.q = q;
    auto result = store_->list_threads(filter);
    EXPECT_TRUE(result) << q << ": " << result.error().message;
  }
  EXPECT_EQ(prompts("pasta'").size(), 2u);
  // Punctuation only matches nothing; blank is no filter.
  EXPECT_EQ(prompts("!!! ---").size(), 0u);
  EXPECT_EQ(prompts("   ").size(), 3u);

  RecordFilter sessions;
  sessions.page.q = "olive";
  EXPECT_EQ(must(store_->list_sessions(sessions)).total, 1);
  sessions.page.q = "title";  // the session's title ("title of h:1")
  EXPECT_EQ(must(store_->list_sessions(sessions)).total, 3);
}

TEST_F(PostgresRecordsTest, AVeryLongAnswerIsStoredAndItsStartFound) {
  std::string completion = "needle ";
  for (int i = 0; i < 60'000; ++i) completion += "w" + std::to_string(i) + " ";
  ASSERT_TRUE(store_->insert_threads({new_thread(alice_, "h:long", 1, "long", completion)}));
  EXPECT_EQ(prompts("needle").size(), 1u);
}

TEST_F(PostgresRecordsTest, ToolCallsAreSearchedAlsoAfterTheMigration) {
  auto call = new_thread(alice_, "h:tools", 1, "plan a trip", "");
  call.tool_calls =
      R"([{"id":"call_1","type":"function","function":{"name":"book_flight","arguments":"{}"}}])";
  ASSERT_TRUE(store_->insert_threads({call}));
  EXPECT_EQ(prompts("flight"), (std::vector<std::string>{"plan a trip"}));
  EXPECT_EQ(prompts("book_flight", alice_), (std::vector<std::string>{"plan a trip"}));
  // Long texts everywhere still fit one tsvector (the first 40,000 characters of each).
  std::string words = "needle ";
  for (int i = 0; i < 60'000; ++i) words += "w" + std::to_string(i) + " ";
  auto long_call = new_thread(bob_, "h:long", 2, words, words);
  long_call.tool_calls = words;
  ASSERT_TRUE(store_->insert_threads({long_call}));
  EXPECT_EQ(prompts("needle").size(), 1u);

  // Back to version 6, whose search column held prompts and completions only.
  ASSERT_EQ(migrations()[6].version, 7);
  exec(*store_,
       "DROP INDEX threads_search; ALTER TABLE threads DROP COLUMN search; "
       "ALTER TABLE threads ADD COLUMN search tsvector GENERATED ALWAYS AS "
       "(to_tsvector('llmgate_search'::regconfig, left(prompt, 40000) || ' ' || "
       "left(completion, 40000))) STORED; "
       "CREATE INDEX threads_search ON threads USING gin (search); "
       "DELETE FROM schema_migrations WHERE version >= 7");
  EXPECT_TRUE(prompts("flight").empty());
  ASSERT_TRUE(store_->migrate());
  EXPECT_EQ(prompts("flight"), (std::vector<std::string>{"plan a trip"}));
}

// Chinese and Japanese text is searched by its characters (migration 8), as on SQLite
// (search_cjk_test.cpp): a word from the middle of a clause, its characters side by side.
TEST_F(PostgresRecordsTest, ChineseAndJapaneseWordsAreFoundInsideAClause) {
  using Strings = std::vector<std::string>;
  auto database = new_thread(alice_, "h:db", 1, "我想了解数据库的设计，特别是索引",
                             "Kubernetes集群也可以运行它。");
  database.session_title = "数据库设计";
  auto japanese = new_thread(alice_, "h:jp", 2, "データベースの設計について教えて", "");
  auto stock = new_thread(bob_, "h:stock", 3, "库存还有多少？", "");
  ASSERT_TRUE(store_->insert_threads({database, japanese, stock}));
  EXPECT_EQ(prompts("数据库"), (Strings{"我想了解数据库的设计，特别是索引"}));
  EXPECT_EQ(prompts("设计"), (Strings{"我想了解数据库的设计，特别是索引"}));
  EXPECT_EQ(prompts("ベース"), (Strings{"データベースの設計について教えて"}));
  EXPECT_EQ(prompts("还"), (Strings{"库存还有多少？"}));
  EXPECT_TRUE(prompts("数库").empty());    // both occur, not side by side
  EXPECT_TRUE(prompts("库数据").empty());  // the order matters
  EXPECT_EQ(prompts("库").size(), 2u);
  EXPECT_EQ(prompts("kubernetes 集群").size(), 1u);
  EXPECT_EQ(prompts("集群 kuber").size(), 1u);  // the last word still a prefix
  EXPECT_EQ(prompts("数据 设计", alice_).size(), 1u);
  EXPECT_TRUE(prompts("数据 设计", bob_).empty());
  RecordFilter sessions;
  sessions.page.q = "设计";
  EXPECT_EQ(must(store_->list_sessions(sessions)).total, 1);

  // Back to version 7, whose columns took a run of Han characters as one word.
  ASSERT_EQ(migrations()[7].version, 8);
  exec(*store_,
       "DROP INDEX threads_search; ALTER TABLE threads DROP COLUMN search; "
       "ALTER TABLE threads ADD COLUMN search tsvector GENERATED ALWAYS AS "
       "(to_tsvector('llmgate_search'::regconfig, left(prompt, 40000) || ' ' || "
       "left(completion, 40000) || ' ' || left(tool_calls, 40000))) STORED; "
       "CREATE INDEX threads_search ON threads USING gin (search); "
       "DELETE FROM schema_migrations WHERE version >= 8");
  EXPECT_TRUE(prompts("设计").empty());
  ASSERT_TRUE(store_->migrate());
  EXPECT_EQ(prompts("设计"), (Strings{"我想了解数据库的设计，特别是索引"}));
}

// A tsvector holds at most 1 MB; each rare character and each pair of them is a lexeme.
// Texts of tens of thousands of distinct ones must still be stored (the record is never
// refused), searchable by what fits.
TEST_F(PostgresRecordsTest, TextsOfRareCharactersBeyondATsvectorStillStore) {
  std::uint32_t state = 7;
  auto rare_text = [&state](std::size_t characters) {
    std::string text = "needle ";
    for (std::size_t i = 0; i < characters; ++i) {
      state = state * 1103515245u + 12345u;
      const char32_t c = 0x20000 + (state >> 8) % 42000;  // CJK extension B, 4 bytes each
      text += static_cast<char>(0xF0 | (c >> 18));
      text += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      text += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      text += static_cast<char>(0x80 | (c & 0x3F));
    }
    return text;
  };
  auto thread = new_thread(alice_, "h:rare", 1, rare_text(40'000), rare_text(40'000));
  thread.tool_calls = rare_text(40'000);
  ASSERT_TRUE(store_->insert_threads({thread}));
  EXPECT_EQ(prompts("needle").size(), 1u);
}

TEST_F(PostgresRecordsTest, StatisticsSumTheThreads) {
  auto old = new_thread(alice_, "h:1", 100);
  old.model = "b-model";
  ASSERT_TRUE(store_->insert_threads(
      {old, new_thread(alice_, "h:1", 1000), new_thread(bob_, "h:2", 2000)}));
  auto statistics = must(store_->statistics(1000));
  EXPECT_EQ(statistics.keys, 2);
  EXPECT_EQ(statistics.requests_total, 3);
  EXPECT_EQ(statistics.requests_this_month, 2);
  EXPECT_EQ(statistics.active_keys_this_month, 2);
  EXPECT_EQ(statistics.spend_total, Money::from_nanos(3 * 225'001));
  ASSERT_EQ(statistics.models_total.size(), 2u);
  EXPECT_EQ(statistics.models_total[0].model, "gpt-4o");
}

TEST_F(PostgresRecordsTest, StatisticsFromRunningTotalsAgreeWithTheThreadsAtAnyMonthStart) {
  const std::int64_t start = 1'795'000'000;  // a whole hour
  auto threads = store::testing::threads_over_days({alice_, bob_}, start);
  for (std::size_t from = 0; from < threads.size(); from += 50) {
    ASSERT_TRUE(store_->insert_threads(
        {threads.begin() + static_cast<std::ptrdiff_t>(from),
         threads.begin() + static_cast<std::ptrdiff_t>(std::min(from + 50, threads.size()))}));
  }
  for (std::int64_t month_start : {start - 3600, start + 86'400, start + 86'400 + 1800,
                                   start + 2 * 86'400 + 2700, start + 4 * 86'400}) {
    SCOPED_TRACE(month_start);
    store::testing::expect_same_statistics(must(store_->statistics(month_start)),
                                           store::testing::statistics_of(threads, 2, month_start));
  }
}

TEST_F(PostgresRecordsTest, TheMigrationFillsTheTotalsFromThreadsWrittenBeforeIt) {
  const std::int64_t start = 1'795'000'000;
  auto threads = store::testing::threads_over_days({alice_, bob_}, start);
  ASSERT_TRUE(store_->insert_threads(threads));
  // Back to version 4: the same schema without the totals.
  ASSERT_EQ(migrations()[4].version, 5);
  exec(*store_,
       "DROP TABLE usage_hours; DROP TABLE usage_models; DROP TABLE key_last_use; "
       "DELETE FROM schema_migrations WHERE version >= 5");
  ASSERT_TRUE(store_->migrate());
  const std::int64_t month_start = start + 86'400 + 1800;
  store::testing::expect_same_statistics(must(store_->statistics(month_start)),
                                         store::testing::statistics_of(threads, 2, month_start));
}

}  // namespace
}  // namespace store::postgres
