// A bot's llmgate key is stored as its digest (SPEC 2): rows written before that are hashed
// at start, and read correctly until then.

#include "bots/feishu/bot_config.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "core/api_key.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace bots::feishu {
namespace {

constexpr const char* kPlainKey = "br-0123456789abcdefghijklmnopqrstuv";

std::unique_ptr<store::sqlite::SqliteStore> migrated_store() {
  auto store = store::sqlite::SqliteStore::open(":memory:");
  EXPECT_TRUE(store) << store.error().message;
  EXPECT_TRUE((*store)->migrate());
  return std::move(*store);
}

store::BotRow bot_with_key(const std::string& app_id, const std::string& api_key) {
  store::BotRow bot;
  bot.name = app_id;
  bot.app_id = app_id;
  bot.config = R"({"appId":")" + app_id + R"(","appSecret":"s","modelId":"m","apiKey":")" +
               api_key + R"("})";
  return bot;
}

TEST(BotConfigTest, AnOldRowWithAPlainKeyIsReadAsItsDigest) {
  auto bot = bot_with_key("cli_old", kPlainKey);
  EXPECT_EQ(read_bot_config(bot).api_key_hash, core::hash_api_key(kPlainKey));
}

TEST(BotConfigTest, PlainKeysStoredBeforeAreHashedAtStartAndNothingElseChanges) {
  auto store = migrated_store();
  auto old = store->insert_bot(bot_with_key("cli_old", kPlainKey));
  ASSERT_TRUE(old);
  auto hashed_already = store->insert_bot(bot_with_key("cli_new", "br-…uvwx"));
  ASSERT_TRUE(hashed_already);

  ASSERT_TRUE(hash_stored_bot_keys(*store));
  auto row = store->find_bot(old->id);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->config.find(kPlainKey), std::string::npos) << row->config;
  auto config = boost::json::parse(row->config).as_object();
  EXPECT_EQ(config.at("apiKey").as_string(), core::mask_secret(kPlainKey));
  EXPECT_EQ(config.at("apiKeyHash").as_string(), core::hash_api_key(kPlainKey));
  EXPECT_EQ(config.at("appSecret").as_string(), "s");
  EXPECT_EQ(read_bot_config(*row).api_key_hash, core::hash_api_key(kPlainKey));
  // A masked key is no key: left as it is.
  EXPECT_EQ(store->find_bot(hashed_already->id)->config, hashed_already->config);
  // Running again changes nothing.
  ASSERT_TRUE(hash_stored_bot_keys(*store));
  EXPECT_EQ(store->find_bot(old->id)->config, row->config);
}

}  // namespace
}  // namespace bots::feishu
