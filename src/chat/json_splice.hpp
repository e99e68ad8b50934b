#pragma once
// Edits top-level fields of a JSON object in its text, leaving every other byte as it
// came. Relaying a completion or a stream chunk this way passes the upstream's text on
// (numbers and escapes as they were) and costs a scan, about two thirds of serializing the
// parsed document again.

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace chat {

// One change to a top-level member: `key` (a name without escapes) set to `json_value`, a
// JSON text such as a quoted string, or removed when `json_value` is empty.
struct MemberEdit {
  std::string_view key;
  std::string_view json_value;
};

// `object` must be a JSON text already accepted by a strict parser (boost::json::parse),
// holding an object. Appends it to `out` with the edits applied as boost::json::object would
// apply them: a set member's old value replaced in place, or the member appended when
// absent; a removed member dropped with its comma. Returns false, leaving `out` as it was,
// when the text cannot be edited safely (an edited key appears twice, or a top-level name
// has escapes): re-serialize then.
bool append_edited_object(std::string& out, std::string_view object,
                          std::span<const MemberEdit> edits);

// The object with the top-level member `key` set to the string `value`; nullopt when
// append_edited_object gives up.
std::optional<std::string> set_top_level_string(std::string_view object, std::string_view key,
                                                std::string_view value);

}  // namespace chat
