// SqliteStore, issue 3: grant lists, revoking, Feishu bots.

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "admin_fixtures.hpp"

namespace store::sqlite {
namespace {

using core::ErrorKind;
using namespace testing;

using Pairs = std::vector<std::pair<std::int64_t, std::int64_t>>;

Pairs pairs(const Page<GrantRow>& page) {
  Pairs result;
  for (const auto& row : page.items) result.emplace_back(row.subject_id, row.model_id);
  return result;
}

GrantFilter grant_filter(std::string q = "", std::optional<std::int64_t> subject = std::nullopt,
                         std::optional<std::int64_t> model = std::nullopt, std::int64_t limit = 20,
                         std::int64_t offset = 0) {
  GrantFilter filter;
  filter.page = ListQuery{std::move(q), limit, offset};
  filter.subject_id = subject;
  filter.model_id = model;
  return filter;
}

class AdminGrantsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store = open_migrated();
    staff = must(store->insert_group("Staff"));
    gpt = must(store->insert_model(new_model("gpt-4o", "openai-compatible", kDefaultGroupId)));
    claude = must(store->insert_model(new_model("claude", "bedrock", kDefaultGroupId)));
    ASSERT_TRUE(store->grant_model_to_group(staff.id, gpt.id));
    alice = must(store->insert_key(new_key("alice")));
    bob = must(store->insert_key(new_key("bob")));
    ASSERT_TRUE(store->grant_model_to_key(alice.id, gpt.id));
    ASSERT_TRUE(store->grant_model_to_key(alice.id, claude.id));
    ASSERT_TRUE(store->grant_model_to_key(bob.id, claude.id));
  }

  std::unique_ptr<SqliteStore> store;
  GroupRow staff;
  ModelRow gpt, claude;
  KeyRow alice, bob;
};

TEST_F(AdminGrantsTest, GroupGrantsWithNames) {
  auto all = must(store->list_group_grants(grant_filter()));
  EXPECT_EQ(all.total, 3);
  // Subjects ascending, each subject's newest model first.
  EXPECT_EQ(pairs(all), (Pairs{{1, claude.id}, {1, gpt.id}, {staff.id, gpt.id}}));
  const GrantRow& first = all.items[0];
  EXPECT_EQ(first.subject_name, "default");
  EXPECT_EQ(first.model_name, "claude");
  EXPECT_EQ(first.provider, "bedrock");
  EXPECT_GT(first.created_at, 0);
  EXPECT_EQ(all.items[2].subject_name, "Staff");

  EXPECT_EQ(pairs(must(store->list_group_grants(grant_filter("", staff.id)))),
            (Pairs{{staff.id, gpt.id}}));
  EXPECT_EQ(pairs(must(store->list_group_grants(grant_filter("", std::nullopt, gpt.id)))),
            (Pairs{{1, gpt.id}, {staff.id, gpt.id}}));
  EXPECT_EQ(pairs(must(store->list_group_grants(grant_filter("", 1, gpt.id)))),
            (Pairs{{1, gpt.id}}));
  // q: the model name or the group name.
  EXPECT_EQ(pairs(must(store->list_group_grants(grant_filter("CLAU")))), (Pairs{{1, claude.id}}));
  EXPECT_EQ(pairs(must(store->list_group_grants(grant_filter("staff")))),
            (Pairs{{staff.id, gpt.id}}));
  auto page = must(store->list_group_grants(grant_filter("", std::nullopt, std::nullopt, 1, 1)));
  EXPECT_EQ(page.total, 3);
  EXPECT_EQ(pairs(page), (Pairs{{1, gpt.id}}));
}

