#include "core/api_key.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include <gtest/gtest.h>

namespace core {
namespace {

bool is_base62(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

TEST(ApiKey, GeneratedKeyHasPrefixAndBase62Body) {
  auto key = generate_api_key();
  ASSERT_EQ(key.size(), 3u + 32u);
  EXPECT_TRUE(key.starts_with("br-"));
  auto body = std::string_view(key).substr(3);
  EXPECT_TRUE(std::all_of(body.begin(), body.end(), is_base62)) << key;
}

TEST(ApiKey, GeneratedKeysDiffer) {
  std::set<std::string> keys;
  for (int i = 0; i < 100; ++i) keys.insert(generate_api_key());
  EXPECT_EQ(keys.size(), 100u);
}

TEST(ApiKey, GeneratedKeysUseTheWholeAlphabet) {
  // 200 keys * 32 characters: every one of the 62 characters should appear.
  std::set<char> seen;
  for (int i = 0; i < 200; ++i) {
    auto key = generate_api_key();
    seen.insert(key.begin() + 3, key.end());
  }
  EXPECT_EQ(seen.size(), 62u);
}

TEST(ApiKey, HashIsSha256Hex) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hash_api_key("abc"), sha256_hex("abc"));

  auto hash = hash_api_key(generate_api_key());
  ASSERT_EQ(hash.size(), 64u);
  EXPECT_TRUE(std::all_of(hash.begin(), hash.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  })) << hash;
}

TEST(ApiKey, MaskShowsFirstAndLastFour) {
  EXPECT_EQ(mask_api_key("br-AbCdefghijklmnopqrstuvwxyzwXyZ"), "br-AbCd…wXyZ");
  auto key = generate_api_key();
  EXPECT_EQ(mask_api_key(key), key.substr(0, 7) + "…" + key.substr(key.size() - 4));
  EXPECT_EQ(mask_api_key("sk-1234567890"), "sk-1…7890");  // no br- prefix: masked all the same
  EXPECT_EQ(mask_api_key("br-short"), "br-…");            // too short to reveal any of it
  EXPECT_EQ(mask_api_key(""), "…");
}

TEST(RandomHex, LengthAndAlphabet) {
  auto hex = random_hex(16);
  ASSERT_EQ(hex.size(), 32u);
  EXPECT_TRUE(std::all_of(hex.begin(), hex.end(),
                          [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }));
  EXPECT_NE(random_hex(16), random_hex(16));
}

}  // namespace
}  // namespace core
