#include "bots/feishu/bot_config.hpp"

#include <boost/json/parse.hpp>

namespace bots::feishu {

BotConfig read_bot_config(const store::BotRow& row) {
  BotConfig config;
  config.id = row.id;
  boost::system::error_code ec;
  auto parsed = boost::json::parse(row.config, ec);
  if (ec || !parsed.is_object()) return config;
  const auto& object = parsed.get_object();
  auto read = [&object](std::string_view field) {
    auto* value = object.if_contains(field);
    return value && value->is_string() ? std::string(value->get_string()) : std::string();
  };
  config.app_id = read("appId");
  if (config.app_id.empty()) config.app_id = row.app_id;
  config.app_secret = read("appSecret");
  config.api_key = read("apiKey");
  config.model_id = read("modelId");
  config.encrypt_key = read("encryptKey");
  config.verification_token = read("verificationToken");
  return config;
}

}  // namespace bots::feishu
