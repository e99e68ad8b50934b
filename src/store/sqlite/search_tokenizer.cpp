#include "store/sqlite/search_tokenizer.hpp"

#include <sqlite3.h>

#include <cstring>
#include <new>

namespace store::sqlite {
namespace {

struct SplittingTokenizer {
  fts5_tokenizer inner_methods;
  Fts5Tokenizer* inner = nullptr;
};

using TokenCallback = int (*)(void* context, int flags, const char* token, int size, int start,
                              int end);

struct Relay {
  void* context;
  TokenCallback deliver;
  const char* text;  // the text being tokenized, for the pieces' places in it
  int text_size;
};

// The length of the UTF-8 sequence a byte starts (unicode61 writes valid UTF-8) and its
// code point.
int decode(const unsigned char* bytes, int available, char32_t& code_point) {
  const unsigned char lead = bytes[0];
  int length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
  if (length > available) length = available;
  code_point = length == 1 ? lead : lead & (0x7F >> length);
  for (int i = 1; i < length; ++i) code_point = (code_point << 6) | (bytes[i] & 0x3F);
  return length;
}

// Passes unicode61's token on, cut into its non-CJK runs and single CJK characters.
int split_token(void* context, int flags, const char* token, int size, int start, int end) {
  auto* relay = static_cast<Relay*>(context);
  const auto* bytes = reinterpret_cast<const unsigned char*>(token);
  // The first CJK code point (U+3040) is E3 81 80 in UTF-8: a token without a byte from E3
  // up holds none.
  bool maybe = false;
  for (int i = 0; i < size && !maybe; ++i) maybe = bytes[i] >= 0xE3;
  if (!maybe) return relay->deliver(relay->context, flags, token, size, start, end);
  // A piece's place in the text: where its bytes stand, counted from the token's start or
  // from its end (folding may have changed the length of what comes before or after it:
  // "Café数据" folds to a shorter "cafe数据"); else the whole token's. Only highlight() and
  // snippet() read places.
  auto found_at = [&](int place, int from, int to) {
    return place >= start && place + (to - from) <= end && end <= relay->text_size &&
           std::memcmp(relay->text + place, token + from, static_cast<std::size_t>(to - from)) == 0;
  };
  auto piece = [&](int from, int to) {
    int piece_start = start;
    int piece_end = end;
    if (found_at(start + from, from, to)) {
      piece_start = start + from;
      piece_end = start + to;
    } else if (found_at(end - (size - from), from, to)) {
      piece_start = end - (size - from);
      piece_end = piece_start + (to - from);
    }
    const int rc =
        relay->deliver(relay->context, flags, token + from, to - from, piece_start, piece_end);
    flags = 0;  // a colocated mark belongs to the first piece only
    return rc;
  };
  int run = 0;  // where the current run of other characters began
  for (int i = 0; i < size;) {
    char32_t code_point = 0;
    const int length = decode(bytes + i, size - i, code_point);
    if (is_character_token(code_point)) {
      if (i > run) {
        if (const int rc = piece(run, i); rc != SQLITE_OK) return rc;
      }
      if (const int rc = piece(i, i + length); rc != SQLITE_OK) return rc;
      run = i + length;
    }
    i += length;
  }
  if (run < size) return piece(run, size);
  return SQLITE_OK;
}

int create(void* user_data, const char** arguments, int count, Fts5Tokenizer** out) {
  auto* api = static_cast<fts5_api*>(user_data);
  void* inner_data = nullptr;
  fts5_tokenizer inner_methods{};
  if (const int rc = api->xFindTokenizer(api, "unicode61", &inner_data, &inner_methods);
      rc != SQLITE_OK) {
    return rc;
  }
  auto* tokenizer = new (std::nothrow) SplittingTokenizer{inner_methods, nullptr};
  if (tokenizer == nullptr) return SQLITE_NOMEM;
  if (const int rc = inner_methods.xCreate(inner_data, arguments, count, &tokenizer->inner);
      rc != SQLITE_OK) {
    delete tokenizer;
    return rc;
  }
  *out = reinterpret_cast<Fts5Tokenizer*>(tokenizer);
  return SQLITE_OK;
}

void destroy(Fts5Tokenizer* handle) {
  auto* tokenizer = reinterpret_cast<SplittingTokenizer*>(handle);
  tokenizer->inner_methods.xDelete(tokenizer->inner);
  delete tokenizer;
}

int tokenize(Fts5Tokenizer* handle, void* context, int flags, const char* text, int size,
             TokenCallback deliver) {
  auto* tokenizer = reinterpret_cast<SplittingTokenizer*>(handle);
  Relay relay{context, deliver, text, size};
  return tokenizer->inner_methods.xTokenize(tokenizer->inner, &relay, flags, text, size,
                                            split_token);
}

}  // namespace

bool is_character_token(char32_t c) {
  // The kana blocks without what unicode61 takes for separators or marks (゛゜゠・ and the
  // unassigned places), so that q's last character is judged as the text's is.
  const bool kana = (c >= 0x3041 && c <= 0x3096) || c == 0x309D || c == 0x309E || c == 0x309F ||
                    (c >= 0x30A1 && c <= 0x30FA) || (c >= 0x30FC && c <= 0x30FF);
  return kana ||                          // Hiragana, Katakana
         (c >= 0x3005 && c <= 0x3007) ||  // 々 〆 〇
         c == 0x303B || c == 0x303C ||    // 〻 〼
         (c >= 0x31F0 && c <= 0x31FF) ||  // Katakana phonetic extensions
         (c >= 0x3400 && c <= 0x4DBF) ||  // CJK unified ideographs extension A
         (c >= 0x4E00 && c <= 0x9FFF) ||  // CJK unified ideographs
         (c >= 0xF900 && c <= 0xFAFF) ||  // CJK compatibility ideographs
         (c >= 0xFF66 && c <= 0xFF9F) ||  // halfwidth Katakana
         (c >= 0x20000 && c <= 0x323AF);  // extensions B to H
}

int register_search_tokenizer(fts5_api* api) {
  if (api == nullptr || api->iVersion < 2) return SQLITE_ERROR;
  static fts5_tokenizer methods{create, destroy, tokenize};
  return api->xCreateTokenizer(api, kSearchTokenizer, api, &methods, nullptr);
}

}  // namespace store::sqlite
