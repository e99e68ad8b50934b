#pragma once
// A token count from a provider's usage object. Counts feed billing, so only a whole number
// from 0 to 10^12 counts; anything else (negative, fractional, a string, 1e400, 2^63) is
// invalid, and a usage object whose main counts are invalid is not trusted at all: the
// pipeline then estimates the tokens from the text, as when no usage came (docs/billing.md).

#include <cstdint>
#include <optional>
#include <string_view>

#include <boost/json/fwd.hpp>

namespace providers {

inline constexpr std::int64_t kMaxTokenCount = 1'000'000'000'000;

// The count at `key`, or nothing when it is absent or not a valid count.
std::optional<std::int64_t> token_count(const boost::json::object& object, std::string_view key);

}  // namespace providers
