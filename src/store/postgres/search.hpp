#pragma once
// The `q` of the record lists as the arguments of llmgate_search_query (migration 2), which
// builds the tsquery in the database from lexemes: user text is never parsed as tsquery
// syntax, so &, |, !, :*, quotes and parentheses are plain text.

#include <optional>
#include <string>
#include <string_view>

namespace store::postgres {

struct SearchWords {
  std::string words;      // every word but the last, joined by spaces: all must occur
  std::string last_word;  // matched as a prefix, so that a search typed so far already finds
};

// The words of `q` (split at ASCII whitespace and control characters), as SQLite's
// fts_query takes them: words with no letter or digit (ASCII punctuation only) are dropped.
// nullopt: q is blank, no filter. Empty last_word: q held punctuation only, which matches
// no row.
std::optional<SearchWords> search_words(std::string_view q);

}  // namespace store::postgres
