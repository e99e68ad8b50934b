#pragma once
// UTF-8 at the edges. JSON text, PostgreSQL's text columns and Feishu's API all take UTF-8
// only, while bytes that come from outside unparsed (an upstream's error page, a header) can
// be anything: a GBK error page, or a Chinese message cut in the middle of a character. They
// are made valid before they are written into an answer, a record or a message.

#include <cstddef>
#include <string>
#include <string_view>

namespace core {

// Whether `text` is well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF).
bool is_valid_utf8(std::string_view text);

// `text` with every byte that is not part of a well-formed sequence replaced by U+FFFD.
std::string to_valid_utf8(std::string_view text);

// The longest prefix of at most `max_bytes` bytes that does not end inside a character
// (judged by the bytes alone; the prefix is valid if `text` is).
std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes);

}  // namespace core
