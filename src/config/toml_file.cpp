#include "config/toml_file.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

namespace config {
namespace {

const char* type_name(toml::node_type type) {
  switch (type) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    default:
      return "an unsupported value";
  }
}

TomlEntry to_entry(const toml::key& key, const toml::node& node) {
  TomlEntry entry{std::string(key.str()), TomlType::kOther, {}};
  if (const auto* text = node.as_string()) {
    entry.type = TomlType::kString;
    entry.text = text->get();
  } else if (const auto* integer = node.as_integer()) {
    entry.type = TomlType::kInteger;
    entry.text = std::to_string(integer->get());
  } else if (const auto* boolean = node.as_boolean()) {
    entry.type = TomlType::kBoolean;
    entry.text = boolean->get() ? "true" : "false";
  } else {
    entry.text = type_name(node.type());
  }
  return entry;
}

}  // namespace

core::Result<std::vector<TomlEntry>> read_toml_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return core::Error::bad_request(fmt::format("{}: no such file", path));
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  if (!in) return core::Error::bad_request(fmt::format("{}: cannot read the file", path));

  toml::table table;
  try {
    table = toml::parse(content.str(), path);
  } catch (const toml::parse_error& error) {
    return core::Error::bad_request(fmt::format("{}:{}:{}: {}", path, error.source().begin.line,
                                                error.source().begin.column, error.description()));
  }
  std::vector<TomlEntry> entries;
  for (auto&& [key, node] : table) entries.push_back(to_entry(key, node));
  // toml::table orders keys by name; file order makes the first error the first mistake.
  std::stable_sort(entries.begin(), entries.end(), [&](const TomlEntry& a, const TomlEntry& b) {
    return table.get(a.key)->source().begin < table.get(b.key)->source().begin;
  });
  return entries;
}

}  // namespace config
