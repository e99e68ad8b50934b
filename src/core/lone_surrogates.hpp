#pragma once
// JSON text whose strings hold a lone UTF-16 surrogate escape ("\ud83d" without the "\ude00"
// that completes it). JavaScript's JSON.stringify writes one for a string cut inside an
// emoji, and JSON.parse and Python's json read it; Boost.JSON 1.81 refuses the whole text. Each
// lone escape is rewritten to "\ufffd" (U+FFFD, the replacement character), which has the same
// length: byte offsets stay as they were.

#include <optional>
#include <string>
#include <string_view>

namespace core {

// `json_text` with its lone surrogate escapes replaced, or nothing when it has none (the
// common case, which copies nothing).
std::optional<std::string> replace_lone_surrogate_escapes(std::string_view json_text);

}  // namespace core