TEST_F(AdminGrantsTest, KeyGrantsWithNames) {
  auto all = must(store->list_key_grants(grant_filter()));
  EXPECT_EQ(all.total, 3);
  EXPECT_EQ(pairs(all), (Pairs{{alice.id, claude.id}, {alice.id, gpt.id}, {bob.id, claude.id}}));
  EXPECT_EQ(all.items[0].subject_name, "alice");
  EXPECT_EQ(all.items[1].model_name, "gpt-4o");
  EXPECT_EQ(all.items[1].provider, "openai-compatible");
  EXPECT_EQ(pairs(must(store->list_key_grants(grant_filter("BOB")))), (Pairs{{bob.id, claude.id}}));
  EXPECT_EQ(pairs(must(store->list_key_grants(grant_filter("gpt")))), (Pairs{{alice.id, gpt.id}}));
  EXPECT_EQ(must(store->list_key_grants(grant_filter("", bob.id, gpt.id))).total, 0);
  EXPECT_EQ(pairs(must(store->list_key_grants(grant_filter("", std::nullopt, claude.id)))),
            (Pairs{{alice.id, claude.id}, {bob.id, claude.id}}));
}

TEST_F(AdminGrantsTest, RevokeIsIdempotent) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    ASSERT_TRUE(store->revoke_model_from_group(kDefaultGroupId, gpt.id));
    ASSERT_TRUE(store->revoke_model_from_key(alice.id, claude.id));
  }
  EXPECT_EQ(pairs(must(store->list_group_grants(grant_filter()))),
            (Pairs{{1, claude.id}, {staff.id, gpt.id}}));
  EXPECT_EQ(pairs(must(store->list_key_grants(grant_filter()))),
            (Pairs{{alice.id, gpt.id}, {bob.id, claude.id}}));
  // Never granted: still fine.
  ASSERT_TRUE(store->revoke_model_from_group(staff.id, claude.id));
}

TEST_F(AdminGrantsTest, RevokeWithUnknownIdsIsNotFound) {
  auto expect_not_found = [](const core::Status& status, const std::string& message) {
    ASSERT_FALSE(status);
    EXPECT_EQ(status.error().kind, ErrorKind::kNotFound);
    EXPECT_EQ(status.error().message, message);
  };
  expect_not_found(store->revoke_model_from_group(9, gpt.id), "group 9 not found");
  expect_not_found(store->revoke_model_from_group(1, 99), "model 99 not found");
  expect_not_found(store->revoke_model_from_key(99, gpt.id), "api key 99 not found");
  expect_not_found(store->revoke_model_from_key(alice.id, 99), "model 99 not found");
  EXPECT_EQ(scalar(*store, "SELECT COUNT(*) FROM group_models"), 3);
  EXPECT_EQ(scalar(*store, "SELECT COUNT(*) FROM key_models"), 3);
}

TEST(AdminBotsTest, InsertFindAndDuplicateAppId) {
  auto store = open_migrated();
  BotRow input = new_bot("helper", "cli_1");
  input.id = 77;  // ignored
  input.created_at = 5;
  auto bot = must(store->insert_bot(input));
  EXPECT_NE(bot.id, 77);
  EXPECT_EQ(bot.name, "helper");
  EXPECT_EQ(bot.provider, "openai-compatible");
  EXPECT_EQ(bot.app_id, "cli_1");
  EXPECT_EQ(bot.config, input.config);
  EXPECT_GT(bot.created_at, 5);
  EXPECT_EQ(bot.updated_at, bot.created_at);

  EXPECT_EQ(must(store->find_bot(bot.id)).app_id, "cli_1");
  auto by_app = store->find_bot_by_app_id("cli_1");
  ASSERT_TRUE(by_app);
  EXPECT_EQ(by_app->id, bot.id);
  EXPECT_FALSE(store->find_bot_by_app_id("cli_2"));
  EXPECT_FALSE(store->find_bot_by_app_id("CLI_1"));

  auto missing = store->find_bot(4);
  ASSERT_FALSE(missing);
  expect_error(missing.error(), ErrorKind::kNotFound, "bot 4 not found");

  auto duplicate = store->insert_bot(new_bot("other", "cli_1"));
  ASSERT_FALSE(duplicate);
  expect_error(duplicate.error(), ErrorKind::kConflict, "a bot with appId 'cli_1' already exists",
               "appId");
  EXPECT_EQ(scalar(*store, "SELECT COUNT(*) FROM feishu_bots"), 1);
  // Names need not be unique.
  EXPECT_TRUE(store->insert_bot(new_bot("helper", "cli_2")));
}

