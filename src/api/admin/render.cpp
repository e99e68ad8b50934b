#include "api/admin/render.hpp"

#include <boost/json/parse.hpp>

#include "api/secrets.hpp"
#include "providers/registry.hpp"

namespace api::admin {
namespace {

boost::json::object parse_config(const std::string& text) {
  boost::system::error_code ec;
  auto config = boost::json::parse(text, ec);
  if (ec || !config.is_object()) return {};
  return std::move(config.get_object());
}

}  // namespace

const std::vector<std::string>& bot_secret_keys() {
  static const std::vector<std::string> keys = {"appSecret", "apiKey", "encryptKey",
                                                "verificationToken"};
  return keys;
}

boost::json::object render_key(const store::KeyRow& key) {
  boost::json::object out;
  out["id"] = key.id;
  out["name"] = key.name;
  out["email"] = key.email;
  out["role"] = store::to_string(key.role);
  out["group_id"] = key.group_id;
  out["key"] = key.key_hint;
  out["month_quota"] = key.month_quota.to_json();
  out["month_fee"] = key.month_fee.to_json();
  out["balance"] = key.balance.to_json();
  out["total_fee"] = key.total_fee.to_json();
  out["created_at"] = key.created_at;
  out["updated_at"] = key.updated_at;
  return out;
}

boost::json::object render_key_list_row(const store::KeyListRow& row) {
  auto out = render_key(row.key);
  out["group_name"] = row.group_name;
  return out;
}

boost::json::object render_payment(const store::PaymentRow& payment) {
  boost::json::object out;
  out["id"] = payment.id;
  out["key_id"] = payment.key_id;
  out["key_name"] = payment.key_name;
  out["amount"] = payment.amount.to_json();
  out["balance_after"] = payment.balance_after.to_json();
  out["admin_key_id"] = payment.admin_key_id ? boost::json::value(*payment.admin_key_id)
                                             : boost::json::value(nullptr);
  out["admin_key_name"] = payment.admin_key_name;
  out["created_at"] = payment.created_at;
  return out;
}

boost::json::object render_model(const store::ModelRow& model,
                                 const providers::Registry& registry) {
  boost::json::object out;
  out["id"] = model.id;
  out["name"] = model.name;
  out["provider"] = model.provider;
  auto config = parse_config(model.config);
  if (const auto* provider = registry.find(model.provider))
    mask_secrets(config, provider->secret_keys());
  out["config"] = std::move(config);
  out["price_in"] = model.price_in.to_json();
  out["price_out"] = model.price_out.to_json();
  out["multiple"] = model.multiple;
  out["created_at"] = model.created_at;
  out["updated_at"] = model.updated_at;
  return out;
}

boost::json::object render_group(const store::GroupRow& group) {
  boost::json::object out;
  out["id"] = group.id;
  out["name"] = group.name;
  out["created_at"] = group.created_at;
  out["updated_at"] = group.updated_at;
  return out;
}

boost::json::object render_group_list_row(const store::GroupListRow& row) {
  auto out = render_group(row.group);
  out["key_count"] = row.key_count;
  out["model_count"] = row.model_count;
  return out;
}

boost::json::object render_grant(const store::GrantRow& grant, const char* subject_field) {
  boost::json::object out;
  std::string_view field = subject_field;
  out[field] = grant.subject_id;
  std::string name_field =
      std::string(field.substr(0, field.size() - 3)) + "_name";  // key_id → key_name
  out[name_field] = grant.subject_name;
  out["model_id"] = grant.model_id;
  out["model_name"] = grant.model_name;
  out["provider"] = grant.provider;
  out["created_at"] = grant.created_at;
  return out;
}

boost::json::object render_bot(const store::BotRow& bot) {
  boost::json::object out;
  out["id"] = bot.id;
  out["name"] = bot.name;
  out["provider"] = bot.provider;
  out["app_id"] = bot.app_id;
  auto config = parse_config(bot.config);
  config.erase("apiKeyHash");  // the key's digest: nothing a reader needs
  mask_secrets(config, bot_secret_keys());
  out["config"] = std::move(config);
  out["created_at"] = bot.created_at;
  out["updated_at"] = bot.updated_at;
  return out;
}

}  // namespace api::admin
