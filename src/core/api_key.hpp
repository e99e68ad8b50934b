#pragma once
// API keys: "br-" + 32 base62 characters from a CSPRNG. Only the SHA-256 digest is stored;
// a short hint (first and last four characters) lets answers show the key masked.

#include <string>
#include <string_view>

namespace core {

inline constexpr std::string_view kApiKeyPrefix = "br-";
inline constexpr std::size_t kApiKeyRandomChars = 32;

std::string generate_api_key();
// Lower-case hex SHA-256 of the key as presented.
std::string hash_api_key(std::string_view key);
// "br-AbCd…wXyZ" from the plain key.
std::string mask_api_key(std::string_view key);
// "sk-…wXyZ" (the first 3 and last 4 characters), "****" for 8 characters or fewer: how
// API answers show secrets; enough to recognise one, not to use it.
std::string mask_secret(std::string_view secret);
// Whether `value` is such a masked form rather than a secret itself.
bool looks_masked(std::string_view value);

std::string sha256_hex(std::string_view data);
// n random bytes rendered as lower-case hex (request ids and the like). Fast and unique but
// not for secrets: a per-thread generator seeded from the CSPRNG, not the CSPRNG itself.
std::string random_hex(std::size_t bytes);

}  // namespace core
