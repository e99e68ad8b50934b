#include "bots/feishu/event.hpp"

#include <algorithm>
#include <charconv>

#include <boost/json/parse.hpp>

namespace bots::feishu {
namespace {

namespace json = boost::json;

std::string string_at(const json::object& object, std::string_view field) {
  auto* value = object.if_contains(field);
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

const json::object* object_at(const json::object& object, std::string_view field) {
  auto* value = object.if_contains(field);
  return value && value->is_object() ? &value->get_object() : nullptr;
}

core::Error required(std::string field) {
  return core::Error::bad_request(field + ": required", field);
}

std::string_view trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  auto last = text.find_last_not_of(kSpace);
  return text.substr(first, last - first + 1);
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  if (from.empty()) return;
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

bool is_bot(const Mention& mention, std::string_view bot_open_id) {
  return !bot_open_id.empty() && mention.open_id == bot_open_id;
}

}  // namespace

core::Result<Envelope> parse_envelope(const json::value& body) {
  if (!body.is_object()) return core::Error::bad_request("the event body must be a JSON object");
  const auto& object = body.get_object();
  Envelope envelope;
  if (string_at(object, "type") == "url_verification") {
    envelope.kind = EnvelopeKind::kUrlVerification;
    envelope.token = string_at(object, "token");
    envelope.challenge = string_at(object, "challenge");
    if (envelope.challenge.empty()) return required("challenge");
    return envelope;
  }
  envelope.kind = EnvelopeKind::kEvent;
  envelope.schema = string_at(object, "schema");
  if (const auto* event = object_at(object, "event")) envelope.event = *event;
  if (envelope.schema.empty()) {
    // Schema 1.0: {"uuid", "token", "type": "event_callback", "event": {"type", ...}}.
    envelope.token = string_at(object, "token");
    envelope.event_id = string_at(object, "uuid");
    envelope.event_type = string_at(envelope.event, "type");
    return envelope;
  }
  const auto* header = object_at(object, "header");
  if (!header) return required("header");
  envelope.token = string_at(*header, "token");
  envelope.event_id = string_at(*header, "event_id");
  envelope.event_type = string_at(*header, "event_type");
  // Feishu sends it as a string of digits; anything else counts as absent.
  if (const auto* created = header->if_contains("create_time")) {
    if (created->is_int64()) {
      envelope.created_ms = created->get_int64();
    } else if (created->is_string()) {
      std::string_view text = created->get_string();
      std::int64_t value = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec == std::errc() && end == text.data() + text.size()) envelope.created_ms = value;
    }
  }
  if (envelope.event_id.empty()) return required("header.event_id");
  if (envelope.event_type.empty()) return required("header.event_type");
  return envelope;
}

core::Result<IncomingMessage> parse_message_event(const json::object& event) {
  const auto* message = object_at(event, "message");
  if (!message) return required("event.message");
  IncomingMessage incoming;
  incoming.message_id = string_at(*message, "message_id");
  incoming.chat_id = string_at(*message, "chat_id");
  incoming.message_type = string_at(*message, "message_type");
  if (incoming.message_id.empty()) return required("event.message.message_id");
  if (incoming.chat_id.empty()) return required("event.message.chat_id");
  auto chat_type = string_at(*message, "chat_type");
  incoming.chat_type = chat_type == "p2p"     ? ChatType::kP2p
                       : chat_type == "group" ? ChatType::kGroup
                                              : ChatType::kOther;
  if (const auto* sender = object_at(event, "sender")) {
    incoming.sender_type = string_at(*sender, "sender_type");
  }
  if (incoming.message_type == "text") {
    // content is a JSON document in a string: {"text": "@_user_1 hello"}.
    boost::system::error_code ec;
    auto content = json::parse(string_at(*message, "content"), ec);
    if (ec || !content.is_object()) {
      return core::Error::bad_request("event.message.content: not a JSON object",
                                      "event.message.content");
    }
    incoming.text = string_at(content.get_object(), "text");
  }
  if (auto* mentions = message->if_contains("mentions"); mentions && mentions->is_array()) {
    for (const auto& entry : mentions->get_array()) {
      if (!entry.is_object()) continue;
      Mention mention;
      mention.key = string_at(entry.get_object(), "key");
      mention.name = string_at(entry.get_object(), "name");
      if (const auto* id = object_at(entry.get_object(), "id")) {
        mention.open_id = string_at(*id, "open_id");
      }
      if (!mention.key.empty()) incoming.mentions.push_back(std::move(mention));
    }
  }
  return incoming;
}

bool may_be_for_bot(const IncomingMessage& message) {
  if (message.sender_type == "app") return false;  // never talk to another bot
  if (message.chat_type == ChatType::kP2p) return true;
  return message.chat_type == ChatType::kGroup && !message.mentions.empty();
}

bool addressed_to_bot(const IncomingMessage& message, std::string_view bot_open_id) {
  if (!may_be_for_bot(message)) return false;
  if (message.chat_type == ChatType::kP2p) return true;
  if (bot_open_id.empty()) return true;
  return std::any_of(message.mentions.begin(), message.mentions.end(),
                     [&](const Mention& mention) { return is_bot(mention, bot_open_id); });
}

std::string prompt_text(const IncomingMessage& message, std::string_view bot_open_id) {
  std::string text = message.text;
  // Longest keys first: "@_user_1" must not eat the front of "@_user_10".
  std::vector<const Mention*> mentions;
  for (const auto& mention : message.mentions) mentions.push_back(&mention);
  std::sort(mentions.begin(), mentions.end(),
            [](const Mention* a, const Mention* b) { return a->key.size() > b->key.size(); });
  if (bot_open_id.empty() && message.chat_type == ChatType::kGroup) {
    // Without the bot's id, the mention that opens the message is taken to be the bot.
    auto opening = trim(text);
    for (const auto* mention : mentions) {
      if (opening.starts_with(mention->key)) {
        text = std::string(opening.substr(mention->key.size()));
        break;
      }
    }
  }
  for (const auto* mention : mentions) {
    if (is_bot(*mention, bot_open_id)) {
      replace_all(text, mention->key, "");
    } else {
      replace_all(text, mention->key, "@" + mention->name);
    }
  }
  return std::string(trim(text));
}

}  // namespace bots::feishu
