#pragma once
// The `q` of the record lists as an FTS5 query. User text is never FTS5 syntax: every word
// becomes a quoted string, so that quotes, *, ^, :, parentheses, AND/OR/NOT/NEAR and column
// names are plain text.

#include <optional>
#include <string>
#include <string_view>

namespace store::sqlite {

// The words of `q` (split at ASCII whitespace and control characters), each quoted as an
// FTS5 string ("...", a `"` inside doubled) and joined by AND; the last one matches as a
// prefix ("term"*), so that a search typed so far already finds, unless it ends in a Chinese
// or Japanese character (a token alone, search_tokenizer.hpp: "数据库" is a phrase of three). Words
// with no letter or digit (ASCII punctuation only: `"`, `-`, `'`) are dropped: they hold no token
// and would match nothing. nullopt: q is blank, no filter. A q of punctuation only gives `""`, a
// query that matches no row.
std::optional<std::string> fts_query(std::string_view q);

}  // namespace store::sqlite
