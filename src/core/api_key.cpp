#include "core/api_key.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include <openssl/rand.h>
#include <openssl/sha.h>

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

void append_hex(std::string& out, const unsigned char* bytes, std::size_t size) {
  char buffer[128];
  while (size > 0) {
    std::size_t take = std::min(size, sizeof(buffer) / 2);
    for (std::size_t i = 0; i < take; ++i) {
      buffer[2 * i] = kHex[bytes[i] >> 4];
      buffer[2 * i + 1] = kHex[bytes[i] & 0xF];
    }
    out.append(buffer, take * 2);
    bytes += take;
    size -= take;
  }
}

// xoshiro256** seeded once per thread from the CSPRNG. Request ids need to be unique and
// unguessable enough to not collide across processes, not secret; RAND_bytes per request
// cost about 4 % of a proxied request's instructions.
class FastRandom {
 public:
  FastRandom() {
    do {
      fill_random(reinterpret_cast<unsigned char*>(state_.data()), sizeof(state_));
    } while (state_[0] == 0 && state_[1] == 0 && state_[2] == 0 && state_[3] == 0);
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t shifted = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= shifted;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  std::array<std::uint64_t, 4> state_{};
};

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
  // The low-level SHA-256 (deprecated in OpenSSL 3, still built and supported): every request
  // hashes its key, and EVP_Digest (context allocation, provider dispatch, parameter lookups)
  // cost more than twice the hash itself.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  SHA256_CTX context;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  if (SHA256_Init(&context) != 1 || SHA256_Update(&context, data.data(), data.size()) != 1 ||
      SHA256_Final(digest, &context) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
#pragma GCC diagnostic pop
  std::string hex;
  append_hex(hex, digest, sizeof(digest));
  return hex;
}

std::string hash_api_key(std::string_view key) { return sha256_hex(key); }

std::string mask_api_key(std::string_view key) {
  auto body = key.substr(key.starts_with(kApiKeyPrefix) ? kApiKeyPrefix.size() : 0);
  std::string prefix(key.substr(0, key.size() - body.size()));
  if (body.size() <= 8) return prefix + "…";
  return prefix + std::string(body.substr(0, 4)) + "…" + std::string(body.substr(body.size() - 4));
}

std::string mask_secret(std::string_view secret) {
  if (secret.size() <= 8) return "****";
  return std::string(secret.substr(0, 3)) + "…" + std::string(secret.substr(secret.size() - 4));
}

bool looks_masked(std::string_view value) {
  return value == "****" || value.find("…") != std::string_view::npos;
}

std::string random_hex(std::size_t bytes) {
  thread_local FastRandom generator;
  std::string hex;
  hex.reserve(bytes * 2);
  while (bytes > 0) {
    std::uint64_t word = generator.next();
    unsigned char raw[sizeof(word)];
    std::memcpy(raw, &word, sizeof(word));
    std::size_t take = std::min(bytes, sizeof(raw));
    append_hex(hex, raw, take);
    bytes -= take;
  }
  return hex;
}

}  // namespace core
