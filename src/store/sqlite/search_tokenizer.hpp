#pragma once
// The FTS5 tokenizer of the chat records' search index ("llmgate"): SQLite's unicode61
// (words are runs of letters and digits, case- and accent-folded, with the same arguments,
// e.g. `remove_diacritics 2`), except that each Chinese or Japanese character (Han,
// Hiragana, Katakana) is a token of its own. Those languages write no spaces between words,
// so unicode61 makes a whole clause one token, found only by its beginning; one token per
// character lets a quoted string in a query ("数据库", which FTS5 reads as a phrase: the
// characters next to each other) find a word anywhere in the text, even one of two
// characters, as Chinese words mostly are.
//
// No sqlite3_* function is called here, only the fts5_api given: the same file is built into
// the loadable extension for the sqlite3 shell (src/sqlite_extension/).

struct fts5_api;

namespace store::sqlite {

inline constexpr const char* kSearchTokenizer = "llmgate";

// Registers the tokenizer with `api` (the unicode61 tokenizer must be there, as in every
// FTS5 build). An SQLite result code.
int register_search_tokenizer(fts5_api* api);

// Whether a code point is written without spaces between words and so is a token alone.
bool is_character_token(char32_t code_point);

}  // namespace store::sqlite
