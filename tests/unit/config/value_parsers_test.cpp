#include "config/value_parsers.hpp"

#include <gtest/gtest.h>

namespace config {
namespace {

using std::chrono::milliseconds;

TEST(ParseSize, PlainBytesAndSuffixes) {
  EXPECT_EQ(*parse_size("1"), 1u);
  EXPECT_EQ(*parse_size("1048576"), 1048576u);
  EXPECT_EQ(*parse_size("512B"), 512u);
  EXPECT_EQ(*parse_size("64KiB"), 64u * 1024);
  EXPECT_EQ(*parse_size("16MiB"), 16u * 1024 * 1024);
  EXPECT_EQ(*parse_size("16 mib"), 16u * 1024 * 1024);
  EXPECT_EQ(*parse_size("2GiB"), 2ull << 30);
  EXPECT_EQ(*parse_size("10KB"), 10'000u);
  EXPECT_EQ(*parse_size("10MB"), 10'000'000u);
  EXPECT_EQ(*parse_size("1GB"), 1'000'000'000u);
}

TEST(ParseSize, Rejects) {
  for (const char* text : {"", "abc", "0", "0MiB", "-1", "1.5MiB", "16XB", "MiB", " ",
                           "99999999999999999999", "17179869184GiB"}) {
    auto size = parse_size(text);
    EXPECT_FALSE(size.ok()) << text;
  }
  EXPECT_EQ(parse_size("abc").error().message.rfind("not a size: 'abc'", 0), 0u);
}

TEST(ParseDuration, SecondsAndSuffixes) {
  EXPECT_EQ(*parse_duration("10"), milliseconds(10'000));
  EXPECT_EQ(*parse_duration("10s"), milliseconds(10'000));
  EXPECT_EQ(*parse_duration("500ms"), milliseconds(500));
  EXPECT_EQ(*parse_duration("5m"), milliseconds(300'000));
  EXPECT_EQ(*parse_duration("2h"), milliseconds(7'200'000));
}

TEST(ParseDuration, Rejects) {
  for (const char* text : {"", "0", "0s", "0ms", "-5", "1.5s", "10d", "s", "ten",
                           "99999999999999999999h", "1000000h"}) {
    EXPECT_FALSE(parse_duration(text).ok()) << text;
  }
  EXPECT_EQ(parse_duration("ten").error().message.rfind("not a duration: 'ten'", 0), 0u);
}

TEST(ParseBool, Spellings) {
  for (const char* text : {"true", "TRUE", "1", "yes", "on"}) EXPECT_TRUE(*parse_bool(text));
  for (const char* text : {"false", "False", "0", "no", "off"}) EXPECT_FALSE(*parse_bool(text));
  EXPECT_FALSE(parse_bool("maybe").ok());
  EXPECT_FALSE(parse_bool("").ok());
}

TEST(ParseListen, Forms) {
  auto v4 = parse_listen("127.0.0.1:9000");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 9000);

  auto v6 = parse_listen("[::1]:80");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 80);

  auto any_port = parse_listen("localhost:0");
  ASSERT_TRUE(any_port.ok());
  EXPECT_EQ(any_port->host, "localhost");
  EXPECT_EQ(any_port->port, 0);

  auto all_interfaces = parse_listen(":8866");
  ASSERT_TRUE(all_interfaces.ok());
  EXPECT_EQ(all_interfaces->host, "0.0.0.0");
}

TEST(ParseListen, Rejects) {
  for (const char* text : {"", "8866", "host:", "host:65536", "host:-1", "host:http", "::1:80",
                           "[::1]", "[::1]80", "[]:80", "[::1:80"}) {
    EXPECT_FALSE(parse_listen(text).ok()) << text;
  }
}

TEST(ParseInteger, RangeAndSign) {
  EXPECT_EQ(*parse_integer("-60", -100, 100), -60);
  EXPECT_EQ(*parse_integer("+60", -100, 100), 60);
  EXPECT_FALSE(parse_integer("101", -100, 100).ok());
  EXPECT_FALSE(parse_integer("1e3", -10000, 10000).ok());
  EXPECT_FALSE(parse_integer("--1", -100, 100).ok());
  EXPECT_FALSE(parse_integer("", -100, 100).ok());
  EXPECT_FALSE(parse_integer("99999999999999999999", 0, 1).ok());
}

}  // namespace
}  // namespace config
