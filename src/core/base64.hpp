#pragma once
// Standard base64 (RFC 4648, "+/" alphabet, "=" padding).

#include <optional>
#include <string>
#include <string_view>

namespace core {

std::string base64_encode(std::string_view bytes);
// nullopt for text that is not padded base64; trailing whitespace is ignored.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace core
