#pragma once
// Parsers for the text form of setting values, shared by flags, environment and the TOML
// file so that every source accepts exactly the same spellings. Messages do not name the
// setting; the caller prefixes the setting and its source.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace config {

struct ListenAddress {
  std::string host;  // without IPv6 brackets: "::1"
  std::uint16_t port = 0;
};

// "host:port", "[::1]:80", ":8866" (all interfaces). Port 0 asks for any free port.
core::Result<ListenAddress> parse_listen(std::string_view text);
// Bytes: "1048576", "16MiB", "64 KiB", "10MB". Binary (KiB MiB GiB) and decimal (KB MB GB)
// suffixes, case-insensitive. Must be > 0.
core::Result<std::uint64_t> parse_size(std::string_view text);
// A bare integer is seconds; otherwise a suffix ms, s, m or h. Must be > 0.
core::Result<std::chrono::milliseconds> parse_duration(std::string_view text);
// true/false, 1/0, yes/no, on/off (case-insensitive).
core::Result<bool> parse_bool(std::string_view text);
// A decimal integer, optionally signed, within [min, max].
core::Result<std::int64_t> parse_integer(std::string_view text, std::int64_t min, std::int64_t max);

}  // namespace config
