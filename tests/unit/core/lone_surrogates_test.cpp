#include "core/lone_surrogates.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace {

using core::replace_lone_surrogate_escapes;

TEST(LoneSurrogates, TextWithoutThemIsNotCopied) {
  for (const char* text : {R"({"a": "plain"})", R"({"a": "\n\t\"\\ \u00e9 \u4e2d"})",
                           R"({"emoji": "\ud83d\ude00", "upper": "\uD83D\uDE00"})",
                           R"({"escaped backslash": "\\ud83d"})", ""}) {
    EXPECT_EQ(replace_lone_surrogate_escapes(text), std::nullopt) << text;
  }
}

TEST(LoneSurrogates, LoneHighAndLowEscapesBecomeTheReplacementCharacter) {
  struct Case {
    const char* in;
    const char* out;
  };
  for (const auto& [in, out] : std::initializer_list<Case>{
           {R"({"cut": "ab\ud83d"})", R"({"cut": "ab\ufffd"})"},
           {R"({"cut": "\ud83dx"})", R"({"cut": "\ufffdx"})"},
           {R"({"low": "\ude00"})", R"({"low": "\ufffd"})"},
           {R"({"two highs": "\ud83d\ud83d\ude00"})", R"({"two highs": "\ufffd\ud83d\ude00"})"},
           {R"({"reversed": "\ude00\ud83d"})", R"({"reversed": "\ufffd\ufffd"})"},
           {R"({"after a backslash": "\\\ud83d"})", R"({"after a backslash": "\\\ufffd"})"}}) {
    auto repaired = replace_lone_surrogate_escapes(in);
    ASSERT_TRUE(repaired) << in;
    EXPECT_EQ(*repaired, out);
    EXPECT_EQ(repaired->size(), std::string_view(in).size());
    boost::system::error_code ec;
    boost::json::parse(*repaired, ec);
    EXPECT_FALSE(ec) << *repaired;
  }
}

TEST(LoneSurrogates, BrokenEscapesAreLeftForTheParserToName) {
  EXPECT_EQ(replace_lone_surrogate_escapes(R"({"a": "\ud8"})"), std::nullopt);
  EXPECT_EQ(replace_lone_surrogate_escapes(R"({"a": "\uzzzz"})"), std::nullopt);
  EXPECT_EQ(replace_lone_surrogate_escapes("\\"), std::nullopt);
}

}  // namespace
