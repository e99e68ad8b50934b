#include "core/lone_surrogates.hpp"

namespace core {
namespace {

constexpr std::size_t kEscape = 6;  // \uXXXX

// The code unit of the \uXXXX escape at `at`, or -1 when there is none there.
int escape_at(std::string_view text, std::size_t at) {
  if (at + kEscape > text.size() || text[at] != '\\' || text[at + 1] != 'u') return -1;
  int value = 0;
  for (std::size_t i = at + 2; i < at + kEscape; ++i) {
    char c = text[i];
    int digit = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

bool is_high(int unit) { return unit >= 0xD800 && unit <= 0xDBFF; }
bool is_low(int unit) { return unit >= 0xDC00 && unit <= 0xDFFF; }

}  // namespace

std::optional<std::string> replace_lone_surrogate_escapes(std::string_view json_text) {
  std::optional<std::string> repaired;
  // Backslashes appear only in strings' escapes in valid JSON; walking escape by escape
  // keeps "\\ud83d" (an escaped backslash, then text) apart from "\ud83d".
  std::size_t at = json_text.find('\\');
  while (at != std::string_view::npos && at + 1 < json_text.size()) {
    int unit = escape_at(json_text, at);
    if (unit < 0) {  // another escape (\n, \\, \"), or a broken one the parser will name
      at = json_text.find('\\', at + 2);
      continue;
    }
    std::size_t next = at + kEscape;
    bool lone = false;
    if (is_high(unit)) {
      if (is_low(escape_at(json_text, next))) {
        next += kEscape;  // a whole pair
      } else {
        lone = true;
      }
    } else if (is_low(unit)) {
      lone = true;
    }
    if (lone) {
      if (!repaired) repaired.emplace(json_text);
      repaired->replace(at, kEscape, "\\ufffd");
    }
    at = json_text.find('\\', next);
  }
  return repaired;
}

}  // namespace core
