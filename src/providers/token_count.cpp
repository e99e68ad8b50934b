#include "providers/token_count.hpp"

#include <cmath>

#include <boost/json/object.hpp>

namespace providers {

std::optional<std::int64_t> token_count(const boost::json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  if (!value) return std::nullopt;
  if (value->is_int64()) {
    auto count = value->get_int64();
    if (count >= 0 && count <= kMaxTokenCount) return count;
  } else if (value->is_uint64()) {
    if (value->get_uint64() <= static_cast<std::uint64_t>(kMaxTokenCount))
      return static_cast<std::int64_t>(value->get_uint64());
  } else if (value->is_double()) {
    // Checked before the conversion: casting a double out of int64's range is undefined.
    double count = value->get_double();
    if (count >= 0 && count <= static_cast<double>(kMaxTokenCount) && std::trunc(count) == count)
      return static_cast<std::int64_t>(count);
  }
  return std::nullopt;
}

}  // namespace providers
