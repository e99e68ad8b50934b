#pragma once
// A bot's stored config (SPEC 4: appId, appSecret, apiKey, modelId, encryptKey,
// verificationToken), read once per event from its row.

#include <cstdint>
#include <string>

#include "store/store.hpp"

namespace bots::feishu {

struct BotConfig {
  std::int64_t id = 0;
  std::string app_id;
  std::string app_secret;
  std::string api_key;  // the llmgate key the bot's model calls are charged to
  std::string model_id;
  std::string encrypt_key;         // empty: bodies are plain and unsigned
  std::string verification_token;  // empty: not checked
};

// Missing or non-string fields are empty; the admin API refuses to store such bots, so
// an empty required field means the row was written some other way.
BotConfig read_bot_config(const store::BotRow& row);

}  // namespace bots::feishu
