#include "store/sqlite/fts.hpp"

#include <vector>

#include "store/sqlite/search_tokenizer.hpp"

namespace store::sqlite {

namespace {

bool is_separator(char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; }

// The tokenizer (unicode61 underneath) keeps ASCII letters and digits and drops every other ASCII
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

// Whether the word's last token is a CJK character (a token of one character, so a prefix
// of it finds only itself): its last code point that is not punctuation (ASCII, or CJK and
// fullwidth punctuation such as 。 and ，) decides. Bytes that are not UTF-8 (q is any
// percent-decoded bytes) decide "no": the marker then stays, which is never wrong.
bool ends_in_character_token(std::string_view word) {
  char32_t last = 0;
  for (std::size_t i = 0; i < word.size();) {
    const auto lead = static_cast<unsigned char>(word[i]);
    if (lead < 0x80) {
      if (may_hold_a_token(word.substr(i, 1))) last = lead;
      ++i;
      continue;
    }
    const std::size_t length = lead >= 0xC2 && lead < 0xE0   ? 2
                               : lead >= 0xE0 && lead < 0xF0 ? 3
                               : lead >= 0xF0 && lead < 0xF5 ? 4
                                                             : 0;
    if (length == 0 || i + length > word.size()) return false;
    char32_t code_point = lead & (0x7F >> length);
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(word[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code_point = (code_point << 6) | (next & 0x3F);
    }
    i += length;
    const bool punctuation =
        (code_point >= 0x3000 && code_point <= 0x303F && !is_character_token(code_point)) ||
        (code_point >= 0xFF00 && code_point <= 0xFF0F);
    if (!punctuation) last = code_point;
  }
  return is_character_token(last);
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
  // FTS5 reads a prefix by merging every match of it first; a CJK character's prefix is
  // the character itself, which it reads lazily, newest first, without the marker.
  if (!ends_in_character_token(words.back())) query += '*';
  return query;
}

}  // namespace store::sqlite
