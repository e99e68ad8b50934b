#include "records/inline_media.hpp"

#include <array>
#include <optional>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "core/api_key.hpp"
#include "core/ascii.hpp"

namespace records {
namespace {

namespace json = boost::json;

// Whether `text` under `key` is inline data to leave out: a large data: URL as an image
// part's `url` (or the part's `image_url` itself, which the gateway also takes as a string)
// or a file part's `file_data`, or an input_audio part's `data` (bare base64). Only those
// keys: a message's text may well start with "data:" (a pasted SSE log).
bool is_inline_data(std::string_view key, const json::string& text, bool in_audio) {
  if (text.size() < kSmallInlineData) return false;
  if (in_audio && key == "data") return true;
  return (key == "url" || key == "image_url" || key == "file_data") &&
         std::string_view(text).starts_with("data:");
}

// Calls `found(string, key, in_audio)` for every string value below `value`; stops when it
// returns true and says so.
template <class Value, class Found>
bool visit_strings(Value& value, std::string_view key, bool in_audio, Found& found) {
  if (auto* text = value.if_string()) return found(*text, key, in_audio);
  if (auto* array = value.if_array()) {
    for (auto& item : *array) {
      if (visit_strings(item, key, in_audio, found)) return true;
    }
    return false;
  }
  if (auto* object = value.if_object()) {
    for (auto& member : *object) {
      const bool audio = in_audio || member.key() == "input_audio";
      if (visit_strings(member.value(), member.key(), audio, found)) return true;
    }
  }
  return false;
}

// Base64 as clients write it: the standard or the URL-safe alphabet, padded or not, wrapped
// in lines or not (`base64 file` wraps at 76). nullopt for anything else.
std::optional<std::string> decode_lenient_base64(std::string_view text) {
  static const std::array<signed char, 256> kValues = [] {
    std::array<signed char, 256> values{};
    values.fill(-1);
    for (int i = 0; i < 26; ++i) {
      values['A' + i] = static_cast<signed char>(i);
      values['a' + i] = static_cast<signed char>(26 + i);
    }
    for (int i = 0; i < 10; ++i) values['0' + i] = static_cast<signed char>(52 + i);
    values['+'] = values['-'] = 62;
    values['/'] = values['_'] = 63;
    return values;
  }();
  std::string bytes;
  bytes.reserve(text.size() / 4 * 3 + 3);
  std::uint32_t bits = 0;
  int count = 0;
  bool padding = false;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c == '=') {
      padding = true;
      continue;
    }
    const signed char value = kValues[static_cast<unsigned char>(c)];
    if (value < 0 || padding) return std::nullopt;  // a stray character, or data after '='
    bits = (bits << 6) | static_cast<std::uint32_t>(value);
    if (++count == 4) {
      bytes.push_back(static_cast<char>(bits >> 16));
      bytes.push_back(static_cast<char>(bits >> 8));
      bytes.push_back(static_cast<char>(bits));
      bits = 0;
      count = 0;
    }
  }
  if (count == 1) return std::nullopt;
  if (count == 2) bytes.push_back(static_cast<char>(bits >> 4));
  if (count == 3) {
    bytes.push_back(static_cast<char>(bits >> 10));
    bytes.push_back(static_cast<char>(bits >> 2));
  }
  return bytes;
}

}  // namespace

std::string inline_media_note(std::string_view data, std::string_view kind) {
  std::string type(kind);
  std::string_view payload = data;
  bool base64 = true;
  if (data.starts_with("data:")) {
    const auto comma = data.find(',');
    const std::string_view header =
        data.substr(5, comma == std::string_view::npos ? std::string_view::npos : comma - 5);
    payload = comma == std::string_view::npos ? std::string_view() : data.substr(comma + 1);
    base64 = core::ascii_lower(header).ends_with(";base64");
    type = std::string(header.substr(0, header.find_first_of(";,")));
    if (type.empty()) type = "text/plain";  // RFC 2397's default
  }
  if (base64) {
    if (auto bytes = decode_lenient_base64(payload)) {
      return "[not stored: " + type + ", " + std::to_string(bytes->size()) + " bytes, sha256 " +
             core::sha256_hex(*bytes) + "]";
    }
  }
  // Not base64 (a percent-encoded SVG, or broken data): the text as it came is measured.
  return "[not stored: " + type + ", " + std::to_string(payload.size()) +
         " characters of text, sha256 of the text " + core::sha256_hex(payload) + "]";
}

std::string whole_prompt_text(json::array& messages, bool keep_media) {
  if (!keep_media) {
    // In place: the record's messages are not read again once written out.
    auto replace = [](json::string& text, std::string_view key, bool in_audio) {
      if (is_inline_data(key, text, in_audio)) {
        text = inline_media_note(text, in_audio ? std::string_view("audio") : std::string_view());
      }
      return false;
    };
    for (auto& message : messages) visit_strings(message, "", false, replace);
  }
  return json::serialize(messages);
}

}  // namespace records
