#include "store/sqlite/fts.hpp"

#include <vector>

namespace store::sqlite {

namespace {

bool is_separator(char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; }

// The unicode61 tokenizer keeps ASCII letters and digits and drops every other ASCII
// character; any non-ASCII byte may start a letter (é, 中), so the tokenizer decides.
bool may_hold_a_token(std::string_view word) {
  for (char c : word) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x80 || (byte >= '0' && byte <= '9') || (byte >= 'a' && byte <= 'z') ||
        (byte >= 'A' && byte <= 'Z')) {
      return true;
    }
  }
  return false;
}

std::string quoted(std::string_view word) {
  std::string text = "\"";
  for (char c : word) {
    if (c == '"') text += '"';
    text += c;
  }
  text += '"';
  return text;
}

}  // namespace

std::optional<std::string> fts_query(std::string_view q) {
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
    if (may_hold_a_token(word)) words.push_back(word);
  }
  if (blank) return std::nullopt;
  if (words.empty()) return std::string("\"\"");
  std::string query;
  for (std::string_view word : words) {
    if (!query.empty()) query += " AND ";
    query += quoted(word);
  }
  query += '*';
  return query;
}

}  // namespace store::sqlite
