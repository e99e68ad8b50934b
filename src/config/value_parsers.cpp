#include "config/value_parsers.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <limits>

#include <fmt/format.h>

#include "core/ascii.hpp"

namespace config {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

// Digits only: from_chars alone would accept a leading '-' for signed types.
bool parse_unsigned(std::string_view digits, std::uint64_t& out) {
  if (digits.empty() || !std::isdigit(static_cast<unsigned char>(digits.front()))) return false;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
  return ec == std::errc() && ptr == digits.data() + digits.size();
}

// Splits "16MiB" into "16" and "MiB".
std::pair<std::string_view, std::string_view> split_number(std::string_view text) {
  std::size_t end = 0;
  while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
  return {text.substr(0, end), trim(text.substr(end))};
}

core::Error invalid(std::string_view what, std::string_view text, std::string_view hint = {}) {
  return core::Error::bad_request(hint.empty()
                                      ? fmt::format("not {}: '{}'", what, text)
                                      : fmt::format("not {}: '{}' ({})", what, text, hint));
}

}  // namespace

core::Result<ListenAddress> parse_listen(std::string_view text) {
  ListenAddress address;
  std::string_view port_text;
  if (text.starts_with('[')) {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return invalid("a listen address", text, "expected [ipv6]:port");
    }
    address.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
    if (address.host.empty()) return invalid("a listen address", text, "empty host");
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return invalid("a listen address", text, "expected host:port");
    }
    if (text.find(':') != colon) {
      return invalid("a listen address", text, "write IPv6 addresses as [addr]:port");
    }
    // ":8866" follows the Go convention: every interface.
    address.host = colon == 0 ? "0.0.0.0" : std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  std::uint64_t port = 0;
  if (!parse_unsigned(port_text, port) || port > 65535) {
    return invalid("a listen address", text, "port must be 0-65535");
  }
  address.port = static_cast<std::uint16_t>(port);
  return address;
}

core::Result<std::uint64_t> parse_size(std::string_view text) {
  constexpr std::string_view kHint = "use bytes or a suffix such as 64KiB, 32MiB, 10MB";
  auto [digits, suffix] = split_number(trim(text));
  std::uint64_t count = 0;
  if (!parse_unsigned(digits, count)) return invalid("a size", text, kHint);
  struct Unit {
    std::string_view name;
    std::uint64_t bytes;
  };
  static constexpr std::array<Unit, 8> kUnits{{{"", 1},
                                               {"b", 1},
                                               {"kib", 1ull << 10},
                                               {"mib", 1ull << 20},
                                               {"gib", 1ull << 30},
                                               {"kb", 1'000},
                                               {"mb", 1'000'000},
                                               {"gb", 1'000'000'000}}};
  auto unit = core::ascii_lower(suffix);
  for (const auto& candidate : kUnits) {
    if (candidate.name != unit) continue;
    std::uint64_t bytes = 0;
    if (__builtin_mul_overflow(count, candidate.bytes, &bytes)) {
      return invalid("a size", text, "too large");
    }
    if (bytes == 0) return invalid("a size", text, "must be greater than 0");
    return bytes;
  }
  return invalid("a size", text, kHint);
}

core::Result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  constexpr std::string_view kHint = "use seconds or a suffix such as 500ms, 10s, 5m, 1h";
  auto [digits, suffix] = split_number(trim(text));
  std::uint64_t count = 0;
  if (!parse_unsigned(digits, count)) return invalid("a duration", text, kHint);
  std::uint64_t millis_per_unit = 0;
  if (suffix.empty() || suffix == "s") {
    millis_per_unit = 1'000;
  } else if (suffix == "ms") {
    millis_per_unit = 1;
  } else if (suffix == "m") {
    millis_per_unit = 60'000;
  } else if (suffix == "h") {
    millis_per_unit = 3'600'000;
  } else {
    return invalid("a duration", text, kHint);
  }
  std::uint64_t millis = 0;
  // Capped well below the int64 range so that adding it to a time point cannot overflow.
  constexpr std::uint64_t kMaxMillis = 10ull * 365 * 24 * 3'600'000;
  if (__builtin_mul_overflow(count, millis_per_unit, &millis) || millis > kMaxMillis) {
    return invalid("a duration", text, "too long");
  }
  if (millis == 0) return invalid("a duration", text, "must be greater than 0");
  return std::chrono::milliseconds(static_cast<std::int64_t>(millis));
}

core::Result<bool> parse_bool(std::string_view text) {
  auto word = core::ascii_lower(trim(text));
  if (word == "true" || word == "1" || word == "yes" || word == "on") return true;
  if (word == "false" || word == "0" || word == "no" || word == "off") return false;
  return invalid("a boolean", text, "use true or false");
}

core::Result<std::int64_t> parse_integer(std::string_view text, std::int64_t min,
                                         std::int64_t max) {
  auto body = trim(text);
  bool negative = false;
  if (!body.empty() && (body.front() == '-' || body.front() == '+')) {
    negative = body.front() == '-';
    body.remove_prefix(1);
  }
  std::uint64_t magnitude = 0;
  constexpr auto kLimit = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (!parse_unsigned(body, magnitude) || magnitude > kLimit) {
    return invalid("an integer", text);
  }
  auto value =
      negative ? -static_cast<std::int64_t>(magnitude) : static_cast<std::int64_t>(magnitude);
  if (value < min || value > max) {
    return core::Error::bad_request(
        fmt::format("out of range: '{}' (allowed {} to {})", text, min, max));
  }
  return value;
}

}  // namespace config
