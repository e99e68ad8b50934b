#include "core/api_key.hpp"

#include <array>
#include <stdexcept>

#include <openssl/evp.h>
#include <openssl/rand.h>

namespace core {
namespace {

constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr char kHex[] = "0123456789abcdef";

void fill_random(unsigned char* out, std::size_t size) {
  if (RAND_bytes(out, static_cast<int>(size)) != 1) {
    throw std::runtime_error("the system random generator failed");
  }
}

}  // namespace

std::string generate_api_key() {
  std::string key(kApiKeyPrefix);
  std::array<unsigned char, 64> pool{};
  std::size_t used = pool.size();
  while (key.size() < kApiKeyPrefix.size() + kApiKeyRandomChars) {
    if (used == pool.size()) {
      fill_random(pool.data(), pool.size());
      used = 0;
    }
    unsigned char byte = pool[used++];
    // Rejection sampling keeps every character equally likely: 248 = 4 * 62.
    if (byte < 248) key.push_back(kBase62[byte % 62]);
  }
  return key;
}

std::string sha256_hex(std::string_view data) {
  // Fetched once: OpenSSL 3 otherwise looks the algorithm up on every call (every request
  // hashes its key), which bench/RESULTS.md measured at 2 % of a request.
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (kSha256 == nullptr ||
      EVP_Digest(data.data(), data.size(), digest, &length, kSha256, nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xF]);
  }
  return hex;
}

std::string hash_api_key(std::string_view key) { return sha256_hex(key); }

std::string mask_api_key(std::string_view key) {
  auto body = key.substr(key.starts_with(kApiKeyPrefix) ? kApiKeyPrefix.size() : 0);
  std::string prefix(key.substr(0, key.size() - body.size()));
  if (body.size() <= 8) return prefix + "…";
  return prefix + std::string(body.substr(0, 4)) + "…" + std::string(body.substr(body.size() - 4));
}

std::string random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  fill_random(reinterpret_cast<unsigned char*>(raw.data()), bytes);
  std::string hex;
  hex.reserve(bytes * 2);
  for (unsigned char c : raw) {
    hex.push_back(kHex[c >> 4]);
    hex.push_back(kHex[c & 0xF]);
  }
  return hex;
}

}  // namespace core
