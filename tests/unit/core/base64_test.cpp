#include "core/base64.hpp"

#include <gtest/gtest.h>

namespace core {
namespace {

TEST(Base64, EncodesRfc4648Vectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode(std::string("\xff\xfe\x00", 3)), "//4A");
}

TEST(Base64, DecodesWhatItEncodes) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  for (std::size_t length = 0; length <= bytes.size(); length += 37) {
    auto decoded = base64_decode(base64_encode(bytes.substr(0, length)));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(*decoded, bytes.substr(0, length));
  }
}

TEST(Base64, RefusesMalformedText) {
  EXPECT_FALSE(base64_decode("Zm9"));     // not a multiple of 4
  EXPECT_FALSE(base64_decode("Zm9v!A=="));  // not in the alphabet
  EXPECT_EQ(base64_decode("Zm9vYmFy\n"), "foobar");
}

}  // namespace
}  // namespace core
