#pragma once
// Typed reads of admin request fields; every error names the field. Ids and money also
// accept numeric strings, as the existing clients sometimes send them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "core/money.hpp"
#include "core/result.hpp"

namespace api {

class Fields {
 public:
  explicit Fields(const boost::json::object& body) : body_(body) {}

  bool has(std::string_view key) const;
  core::Result<std::string> required_string(std::string_view key,
                                            std::size_t max_length = 200) const;
  core::Result<std::optional<std::string>> optional_string(std::string_view key,
                                                           std::size_t max_length = 200) const;
  core::Result<std::int64_t> required_id(std::string_view key) const;
  core::Result<std::optional<std::int64_t>> optional_id(std::string_view key) const;
  // Non-negative amounts of money.
  core::Result<std::optional<core::Money>> optional_money(std::string_view key) const;
  core::Result<std::optional<bool>> optional_bool(std::string_view key) const;

 private:
  const boost::json::value* find(std::string_view key) const;
  const boost::json::object& body_;
};

// The body as an object, or a 400.
core::Result<const boost::json::object*> require_object(const boost::json::value& body);

}  // namespace api
