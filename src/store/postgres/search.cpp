#include "store/postgres/search.hpp"

#include <vector>

namespace store::postgres {

namespace {

bool is_separator(char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; }

// The parser keeps ASCII letters and digits; any non-ASCII byte may start a letter (é, 中),
// so the parser decides.
bool may_hold_a_word(std::string_view word) {
  for (char c : word) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x80 || (byte >= '0' && byte <= '9') || (byte >= 'a' && byte <= 'z') ||
        (byte >= 'A' && byte <= 'Z')) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::optional<SearchWords> search_words(std::string_view q) {
  std::vector<std::string_view> words;
  bool blank = true;
  std::size_t i = 0;
  while (i < q.size()) {
    if (is_separator(q[i])) {
      ++i;
      continue;
    }
    const std::size_t start = i;
    while (i < q.size() && !is_separator(q[i])) ++i;
    const std::string_view word = q.substr(start, i - start);
    blank = false;
    if (may_hold_a_word(word)) words.push_back(word);
  }
  if (blank) return std::nullopt;
  SearchWords result;
  if (words.empty()) return result;
  for (std::size_t index = 0; index + 1 < words.size(); ++index) {
    if (!result.words.empty()) result.words += ' ';
    result.words += words[index];
  }
  result.last_word = words.back();
  return result;
}

}  // namespace store::postgres
