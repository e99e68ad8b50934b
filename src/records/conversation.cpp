#include "records/conversation.hpp"

#include "core/api_key.hpp"

namespace records {
namespace {

namespace json = boost::json;

std::string_view role_of(const json::value& message) {
  if (!message.is_object()) return {};
  auto* role = message.get_object().if_contains("role");
  return role && role->is_string() ? std::string_view(role->get_string()) : std::string_view();
}

}  // namespace

std::string message_text(const json::value& message) {
  if (!message.is_object()) return {};
  auto* content = message.get_object().if_contains("content");
  if (!content) return {};
  if (content->is_string()) return std::string(content->get_string());
  std::string text;
  if (content->is_array()) {
    for (const auto& part : content->get_array()) {
      if (!part.is_object()) continue;
      auto* piece = part.get_object().if_contains("text");
      if (!piece || !piece->is_string()) continue;
      if (!text.empty()) text += "\n";
      text.append(piece->get_string());
    }
  }
  return text;
}

std::string session_key(const json::array& messages, const std::string& session_header) {
  if (!session_header.empty()) return "h:" + session_header;
  std::string opening;
  for (const auto& message : messages) {
    auto role = role_of(message);
    if (role == "system" || role == "developer") {
      opening += message_text(message);
      opening += '\x1e';
    } else if (role == "user") {
      opening += '\x1f';
      opening += message_text(message);
      break;
    }
  }
  return "o:" + core::sha256_hex(opening).substr(0, 32);
}

std::string cut_utf8(std::string_view text, std::size_t max_chars) {
  std::size_t chars = 0;
  std::size_t position = 0;
  while (position < text.size() && chars < max_chars) {
    auto lead = static_cast<unsigned char>(text[position]);
    std::size_t length = lead < 0x80           ? 1
                         : (lead >> 5) == 0x6  ? 2
                         : (lead >> 4) == 0xE  ? 3
                         : (lead >> 3) == 0x1E ? 4
                                               : 1;
    if (position + length > text.size()) break;
    position += length;
    ++chars;
  }
  return std::string(text.substr(0, position));
}

std::string session_title(const json::array& messages) {
  for (const auto& message : messages) {
    if (role_of(message) == "user") return cut_utf8(message_text(message), 64);
  }
  return {};
}

std::string last_user_message(const json::array& messages) {
  for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
    if (role_of(*it) == "user") return message_text(*it);
  }
  return {};
}

}  // namespace records
