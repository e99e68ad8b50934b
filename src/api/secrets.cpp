#include "api/secrets.hpp"

#include "core/api_key.hpp"

namespace api {

std::string mask_secret(std::string_view secret) { return core::mask_secret(secret); }

void mask_secrets(boost::json::object& config, const std::vector<std::string>& secret_keys) {
  for (const auto& key : secret_keys) {
    if (auto* value = config.if_contains(key);
        value && value->is_string() && !value->get_string().empty()) {
      *value = mask_secret(value->get_string());
    }
  }
}

void restore_masked_secrets(boost::json::object& incoming, const boost::json::object& stored,
                            const std::vector<std::string>& secret_keys) {
  for (const auto& key : secret_keys) {
    auto* sent = incoming.if_contains(key);
    const auto* kept = stored.if_contains(key);
    if (!sent || !kept || !sent->is_string() || !kept->is_string()) continue;
    if (sent->get_string() == mask_secret(kept->get_string())) *sent = kept->get_string();
  }
}

}  // namespace api
