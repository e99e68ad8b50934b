#pragma once
// A bot's stored config (SPEC 4: appId, appSecret, apiKey, modelId, encryptKey,
// verificationToken), read once per event from its row.

#include <cstdint>
#include <optional>
#include <string>

#include "store/store.hpp"

namespace bots::feishu {

struct BotConfig {
  std::int64_t id = 0;
  std::string app_id;
  std::string app_secret;
  // SHA-256 of the llmgate key the bot's model calls are charged to ("apiKeyHash"; the
  // plain key is never stored, SPEC 2). Rows from before are hashed here and at start.
  std::string api_key_hash;
  std::string model_id;
  std::string encrypt_key;         // empty: bodies are plain and unsigned
  std::string verification_token;  // empty: not checked
};

// Missing or non-string fields are empty; the admin API refuses to store such bots, so
// an empty required field means the row was written some other way.
BotConfig read_bot_config(const store::BotRow& row);

// The stored config with the plain llmgate key replaced by its digest ("apiKeyHash") and its
// masked form ("apiKey"); nullopt when it holds no plain key (already so, or none at all).
std::optional<std::string> config_without_plain_key(const std::string& config_json);

// Rewrites the bots whose stored config still holds a plain llmgate key (rows written before
// keys were stored hashed). At start, on the store's thread, before anything serves.
core::Status hash_stored_bot_keys(store::Store& store);

}  // namespace bots::feishu
