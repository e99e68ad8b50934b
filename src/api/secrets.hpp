#pragma once
// Secrets inside stored JSON configs: masked in answers, and a masked value sent back on
// save keeps the stored secret (so a console can round-trip a config it was shown).

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

namespace api {

// "sk-…wXyZ": enough to recognise a secret, not to use it.
std::string mask_secret(std::string_view secret);
void mask_secrets(boost::json::object& config, const std::vector<std::string>& secret_keys);
// Where `incoming` holds the masked form of the stored secret, put the stored one back.
void restore_masked_secrets(boost::json::object& incoming, const boost::json::object& stored,
                            const std::vector<std::string>& secret_keys);

}  // namespace api
