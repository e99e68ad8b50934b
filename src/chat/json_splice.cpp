#include "chat/json_splice.hpp"

#include <array>
#include <bit>
#include <cstddef>
#include <utility>

#include <boost/json/serialize.hpp>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace chat {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Characters a scan between strings must stop at: quotes and brackets.
constexpr std::array<bool, 256> kStructural = [] {
  std::array<bool, 256> table{};
  for (unsigned char c : std::string_view("\"{}[]")) table[c] = true;
  return table;
}();

// The first quote or bracket in [at, end), or end. Sixteen bytes a step where SSE2 is
// there (every x86-64): `[` and `]` are `{` and `}` without bit 0x20.
const char* find_structural(const char* at, const char* end) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i bit_0x20 = _mm_set1_epi8(0x20);
  const __m128i open = _mm_set1_epi8('{');
  const __m128i close = _mm_set1_epi8('}');
  while (end - at >= 16) {
    __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
    __m128i folded = _mm_or_si128(bytes, bit_0x20);
    __m128i hits =
        _mm_or_si128(_mm_cmpeq_epi8(bytes, quote),
                     _mm_or_si128(_mm_cmpeq_epi8(folded, open), _mm_cmpeq_epi8(folded, close)));
    if (int mask = _mm_movemask_epi8(hits)) {
      return at + std::countr_zero(static_cast<unsigned>(mask));
    }
    at += 16;
  }
#endif
  while (at < end && !kStructural[static_cast<unsigned char>(*at)]) ++at;
  return at;
}

// The first quote or backslash in [at, end), or end.
const char* find_quote_or_backslash(const char* at, const char* end) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  while (end - at >= 16) {
    __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
    __m128i hits = _mm_or_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(bytes, backslash));
    if (int mask = _mm_movemask_epi8(hits)) {
      return at + std::countr_zero(static_cast<unsigned>(mask));
    }
    at += 16;
  }
#endif
  while (at < end && *at != '"' && *at != '\\') ++at;
  return at;
}

// Walks a JSON text that a strict parser accepted; every step still checks its bounds so
// that a text that was not accepted fails instead of reading past the end.
class Scanner {
 public:
  explicit Scanner(std::string_view text)
      : begin_(text.data()), end_(text.data() + text.size()), at_(begin_) {}

  std::size_t at() const { return static_cast<std::size_t>(at_ - begin_); }
  bool next_is(char c) const { return at_ < end_ && *at_ == c; }
  void advance() { ++at_; }
  void skip_space() {
    while (at_ < end_ && is_space(*at_)) ++at_;
  }

  // At an opening quote: moves past the closing one. `escaped` is set when the string holds
  // an escape.
  bool skip_string(bool& escaped) {
    const char* at = at_ + 1;
    for (;;) {
      at = find_quote_or_backslash(at, end_);
      if (at == end_) return false;
      if (*at == '"') break;
      escaped = true;
      if (end_ - at < 2) return false;
      at += 2;  // the backslash and the character it escapes
    }
    at_ = at + 1;
    return true;
  }

  // At the first character of a value: moves past the value.
  bool skip_value() {
    if (at_ >= end_) return false;
    char first = *at_;
    bool escaped = false;
    if (first == '"') return skip_string(escaped);
    if (first == '{' || first == '[') {
      std::size_t depth = 0;
      for (;;) {
        at_ = find_structural(at_, end_);
        if (at_ == end_) return false;
        char c = *at_;
        if (c == '"') {
          if (!skip_string(escaped)) return false;
          continue;
        }
        ++at_;
        if (c == '{' || c == '[') {
          ++depth;
        } else if (--depth == 0) {
          return true;
        }
      }
    }
    const char* begin = at_;  // a number, true, false or null
    while (at_ < end_ && !is_space(*at_) && *at_ != ',' && *at_ != '}' && *at_ != ']') ++at_;
    return at_ > begin;
  }

 private:
  const char* begin_;
  const char* end_;
  const char* at_;
};

constexpr auto kNone = std::string_view::npos;
constexpr std::size_t kMaxEdits = 4;

// Where an edited member sits in the text; name_quote == kNone when it is absent.
struct Member {
  std::size_t name_quote = kNone;
  std::size_t comma_before = kNone;  // kNone for the first member
  std::size_t value_begin = kNone;
  std::size_t value_end = kNone;
  std::size_t next_name_quote = kNone;  // kNone for the last member
};

struct Layout {
  std::array<Member, kMaxEdits> members;  // by edit
  std::size_t member_count = 0;
  std::size_t closing_brace = kNone;
};

