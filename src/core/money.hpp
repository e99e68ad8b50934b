#pragma once
// Money is an exact integer count of nano-units (1e-9) of the currency. It is parsed from
// and rendered to decimal text without binary floating-point arithmetic.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/fwd.hpp>

namespace core {

class Money {
 public:
  static constexpr std::int64_t kNanosPerUnit = 1'000'000'000;

  constexpr Money() = default;
  static constexpr Money from_nanos(std::int64_t nanos) { return Money(nanos); }
  // "12", "0.23", "-1.5", "1e-3": at most 9 decimals after scaling; nullopt when the text is
  // not a number, has more precision than a nano-unit, or overflows.
  static std::optional<Money> parse(std::string_view decimal);
  // A JSON number (integer or double, the double read back through its shortest decimal
  // form) or a string holding a decimal.
  static std::optional<Money> from_json(const boost::json::value& value);

  constexpr std::int64_t nanos() const { return nanos_; }
  // Shortest exact decimal text: "0.23", "12", "-0.000000001".
  std::string to_string() const;
  // The value for a JSON document: an integer when whole, else a double whose shortest form
  // is the exact decimal. A double holds 15 significant digits exactly, so amounts below one
  // million units (10^15 nanos) round-trip; larger ones with fractions may lose a nano.
  boost::json::value to_json() const;

  constexpr auto operator<=>(const Money&) const = default;

 private:
  constexpr explicit Money(std::int64_t nanos) : nanos_(nanos) {}
  std::int64_t nanos_ = 0;
};

}  // namespace core
