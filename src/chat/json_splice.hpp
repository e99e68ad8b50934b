#pragma once
// Edits one top-level field of a JSON object in its text, leaving every other byte as it
// came. Relaying a whole completion this way passes the upstream's text on (numbers and
// escapes as they were) and costs a scan, about two thirds of serializing the parsed
// document again.

#include <optional>
#include <string>
#include <string_view>

namespace chat {

// `object` must be a JSON text already accepted by a strict parser (boost::json::parse),
// holding an object. Returns it with the top-level member `key` (a name without escapes)
// set to the string `value`: the old value replaced in place, or the member appended when
// absent, as boost::json::object's operator[] would. nullopt when the text cannot be edited
// safely (the key appears twice, or a top-level name has escapes): re-serialize then.
std::optional<std::string> set_top_level_string(std::string_view object, std::string_view key,
                                                std::string_view value);

}  // namespace chat
