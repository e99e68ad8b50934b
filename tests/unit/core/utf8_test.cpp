#include "core/utf8.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

TEST(Utf8, WellFormedTextIsValid) {
  for (std::string text :
       {"", "plain", "ünïcödé", "中文错误信息", "😀 emoji", "\x7f\x01 controls"}) {
    EXPECT_TRUE(core::is_valid_utf8(text)) << text;
    EXPECT_EQ(core::to_valid_utf8(text), text);
  }
}

TEST(Utf8, MalformedBytesAreInvalidAndReplacedOneByOne) {
  struct Case {
    std::string in;
    std::string out;
  };
  const std::string bad = "\xEF\xBF\xBD";
  for (const auto& [in, out] :
       std::initializer_list<Case>{{"\xFF", bad},
                                   {"a\xC3", "a" + bad},               // cut after a lead byte
                                   {"\xE4\xB8", bad + bad},            // 中 cut in the middle
                                   {"\xC0\xAF", bad + bad},            // overlong '/'
                                   {"\xED\xA0\x80", bad + bad + bad},  // a UTF-16 surrogate
                                   {"\xF4\x90\x80\x80", bad + bad + bad + bad},  // past U+10FFFF
                                   {"\xB5\xE7\xC4\xD4", bad + bad + bad + bad},  // GBK "电脑"
                                   {"ok \x80 ok", "ok " + bad + " ok"}}) {
    EXPECT_FALSE(core::is_valid_utf8(in)) << in;
    EXPECT_EQ(core::to_valid_utf8(in), out) << in;
    EXPECT_TRUE(core::is_valid_utf8(core::to_valid_utf8(in)));
  }
}

TEST(Utf8, PrefixNeverEndsInsideACharacter) {
  const std::string text = "ab中文";  // 2 + 3 + 3 bytes
  EXPECT_EQ(core::utf8_prefix(text, 100), text);
  EXPECT_EQ(core::utf8_prefix(text, 8), text);
  EXPECT_EQ(core::utf8_prefix(text, 7), "ab中");
  EXPECT_EQ(core::utf8_prefix(text, 5), "ab中");
  EXPECT_EQ(core::utf8_prefix(text, 4), "ab");
  EXPECT_EQ(core::utf8_prefix(text, 2), "ab");
  EXPECT_EQ(core::utf8_prefix(text, 0), "");
}

}  // namespace
