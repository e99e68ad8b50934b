#include "chat/json_splice.hpp"

#include <array>
#include <cstddef>
#include <cstring>

#include <boost/json/serialize.hpp>

namespace chat {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Characters a scan between strings must stop at: quotes and brackets.
constexpr std::array<bool, 256> kStructural = [] {
  std::array<bool, 256> table{};
  for (unsigned char c : std::string_view("\"{}[]")) table[c] = true;
  return table;
}();

// Walks a JSON text that a strict parser accepted; every step still checks its bounds so
// that a text that was not accepted fails instead of reading past the end.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  std::size_t at() const { return at_; }
  bool next_is(char c) const { return at_ < text_.size() && text_[at_] == c; }
  void advance() { ++at_; }
  void skip_space() {
    while (at_ < text_.size() && is_space(text_[at_])) ++at_;
  }

  // At an opening quote: moves past the closing one.
  bool skip_string() {
    const char* const begin = text_.data();
    const char* const end = begin + text_.size();
    const char* from = begin + at_ + 1;
    for (;;) {
      const auto* quote = static_cast<const char*>(std::memchr(from, '"', end - from));
      if (quote == nullptr) return false;
      // Escaped when an odd number of backslashes precede it.
      const char* before = quote;
      while (before > from && before[-1] == '\\') --before;
      from = quote + 1;
      if ((quote - before) % 2 == 0) break;
    }
    at_ = static_cast<std::size_t>(from - begin);
    return true;
  }

  // At the first character of a value: moves past the value.
  bool skip_value() {
    if (at_ >= text_.size()) return false;
    char first = text_[at_];
    if (first == '"') return skip_string();
    if (first == '{' || first == '[') {
      std::size_t depth = 0;
      while (at_ < text_.size()) {
        char c = text_[at_];
        if (!kStructural[static_cast<unsigned char>(c)]) {
          ++at_;
          continue;
        }
        if (c == '"') {
          if (!skip_string()) return false;
          continue;
        }
        ++at_;
        if (c == '{' || c == '[') {
          ++depth;
        } else if (--depth == 0) {
          return true;
        }
      }
      return false;
    }
    std::size_t begin = at_;  // a number, true, false or null
    while (at_ < text_.size() && !is_space(text_[at_]) && text_[at_] != ',' && text_[at_] != '}' &&
           text_[at_] != ']') {
      ++at_;
    }
    return at_ > begin;
  }

 private:
  std::string_view text_;
  std::size_t at_ = 0;
};

constexpr auto kNone = std::string_view::npos;

// Where the top-level member `key` is (value_begin == kNone when absent) and where the
// object closes.
struct Located {
  std::size_t value_begin = kNone;
  std::size_t value_end = kNone;
  std::size_t closing_brace = kNone;
  bool any_member = false;
};

// Walks the top-level members. With `stop_at` set, stops after the member whose name's quote
// is there, and fails when the walk passes that point without meeting a member name.
std::optional<Located> scan_members(std::string_view object, std::string_view key,
                                    std::size_t stop_at) {
  Scanner scan(object);
  scan.skip_space();
  if (!scan.next_is('{')) return std::nullopt;
  scan.advance();
  Located located;
  for (;;) {
    scan.skip_space();
    if (scan.next_is('}')) break;
    if (located.any_member) {
      if (!scan.next_is(',')) return std::nullopt;
      scan.advance();
      scan.skip_space();
    }
    if (!scan.next_is('"') || scan.at() > stop_at) return std::nullopt;
    std::size_t name_quote = scan.at();
    if (!scan.skip_string()) return std::nullopt;
    std::string_view name = object.substr(name_quote + 1, scan.at() - 2 - name_quote);
    if (name.find('\\') != std::string_view::npos) return std::nullopt;
    scan.skip_space();
    if (!scan.next_is(':')) return std::nullopt;
    scan.advance();
    scan.skip_space();
    std::size_t begin = scan.at();
    if (!scan.skip_value()) return std::nullopt;
    if (name == key) {
      if (located.value_begin != kNone) return std::nullopt;  // which one counts is the parser's
      located.value_begin = begin;
      located.value_end = scan.at();
    }
    located.any_member = true;
    if (name_quote == stop_at) return located;
  }
  if (stop_at != kNone) return std::nullopt;
  located.closing_brace = scan.at();
  return located;
}

}  // namespace

std::optional<std::string> set_top_level_string(std::string_view object, std::string_view key,
                                                std::string_view value) {
  auto located = scan_members(object, key, kNone);
  if (!located) return std::nullopt;

  std::string quoted = boost::json::serialize(boost::json::string_view(value.data(), value.size()));
  std::string edited;
  edited.reserve(object.size() + quoted.size() + key.size() + 4);
  if (located->value_begin != kNone) {
    edited.append(object.substr(0, located->value_begin));
    edited.append(quoted);
    edited.append(object.substr(located->value_end));
  } else {
    edited.append(object.substr(0, located->closing_brace));
    if (located->any_member) edited.push_back(',');
    edited.push_back('"');
    edited.append(key);
    edited.append("\":");
    edited.append(quoted);
    edited.append(object.substr(located->closing_brace));
  }
  return edited;
}

}  // namespace chat
