#pragma once
// Store rows as API JSON: money as decimal numbers, keys and secrets masked.

#include <boost/json/object.hpp>

#include "store/store.hpp"

namespace providers {
class Registry;
}

namespace api::admin {

boost::json::object render_key(const store::KeyRow& key);
boost::json::object render_key_list_row(const store::KeyListRow& row);
boost::json::object render_payment(const store::PaymentRow& payment);
boost::json::object render_model(const store::ModelRow& model, const providers::Registry& registry);
boost::json::object render_group(const store::GroupRow& group);
boost::json::object render_group_list_row(const store::GroupListRow& row);
boost::json::object render_grant(const store::GrantRow& grant, const char* subject_field);
boost::json::object render_bot(const store::BotRow& bot);

// The secret fields of a Feishu bot's config.
const std::vector<std::string>& bot_secret_keys();

}  // namespace api::admin