TEST(AdminBotsTest, ListSearchAndPaging) {
  auto store = open_migrated();
  auto a = must(store->insert_bot(new_bot("Sales", "cli_aaa")));
  auto b = must(store->insert_bot(new_bot("support", "cli_bbb")));
  auto c = must(store->insert_bot(new_bot("ops", "CLI_SALES")));
  auto ids = [](const Page<BotRow>& page) {
    std::vector<std::int64_t> result;
    for (const auto& bot : page.items) result.push_back(bot.id);
    return result;
  };
  auto all = must(store->list_bots(ListQuery{}));
  EXPECT_EQ(all.total, 3);
  EXPECT_EQ(ids(all), (std::vector<std::int64_t>{c.id, b.id, a.id}));
  // q: name or app_id.
  EXPECT_EQ(ids(must(store->list_bots(ListQuery{"sales", 20, 0}))),
            (std::vector<std::int64_t>{c.id, a.id}));
  EXPECT_EQ(ids(must(store->list_bots(ListQuery{"BBB", 20, 0}))),
            (std::vector<std::int64_t>{b.id}));
  auto page = must(store->list_bots(ListQuery{"", 1, 2}));
  EXPECT_EQ(page.total, 3);
  EXPECT_EQ(ids(page), (std::vector<std::int64_t>{a.id}));
}

TEST(AdminBotsTest, UpdateChangesOnlyTheFieldsGiven) {
  auto store = open_migrated();
  auto bot = must(store->insert_bot(new_bot("helper", "cli_1")));
  must(store->insert_bot(new_bot("other", "cli_2")));
  exec(*store, "UPDATE feishu_bots SET updated_at = 0");

  EXPECT_EQ(must(store->update_bot(bot.id, BotUpdate{})).updated_at, 0);
  BotUpdate update;
  update.config = R"({"appId":"cli_1","appSecret":"new"})";
  auto updated = must(store->update_bot(bot.id, update));
  EXPECT_EQ(updated.config, *update.config);
  EXPECT_EQ(updated.name, "helper");
  EXPECT_EQ(updated.app_id, "cli_1");
  EXPECT_EQ(updated.provider, "openai-compatible");
  EXPECT_GT(updated.updated_at, 0);

  BotUpdate rename;
  rename.name = "assistant";
  rename.provider = "bedrock";
  rename.app_id = "cli_3";
  updated = must(store->update_bot(bot.id, rename));
  EXPECT_EQ(updated.name, "assistant");
  EXPECT_EQ(updated.provider, "bedrock");
  EXPECT_EQ(updated.app_id, "cli_3");
  EXPECT_EQ(updated.config, *update.config);
  EXPECT_FALSE(store->find_bot_by_app_id("cli_1"));

  BotUpdate clash;
  clash.name = "clash";
  clash.app_id = "cli_2";
  auto conflict = store->update_bot(bot.id, clash);
  ASSERT_FALSE(conflict);
  expect_error(conflict.error(), ErrorKind::kConflict, "a bot with appId 'cli_2' already exists",
               "appId");
  EXPECT_EQ(must(store->find_bot(bot.id)).name, "assistant");

  auto missing = store->update_bot(4, rename);
  ASSERT_FALSE(missing);
  expect_error(missing.error(), ErrorKind::kNotFound, "bot 4 not found");
}

TEST(AdminBotsTest, Delete) {
  auto store = open_migrated();
  auto bot = must(store->insert_bot(new_bot("helper", "cli_1")));
  ASSERT_TRUE(store->delete_bot(bot.id));
  EXPECT_FALSE(store->find_bot(bot.id));
  EXPECT_FALSE(store->find_bot_by_app_id("cli_1"));
  auto again = store->delete_bot(bot.id);
  ASSERT_FALSE(again);
  expect_error(again.error(), ErrorKind::kNotFound, "bot " + std::to_string(bot.id) + " not found");
  // The app id is free again.
  EXPECT_TRUE(store->insert_bot(new_bot("helper", "cli_1")));
}

}  // namespace
}  // namespace store::sqlite
