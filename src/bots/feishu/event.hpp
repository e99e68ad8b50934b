#pragma once
// What Feishu posts to the webhook, read into plain values: the envelope (schema 2.0 events,
// the url_verification challenge, and older 1.0 events, which are recognised and ignored)
// and the im.message.receive_v1 message, with the rules for when a message is for the bot
// and what text goes to the model.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/result.hpp"

namespace bots::feishu {

inline constexpr std::string_view kMessageReceiveEvent = "im.message.receive_v1";

enum class EnvelopeKind { kUrlVerification, kEvent };

struct Envelope {
  EnvelopeKind kind = EnvelopeKind::kEvent;
  std::string schema;           // "2.0"; empty for url_verification and 1.0 events
  std::string token;            // header.token (2.0), token (url_verification, 1.0)
  std::string challenge;        // url_verification only
  std::string event_id;         // header.event_id (2.0), uuid (1.0)
  std::string event_type;       // header.event_type (2.0), event.type (1.0)
  std::int64_t created_ms = 0;  // header.create_time (2.0), milliseconds; 0 when absent
  boost::json::object event;
};

// A decrypted body. Errors (400) name what is missing: "header.event_id: required".
core::Result<Envelope> parse_envelope(const boost::json::value& body);

enum class ChatType { kP2p, kGroup, kOther };

struct Mention {
  std::string key;  // "@_user_1", as it stands in the text
  std::string name;
  std::string open_id;
};

struct IncomingMessage {
  std::string message_id;
  std::string chat_id;
  ChatType chat_type = ChatType::kOther;
  std::string message_type;  // "text", "post", "image", ...
  std::string text;          // content.text of a text message, mention keys included
  std::vector<Mention> mentions;
  std::string sender_type;  // "user"; "app" for another bot
};

// The `event` of an im.message.receive_v1 envelope. Errors (400) name the field.
core::Result<IncomingMessage> parse_message_event(const boost::json::object& event);

// Worth a look before anything else: p2p messages, and group messages that mention
// someone (Feishu delivers a group message to a bot only when it is mentioned, unless the
// app may read all group messages).
bool may_be_for_bot(const IncomingMessage& message);

// For the bot: every p2p message; a group message when one of its mentions is the bot.
// An empty bot_open_id (the bot's id could not be learned) counts any mention.
bool addressed_to_bot(const IncomingMessage& message, std::string_view bot_open_id);

// The text for the model: the bot's own mention removed (with an empty bot_open_id, a
// mention at the very start), other mentions written as "@Name", whitespace trimmed.
std::string prompt_text(const IncomingMessage& message, std::string_view bot_open_id);

}  // namespace bots::feishu
