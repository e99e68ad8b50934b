#include "providers/config_reader.hpp"

namespace providers {

core::Error ConfigReader::error(std::string_view key, std::string_view reason) {
  std::string field = "config." + std::string(key);
  return core::Error::bad_request(field + ": " + std::string(reason), field);
}

core::Result<std::optional<std::string>> ConfigReader::optional_string(std::string_view key) const {
  auto found = config_.find(key);
  if (found == config_.end() || found->value().is_null()) return std::optional<std::string>();
  if (!found->value().is_string()) return error(key, "must be a string");
  return std::optional<std::string>(std::string(found->value().get_string()));
}

core::Result<std::optional<bool>> ConfigReader::optional_bool(std::string_view key) const {
  auto found = config_.find(key);
  if (found == config_.end() || found->value().is_null()) return std::optional<bool>();
  if (!found->value().is_bool()) return error(key, "must be true or false");
  return std::optional<bool>(found->value().get_bool());
}

core::Result<std::string> ConfigReader::required_string(std::string_view key) const {
  auto value = optional_string(key);
  if (!value) return value.take_error();
  if (!value->has_value() || (*value)->empty()) return error(key, "required");
  return std::move(**value);
}

core::Result<std::optional<std::int64_t>> ConfigReader::optional_positive_int(
    std::string_view key) const {
  auto found = config_.find(key);
  if (found == config_.end() || found->value().is_null()) return std::optional<std::int64_t>();
  const auto& value = found->value();
  std::int64_t number = 0;
  if (value.is_int64()) {
    number = value.get_int64();
  } else if (value.is_uint64() && value.get_uint64() <= INT64_MAX) {
    number = static_cast<std::int64_t>(value.get_uint64());
  } else {
    return error(key, "must be a positive integer");
  }
  if (number <= 0) return error(key, "must be a positive integer");
  return std::optional<std::int64_t>(number);
}

core::Result<const boost::json::object*> ConfigReader::optional_object(std::string_view key) const {
  auto found = config_.find(key);
  if (found == config_.end() || found->value().is_null()) {
    return static_cast<const boost::json::object*>(nullptr);
  }
  if (!found->value().is_object()) return error(key, "must be an object");
  return &found->value().get_object();
}

}  // namespace providers
