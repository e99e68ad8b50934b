#pragma once
// Reads the settings file into flat key/value pairs so that toml++ (a heavy header) is
// compiled in one place and the settings code sees plain text, as it does for flags and
// environment variables.

#include <string>
#include <vector>

#include "core/result.hpp"

namespace config {

enum class TomlType { kString, kInteger, kBoolean, kOther };

struct TomlEntry {
  std::string key;
  TomlType type = TomlType::kOther;
  // The value as text ("16MiB", "42", "true"); for kOther the TOML type name, for messages.
  std::string text;
};

// Top-level entries in file order. Errors: the file is missing or unreadable, or is not
// valid TOML (with line and column). Messages start with the path.
core::Result<std::vector<TomlEntry>> read_toml_file(const std::string& path);

}  // namespace config
