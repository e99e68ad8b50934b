#pragma once
// ASCII case folding, for what protocols and settings spell in ASCII (schemes, hosts, header
// names, hex, level names): no locale, no library call per character.

#include <string>
#include <string_view>

namespace core {

constexpr char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c;
}

inline std::string ascii_lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = ascii_lower(c);
  return lower;
}

}  // namespace core
