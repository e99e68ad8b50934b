#include "core/money.hpp"

#include <charconv>

#include <boost/json/value.hpp>

namespace core {
namespace {

bool checked_mul_add(std::int64_t& acc, std::int64_t mul, std::int64_t add) {
  return !__builtin_mul_overflow(acc, mul, &acc) && !__builtin_add_overflow(acc, add, &acc);
}

}  // namespace

std::optional<Money> Money::parse(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  // Split off an exponent, then collect the digits and where the decimal point sits.
  int exponent = 0;
  if (auto e = text.find_first_of("eE"); e != std::string_view::npos) {
    auto exp_text = text.substr(e + 1);
    // from_chars takes a '-' but no '+'; strip a lone '+' so that "1e+-3" stays invalid.
    if (exp_text.starts_with('+') && !exp_text.substr(1).starts_with('-')) {
      exp_text.remove_prefix(1);
    }
    auto [ptr, ec] = std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exponent);
    if (ec != std::errc() || ptr != exp_text.data() + exp_text.size() || exp_text.empty()) {
      return std::nullopt;
    }
    text = text.substr(0, e);
  }
  std::int64_t digits_value = 0;
  int fraction_digits = 0;
  bool seen_point = false;
  bool seen_digit = false;
  for (char c : text) {
    if (c == '.') {
      if (seen_point) return std::nullopt;
      seen_point = true;
      continue;
    }
    if (c < '0' || c > '9') return std::nullopt;
    seen_digit = true;
    if (seen_point) ++fraction_digits;
    if (!checked_mul_add(digits_value, 10, c - '0')) return std::nullopt;
  }
  if (!seen_digit) return std::nullopt;
  // value = digits_value * 10^(exponent - fraction_digits); we want that * 1e9.
  int scale = 9 + exponent - fraction_digits;
  if (scale < -30 || scale > 30) {
    if (digits_value == 0) return Money(0);
    return std::nullopt;
  }
  for (; scale > 0; --scale) {
    if (!checked_mul_add(digits_value, 10, 0)) return std::nullopt;
  }
  for (; scale < 0; ++scale) {
    if (digits_value % 10 != 0) return std::nullopt;  // finer than a nano-unit
    digits_value /= 10;
  }
  return Money(negative ? -digits_value : digits_value);
}

std::optional<Money> Money::from_json(const boost::json::value& value) {
  if (value.is_int64()) {
    std::int64_t nanos = value.get_int64();
    if (__builtin_mul_overflow(nanos, kNanosPerUnit, &nanos)) return std::nullopt;
    return Money(nanos);
  }
  if (value.is_uint64()) {
    auto whole = value.get_uint64();
    if (whole > static_cast<std::uint64_t>(INT64_MAX / kNanosPerUnit)) return std::nullopt;
    return Money(static_cast<std::int64_t>(whole) * kNanosPerUnit);
  }
  if (value.is_double()) {
    // The shortest decimal that reads back as this double is the text the client wrote.
    char buffer[64];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value.get_double());
    if (ec != std::errc()) return std::nullopt;
    return parse(std::string_view(buffer, end - buffer));
  }
  if (value.is_string()) return parse(value.get_string());
  return std::nullopt;
}

std::string Money::to_string() const {
  std::uint64_t magnitude = nanos_ < 0 ? static_cast<std::uint64_t>(-(nanos_ + 1)) + 1
                                       : static_cast<std::uint64_t>(nanos_);
  std::string out = nanos_ < 0 ? "-" : "";
  out += std::to_string(magnitude / kNanosPerUnit);
  auto fraction = magnitude % kNanosPerUnit;
  if (fraction != 0) {
    std::string digits = std::to_string(fraction);
    digits.insert(0, 9 - digits.size(), '0');
    while (digits.back() == '0') digits.pop_back();
    out += '.';
    out += digits;
  }
  return out;
}

boost::json::value Money::to_json() const {
  if (nanos_ % kNanosPerUnit == 0) return boost::json::value(nanos_ / kNanosPerUnit);
  // from_chars, unlike strtod, ignores the C locale (a "de_DE" locale reads "0,23").
  auto text = to_string();
  double value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return boost::json::value(value);
}

}  // namespace core
