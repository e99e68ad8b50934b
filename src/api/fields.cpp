#include "api/fields.hpp"

#include <charconv>
#include <cmath>

namespace api {
namespace {

core::Error invalid(std::string_view key, std::string_view reason) {
  return core::Error::bad_request(std::string(key) + ": " + std::string(reason), std::string(key));
}

// Casting a double outside int64's range is undefined behaviour: check the range first.
bool whole_in_int64_range(double number) {
  return number >= -9.2e18 && number <= 9.2e18 && number == std::trunc(number);
}

}  // namespace

core::Result<const boost::json::object*> require_object(const boost::json::value& body) {
  if (!body.is_object()) return core::Error::bad_request("the request body must be a JSON object");
  return &body.get_object();
}

const boost::json::value* Fields::find(std::string_view key) const {
  auto* value = body_.if_contains(key);
  if (!value || value->is_null()) return nullptr;
  return value;
}

bool Fields::has(std::string_view key) const { return find(key) != nullptr; }

core::Result<std::optional<std::string>> Fields::optional_string(std::string_view key,
                                                                 std::size_t max_length) const {
  auto* value = find(key);
  if (!value) return std::optional<std::string>();
  if (!value->is_string()) return invalid(key, "must be a string");
  if (value->get_string().size() > max_length) {
    return invalid(key, "must be at most " + std::to_string(max_length) + " characters");
  }
  return std::optional<std::string>(std::string(value->get_string()));
}

core::Result<std::string> Fields::required_string(std::string_view key,
                                                  std::size_t max_length) const {
  auto value = optional_string(key, max_length);
  if (!value) return value.take_error();
  if (!value->has_value()) return invalid(key, "required");
  std::string text = std::move(**value);
  if (text.find_first_not_of(" \t\r\n") == std::string::npos)
    return invalid(key, "must not be empty");
  return text;
}

core::Result<std::optional<std::int64_t>> Fields::optional_id(std::string_view key) const {
  auto* value = find(key);
  if (!value) return std::optional<std::int64_t>();
  std::int64_t id = 0;
  if (value->is_int64()) {
    id = value->get_int64();
  } else if (value->is_uint64() && value->get_uint64() <= INT64_MAX) {
    id = static_cast<std::int64_t>(value->get_uint64());
  } else if (value->is_string()) {
    std::string_view text = value->get_string();
    if (text.empty()) return std::optional<std::int64_t>();
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc() || end != text.data() + text.size())
      return invalid(key, "must be an integer id");
  } else if (value->is_double() && whole_in_int64_range(value->get_double())) {
    id = static_cast<std::int64_t>(value->get_double());
  } else {
    return invalid(key, "must be an integer id");
  }
  if (id <= 0) return invalid(key, "must be a positive integer id");
  return std::optional<std::int64_t>(id);
}

core::Result<std::int64_t> Fields::required_id(std::string_view key) const {
  auto value = optional_id(key);
  if (!value) return value.take_error();
  if (!value->has_value()) return invalid(key, "required");
  return **value;
}

core::Result<std::optional<core::Money>> Fields::optional_money(std::string_view key) const {
  auto* value = find(key);
  if (!value) return std::optional<core::Money>();
  if (value->is_string() && value->get_string().empty()) return std::optional<core::Money>();
  auto money = core::Money::from_json(*value);
  if (!money) return invalid(key, "must be a number with at most 9 decimals");
  if (money->nanos() < 0) return invalid(key, "must not be negative");
  return std::optional<core::Money>(*money);
}

core::Result<std::optional<bool>> Fields::optional_bool(std::string_view key) const {
  auto* value = find(key);
  if (!value) return std::optional<bool>();
  if (value->is_bool()) return std::optional<bool>(value->get_bool());
  if (value->is_int64() && (value->get_int64() == 0 || value->get_int64() == 1)) {
    return std::optional<bool>(value->get_int64() == 1);
  }
  return invalid(key, "must be true or false");
}

}  // namespace api
