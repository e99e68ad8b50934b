#include "bots/feishu/bot_config.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/api_key.hpp"

namespace bots::feishu {

namespace json = boost::json;

namespace {

std::string string_at(const json::object& object, std::string_view field) {
  auto* value = object.if_contains(field);
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

}  // namespace

BotConfig read_bot_config(const store::BotRow& row) {
  BotConfig config;
  config.id = row.id;
  boost::system::error_code ec;
  auto parsed = json::parse(row.config, ec);
  if (ec || !parsed.is_object()) return config;
  const auto& object = parsed.get_object();
  config.app_id = string_at(object, "appId");
  if (config.app_id.empty()) config.app_id = row.app_id;
  config.app_secret = string_at(object, "appSecret");
  config.api_key_hash = string_at(object, "apiKeyHash");
  if (const std::string plain = string_at(object, "apiKey");
      config.api_key_hash.empty() && !plain.empty() && !core::looks_masked(plain)) {
    config.api_key_hash = core::hash_api_key(plain);  // a row from before hashing
  }
  config.model_id = string_at(object, "modelId");
  config.encrypt_key = string_at(object, "encryptKey");
  config.verification_token = string_at(object, "verificationToken");
  return config;
}

std::optional<std::string> config_without_plain_key(const std::string& config_json) {
  boost::system::error_code ec;
  auto parsed = json::parse(config_json, ec);
  if (ec || !parsed.is_object()) return std::nullopt;
  auto& object = parsed.get_object();
  const std::string plain = string_at(object, "apiKey");
  if (plain.empty() || core::looks_masked(plain)) return std::nullopt;
  object["apiKeyHash"] = core::hash_api_key(plain);
  object["apiKey"] = core::mask_secret(plain);
  return json::serialize(object);
}

core::Status hash_stored_bot_keys(store::Store& store) {
  store::ListQuery page;
  page.limit = 100;
  for (;;) {
    auto bots = store.list_bots(page);
    if (!bots) return bots.take_error();
    for (const store::BotRow& bot : bots->items) {
      auto hashed = config_without_plain_key(bot.config);
      if (!hashed) continue;
      store::BotUpdate update;
      update.config = std::move(*hashed);
      if (auto updated = store.update_bot(bot.id, update); !updated) return updated.take_error();
    }
    if (static_cast<std::int64_t>(bots->items.size()) < page.limit) return core::Ok{};
    page.offset += page.limit;
  }
}

}  // namespace bots::feishu
