#pragma once
// Store rows as API JSON: money as decimal numbers, secrets masked.

#include <boost/json/object.hpp>

#include "store/store.hpp"

namespace providers {
class Registry;
}

namespace api::admin {

boost::json::object render_key(const store::KeyRow& key);
boost::json::object render_model(const store::ModelRow& model, const providers::Registry& registry);
// "sk-…wXyZ": enough to recognise a secret, not to use it.
std::string mask_secret(std::string_view secret);

}  // namespace api::admin
