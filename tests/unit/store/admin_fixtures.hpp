#pragma once
// Shared set-up for the admin-store tests: a migrated in-memory store, raw SQL counts, and
// rows to insert.

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "store/sqlite/sqlite_store.hpp"
#include "store/store.hpp"

namespace store::sqlite::testing {

inline std::unique_ptr<SqliteStore> open_migrated() {
  auto store = SqliteStore::open(":memory:");
  EXPECT_TRUE(store) << store.error().message;
  auto status = (*store)->migrate();
  EXPECT_TRUE(status) << status.error().message;
  return std::move(*store);
}

// One integer straight from SQL, so that tests see rows the Store API would not show.
inline std::int64_t scalar(SqliteStore& store, const std::string& sql) {
  auto statement = store.connection().prepare(sql);
  EXPECT_TRUE(statement) << statement.error().message;
  if (!statement) return -1;
  EXPECT_EQ(statement->step(), Step::kRow) << sql;
  return statement->column_int64(0);
}

inline void exec(SqliteStore& store, const std::string& sql) {
  auto status = store.connection().exec(sql.c_str());
  ASSERT_TRUE(status) << status.error().message;
}

inline NewKey new_key(std::string name, std::string email = "", std::int64_t group_id = 1,
                      Role role = Role::kUser) {
  NewKey key;
  key.name = name;
  key.email = std::move(email);
  key.role = role;
  key.group_id = group_id;
  key.key_hash = "hash-" + name;
  key.key_hint = "br-" + name;
  key.month_quota = core::Money::from_nanos(1'000'000'000);
  key.balance = core::Money::from_nanos(2'000'000'000);
  return key;
}

inline NewModel new_model(std::string name, std::string provider = "openai-compatible",
                          std::optional<std::int64_t> group_id = std::nullopt) {
  NewModel model;
  model.name = std::move(name);
  model.provider = std::move(provider);
  model.config = R"({"apiKey":"sk-1"})";
  model.price_in = core::Money::from_nanos(3'000'000'000);
  model.price_out = core::Money::from_nanos(15'000'000'000);
  model.multiple = false;
  model.group_id = group_id;
  return model;
}

inline BotRow new_bot(std::string name, std::string app_id) {
  BotRow bot;
  bot.name = std::move(name);
  bot.provider = "openai-compatible";
  bot.app_id = std::move(app_id);
  bot.config = R"({"appId":")" + bot.app_id + R"(","appSecret":"s"})";
  return bot;
}

// A chat record of `key_id` in the conversation `session_key`, every field set.
inline NewThread new_thread(std::int64_t key_id, std::string session_key, std::int64_t created_at,
                            std::string prompt = "hello", std::string completion = "hi there") {
  NewThread thread;
  thread.key_id = key_id;
  thread.session_title = "title of " + session_key;
  thread.session_key = std::move(session_key);
  thread.request_id = "req-" + std::to_string(created_at);
  thread.model = "gpt-4o";
  thread.prompt = std::move(prompt);
  thread.completion = std::move(completion);
  thread.tool_calls = "";
  thread.whole_prompt = R"([{"role":"user","content":"hello"}])";
  thread.tokens_in = 10;
  thread.tokens_out = 20;
  thread.cached_tokens = 3;
  thread.reasoning_tokens = 4;
  thread.usage_estimated = false;
  thread.price_in = core::Money::from_nanos(2'500'000'000);
  thread.price_out = core::Money::from_nanos(10'000'000'000);
  thread.fee = core::Money::from_nanos(225'001);
  thread.first_byte_latency_ms = 120;
  thread.latency_ms = 900;
  thread.stream = true;
  thread.status = "ok";
  thread.created_at = created_at;
  return thread;
}

// Inserts and returns the row, failing the test on an error.
template <class T>
T must(core::Result<T> result) {
  EXPECT_TRUE(result) << result.error().message;
  if (!result) throw std::runtime_error(result.error().message);
  return std::move(*result);
}

inline void expect_error(const core::Error& error, core::ErrorKind kind, const std::string& message,
                         const std::string& field = "") {
  EXPECT_EQ(error.kind, kind) << error.message;
  if (!message.empty()) {
    EXPECT_EQ(error.message, message);
  }
  EXPECT_EQ(error.field, field);
}

}  // namespace store::sqlite::testing
