#include "api/admin/render.hpp"

#include <boost/json/parse.hpp>

#include "providers/registry.hpp"

namespace api::admin {

std::string mask_secret(std::string_view secret) {
  if (secret.size() <= 8) return "****";
  return std::string(secret.substr(0, 3)) + "…" + std::string(secret.substr(secret.size() - 4));
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

boost::json::object render_model(const store::ModelRow& model,
                                 const providers::Registry& registry) {
  boost::json::object out;
  out["id"] = model.id;
  out["name"] = model.name;
  out["provider"] = model.provider;
  boost::system::error_code ec;
  auto config = boost::json::parse(model.config, ec);
  if (ec || !config.is_object()) config = boost::json::object();
  if (const auto* provider = registry.find(model.provider)) {
    auto& object = config.get_object();
    for (const auto& key : provider->secret_keys()) {
      if (auto* value = object.if_contains(key); value && value->is_string()) {
        *value = mask_secret(value->get_string());
      }
    }
  }
  out["config"] = std::move(config);
  out["price_in"] = model.price_in.to_json();
  out["price_out"] = model.price_out.to_json();
  out["multiple"] = model.multiple;
  out["created_at"] = model.created_at;
  out["updated_at"] = model.updated_at;
  return out;
}

}  // namespace api::admin
