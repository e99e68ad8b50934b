#pragma once
// Reading a chat request as a conversation: its opening (which names the session when the
// client sends no Session-Id), its title and its last user message.

#include <string>

#include <boost/json/array.hpp>

namespace records {

// The text of a message's content: a string, or its text parts joined by "\n".
std::string message_text(const boost::json::value& message);
// "o:" + a hash of the system prompt(s) and the first user message; "h:<header>" when the
// client named the session.
std::string session_key(const boost::json::array& messages, const std::string& session_header);
// The first user message, cut to 64 characters (not bytes; UTF-8 stays valid).
std::string session_title(const boost::json::array& messages);
std::string last_user_message(const boost::json::array& messages);
// At most `max_chars` characters of UTF-8 text.
std::string cut_utf8(std::string_view text, std::size_t max_chars);

}  // namespace records
