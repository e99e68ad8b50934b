#include "records/inline_media.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "core/api_key.hpp"
#include "core/base64.hpp"

namespace records {
namespace {

namespace json = boost::json;

// Whether `text` under `key` is inline data to leave out: a large data: URL as an image
// part's `url` or a file part's `file_data`, or an input_audio part's `data` (bare base64).
// Only those keys: a message's text may well start with "data:" (a pasted SSE log).
bool is_inline_data(std::string_view key, const json::string& text, bool in_audio) {
  if (text.size() < kSmallInlineData) return false;
  if (in_audio && key == "data") return true;
  return (key == "url" || key == "file_data") && std::string_view(text).starts_with("data:");
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

}  // namespace

std::string inline_media_note(std::string_view data, std::string_view kind) {
  std::string type(kind);
  std::string_view payload = data;
  bool base64 = true;
  if (data.starts_with("data:")) {
    const auto comma = data.find(',');
    const std::string_view header = data.substr(5, comma == std::string_view::npos ? 0 : comma - 5);
    payload = comma == std::string_view::npos ? std::string_view() : data.substr(comma + 1);
    base64 = header.ends_with(";base64");
    type = std::string(header.substr(0, header.find(';')));
    if (type.empty()) type = "text/plain";  // RFC 2397's default
  }
  std::string bytes;
  if (base64) {
    if (auto decoded = core::base64_decode(payload)) bytes = std::move(*decoded);
  }
  const std::string_view hashed = bytes.empty() ? payload : std::string_view(bytes);
  return "[not stored: " + type + ", " + std::to_string(hashed.size()) + " bytes, sha256 " +
         core::sha256_hex(hashed) + "]";
}

std::string whole_prompt_text(const json::array& messages, bool keep_media) {
  if (keep_media) return json::serialize(messages);
  auto any = [](const json::string& text, std::string_view key, bool in_audio) {
    return is_inline_data(key, text, in_audio);
  };
  bool found = false;
  for (const auto& message : messages) {
    if ((found = visit_strings(message, "", false, any))) break;
  }
  if (!found) return json::serialize(messages);
  // Only a request with inline media pays for a copy of its messages.
  json::value copy(messages);
  auto replace = [](json::string& text, std::string_view key, bool in_audio) {
    if (is_inline_data(key, text, in_audio)) {
      text = inline_media_note(text, in_audio ? std::string_view("audio") : std::string_view());
    }
    return false;
  };
  visit_strings(copy, "", false, replace);
  return json::serialize(copy);
}

}  // namespace records
