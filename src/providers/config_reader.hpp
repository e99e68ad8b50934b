#pragma once
// Typed reads of a provider config object with errors that name the key.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "core/result.hpp"

namespace providers {

class ConfigReader {
 public:
  explicit ConfigReader(const boost::json::object& config) : config_(config) {}

  // nullopt when absent (or null); an error when present with the wrong type.
  core::Result<std::optional<std::string>> optional_string(std::string_view key) const;
  core::Result<std::optional<bool>> optional_bool(std::string_view key) const;
  core::Result<std::string> required_string(std::string_view key) const;
  core::Result<std::optional<std::int64_t>> optional_positive_int(std::string_view key) const;
  core::Result<const boost::json::object*> optional_object(std::string_view key) const;

  static core::Error error(std::string_view key, std::string_view reason);

 private:
  const boost::json::object& config_;
};

}  // namespace providers
