// What the bot keeps in the store: the events and messages it has taken (exactly once,
// also across a restart, per bot, forgotten after a while) and a chat's earlier turns.

#include <gtest/gtest.h>

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "store/sqlite/sqlite_store.hpp"

namespace store::sqlite {
namespace {

constexpr std::int64_t kWeek = 7 * 24 * 3600;

class TempFile {
 public:
  TempFile() {
    std::string pattern = (std::filesystem::temp_directory_path() / "llmgate-bots-XXXXXX");
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
  }
  ~TempFile() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  std::string path() const { return (dir_ / "llmgate.db").string(); }

 private:
  std::filesystem::path dir_;
};

std::unique_ptr<SqliteStore> open_store(const std::string& path,
                                        std::chrono::seconds offset = std::chrono::seconds(0)) {
  auto store = SqliteStore::open(path, core::Clock(offset));
  EXPECT_TRUE(store) << store.error().message;
  auto migrated = (*store)->migrate();
  EXPECT_TRUE(migrated) << migrated.error().message;
  return std::move(*store);
}

std::int64_t insert_bot(Store& store, const std::string& app_id) {
  BotRow bot;
  bot.name = app_id;
  bot.app_id = app_id;
  bot.config = R"({"appId":")" + app_id + R"("})";
  auto row = store.insert_bot(bot);
  EXPECT_TRUE(row) << row.error().message;
  return row->id;
}

bool claim(Store& store, std::int64_t bot_id, std::vector<std::string> ids) {
  auto claimed = store.claim_bot_events(bot_id, ids, kWeek);
  EXPECT_TRUE(claimed) << claimed.error().message;
  return claimed && *claimed;
}

std::int64_t count_events(SqliteStore& store) {
  auto statement = store.connection().prepare("SELECT COUNT(*) FROM feishu_events");
  EXPECT_TRUE(statement);
  EXPECT_EQ(statement->step(), Step::kRow);
  return statement->column_int64(0);
}

TEST(BotEventsTest, TakesEachEventAndMessageOnce) {
  auto store = open_store(":memory:");
  auto bot = insert_bot(*store, "cli_a");
  EXPECT_TRUE(claim(*store, bot, {"e:ev1", "m:om1"}));
  EXPECT_FALSE(claim(*store, bot, {"e:ev1", "m:om1"}));
  EXPECT_FALSE(claim(*store, bot, {"e:ev2", "m:om1"}));  // a new event for the same message
  EXPECT_EQ(count_events(*store), 2);                    // a refused claim records nothing
  EXPECT_TRUE(claim(*store, bot, {"e:ev2", "m:om2"}));
  EXPECT_EQ(count_events(*store), 4);
}

TEST(BotEventsTest, EachBotTakesItsOwn) {
  auto store = open_store(":memory:");
  auto first = insert_bot(*store, "cli_a");
  auto second = insert_bot(*store, "cli_b");
  EXPECT_TRUE(claim(*store, first, {"e:ev1", "m:om1"}));
  EXPECT_TRUE(claim(*store, second, {"e:ev9", "m:om1"}));  // both bots mentioned in a group
  EXPECT_FALSE(claim(*store, second, {"e:ev9", "m:om1"}));
}

TEST(BotEventsTest, RemembersAcrossARestartAndForgetsAfterTheKeepTime) {
  TempFile file;
  std::int64_t bot = 0;
  {
    auto store = open_store(file.path());
    bot = insert_bot(*store, "cli_a");
    EXPECT_TRUE(claim(*store, bot, {"e:ev1", "m:om1"}));
  }
  {
    auto store = open_store(file.path(), std::chrono::hours(24));
    EXPECT_FALSE(claim(*store, bot, {"e:ev1", "m:om1"}));
    EXPECT_TRUE(claim(*store, bot, {"e:ev2", "m:om2"}));
  }
  {
    // An hour short of eight days on: the first ids are gone, the second ones (an hour short
    // of seven days old) are kept. Exactly seven days would race the clock's next second.
    auto store = open_store(file.path(), std::chrono::hours(24 * 8 - 1));
    EXPECT_EQ(count_events(*store), 4);
    EXPECT_FALSE(claim(*store, bot, {"e:ev2"}));
    EXPECT_EQ(count_events(*store), 2);
    EXPECT_TRUE(claim(*store, bot, {"e:ev1", "m:om1"}));
  }
}

TEST(BotEventsTest, DeletingTheBotDropsItsEvents) {
  auto store = open_store(":memory:");
  auto bot = insert_bot(*store, "cli_a");
  EXPECT_TRUE(claim(*store, bot, {"e:ev1", "m:om1"}));
  ASSERT_TRUE(store->delete_bot(bot));
  EXPECT_EQ(count_events(*store), 0);
  // A bot that no longer exists cannot take anything.
  EXPECT_FALSE(store->claim_bot_events(bot, {"e:ev2"}, kWeek));
}

NewThread turn(std::int64_t key_id, const std::string& session_key, std::string prompt,
               std::string completion, std::string status = "ok") {
  NewThread thread;
  thread.key_id = key_id;
  thread.session_key = session_key;
  thread.session_title = "title";
  thread.request_id = "req-" + prompt;
  thread.model = "gw-echo";
  thread.prompt = std::move(prompt);
  thread.completion = std::move(completion);
  thread.status = std::move(status);
  thread.created_at = 1'800'000'000;
  return thread;
}

TEST(RecentTurnsTest, TheLastAnsweredTurnsOfTheSessionOldestFirst) {
  auto store = open_store(":memory:");
  const std::string chat = "h:feishu:oc_1";
  ASSERT_TRUE(store->insert_threads({
      turn(7, chat, "one", "1"),
      turn(7, chat, "two", "2"),
      turn(7, "h:feishu:oc_other", "elsewhere", "x"),
      turn(8, chat, "other key", "y"),
      turn(7, chat, "failed", "", "error"),
      turn(7, chat, "three", "3"),
      turn(7, chat, "", ""),  // LLMGATE_STORE_CONTENT=false keeps no text
      turn(7, chat, "four", "4"),
  }));
  auto turns = store->recent_turns(7, chat, 3);
  ASSERT_TRUE(turns) << turns.error().message;
  ASSERT_EQ(turns->size(), 3u);
  EXPECT_EQ((*turns)[0].prompt, "two");
  EXPECT_EQ((*turns)[1].prompt, "three");
  EXPECT_EQ((*turns)[2].prompt, "four");
  EXPECT_EQ((*turns)[2].completion, "4");

  EXPECT_EQ(store->recent_turns(7, chat, 100)->size(), 4u);
  EXPECT_TRUE(store->recent_turns(7, "h:feishu:oc_new", 10)->empty());
  EXPECT_TRUE(store->recent_turns(9, chat, 10)->empty());
  EXPECT_TRUE(store->recent_turns(7, chat, 0)->empty());
}

}  // namespace
}  // namespace store::sqlite