// Walks the top-level members, noting where the edited ones are.
std::optional<Layout> scan_members(std::string_view object, std::span<const MemberEdit> edits) {
  Scanner scan(object);
  scan.skip_space();
  if (!scan.next_is('{')) return std::nullopt;
  scan.advance();
  Layout layout;
  Member* waiting_for_next = nullptr;
  for (;;) {
    scan.skip_space();
    if (scan.next_is('}')) break;
    std::size_t comma = kNone;
    if (layout.member_count > 0) {
      if (!scan.next_is(',')) return std::nullopt;
      comma = scan.at();
      scan.advance();
      scan.skip_space();
    }
    if (!scan.next_is('"')) return std::nullopt;
    std::size_t name_quote = scan.at();
    if (waiting_for_next != nullptr) waiting_for_next->next_name_quote = name_quote;
    waiting_for_next = nullptr;
    bool escaped = false;
    if (!scan.skip_string(escaped) || escaped) return std::nullopt;
    std::string_view name = object.substr(name_quote + 1, scan.at() - 2 - name_quote);
    scan.skip_space();
    if (!scan.next_is(':')) return std::nullopt;
    scan.advance();
    scan.skip_space();
    std::size_t begin = scan.at();
    if (!scan.skip_value()) return std::nullopt;
    for (std::size_t edit = 0; edit < edits.size(); ++edit) {
      if (name != edits[edit].key) continue;
      auto& member = layout.members[edit];
      if (member.name_quote != kNone) return std::nullopt;  // which one counts is the parser's
      member = Member{name_quote, comma, begin, scan.at(), kNone};
      waiting_for_next = &member;
      break;
    }
    ++layout.member_count;
  }
  layout.closing_brace = scan.at();
  return layout;
}

// A range of the text replaced by other text.
struct Splice {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::string_view replacement;
};

}  // namespace

bool append_edited_object(std::string& out, std::string_view object,
                          std::span<const MemberEdit> edits) {
  if (edits.size() > kMaxEdits) return false;
  auto layout = scan_members(object, edits);
  if (!layout) return false;

  std::array<Splice, kMaxEdits> splices;
  std::size_t splice_count = 0;
  std::size_t members_left = layout->member_count;
  for (std::size_t edit = 0; edit < edits.size(); ++edit) {
    const auto& member = layout->members[edit];
    if (member.name_quote == kNone) continue;
    auto& splice = splices[splice_count++];
    if (!edits[edit].json_value.empty()) {
      splice = Splice{member.value_begin, member.value_end, edits[edit].json_value};
      continue;
    }
    --members_left;
    // A removed member takes one comma with it: the one before it, else the one after it.
    if (member.comma_before != kNone) {
      splice = Splice{member.comma_before, member.value_end, {}};
    } else if (member.next_name_quote != kNone) {
      splice = Splice{member.name_quote, member.next_name_quote, {}};
    } else {
      splice = Splice{member.name_quote, member.value_end, {}};
    }
  }
  for (std::size_t at = 1; at < splice_count; ++at) {  // in text order; there are few
    for (std::size_t back = at; back > 0 && splices[back].begin < splices[back - 1].begin; --back) {
      std::swap(splices[back], splices[back - 1]);
    }
  }
  for (std::size_t at = 1; at < splice_count; ++at) {
    if (splices[at - 1].end > splices[at].begin) return false;  // two adjacent removals
  }

  std::size_t from = 0;
  for (std::size_t at = 0; at < splice_count; ++at) {
    out.append(object.substr(from, splices[at].begin - from));
    out.append(splices[at].replacement);
    from = splices[at].end;
  }
  out.append(object.substr(from, layout->closing_brace - from));
  for (std::size_t edit = 0; edit < edits.size(); ++edit) {
    if (layout->members[edit].name_quote != kNone || edits[edit].json_value.empty()) continue;
    if (members_left++ > 0) out.push_back(',');
    out.push_back('"');
    out.append(edits[edit].key);
    out.append("\":");
    out.append(edits[edit].json_value);
  }
  out.append(object.substr(layout->closing_brace));
  return true;
}

std::optional<std::string> set_top_level_string(std::string_view object, std::string_view key,
                                                std::string_view value) {
  std::string quoted = boost::json::serialize(boost::json::string_view(value.data(), value.size()));
  const MemberEdit edit{key, quoted};
  std::string edited;
  edited.reserve(object.size() + quoted.size() + key.size() + 4);
  if (!append_edited_object(edited, object, std::span(&edit, 1))) return std::nullopt;
  return edited;
}

}  // namespace chat
