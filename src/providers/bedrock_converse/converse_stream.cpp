#include "providers/bedrock_converse/converse_stream.hpp"

#include <boost/json/parse.hpp>

#include "providers/bedrock_converse/bedrock_errors.hpp"
#include "providers/bedrock_converse/converse_response.hpp"
#include "providers/openai_compatible/openai_usage.hpp"

namespace providers::bedrock {
namespace {

namespace json = boost::json;

ApiError stream_error(std::string message) {
  ApiError error;
  error.status = 502;
  error.type = "upstream_error";
  error.code = "upstream_stream_error";
  error.message = std::move(message);
  return error;
}

std::int64_t block_index_of(const json::object& event) {
  auto* index = event.if_contains("contentBlockIndex");
  if (index && index->is_int64()) return index->get_int64();
  if (index && index->is_uint64()) return static_cast<std::int64_t>(index->get_uint64());
  return 0;
}

const json::object* object_field(const json::object& object, std::string_view key) {
  auto* value = object.if_contains(key);
  return value && value->is_object() ? &value->get_object() : nullptr;
}

const json::string* string_field(const json::object& object, std::string_view key) {
  auto* value = object.if_contains(key);
  return value && value->is_string() ? &value->get_string() : nullptr;
}

}  // namespace

ConverseStreamDecoder::ConverseStreamDecoder()
    : id_(new_completion_id()), created_(unix_time_now()) {}

std::optional<ApiError> ConverseStreamDecoder::feed(std::string_view bytes, StreamChunks& chunks) {
  messages_.clear();
  auto corrupt = frames_.feed(bytes, messages_);
  // Messages decoded before a corrupt frame are still relayed.
  for (const auto& message : messages_) {
    if (auto error = on_message(message, chunks)) return error;
  }
  if (corrupt) return stream_error("the Bedrock event stream is corrupt: " + *corrupt);
  return std::nullopt;
}

std::optional<ApiError> ConverseStreamDecoder::finish() {
  if (!frames_.at_message_boundary()) {
    return stream_error("the Bedrock event stream ended inside an event");
  }
  if (!stopped_) return stream_error("the Bedrock stream ended before the answer was complete");
  return std::nullopt;
}

std::optional<ApiError> ConverseStreamDecoder::on_message(const EventMessage& message,
                                                          StreamChunks& chunks) {
  auto message_type = message.string_header(":message-type").value_or("event");
  if (message_type == "exception") {
    auto type = message.string_header(":exception-type").value_or("");
    std::string text;
    boost::system::error_code ec;
    auto payload = json::parse(message.payload, ec);
    if (!ec && payload.is_object()) {
      const auto& object = payload.get_object();
      if (auto* value = string_field(object, "message")) text = std::string(*value);
      if (auto* value = string_field(object, "Message"); value && text.empty()) {
        text = std::string(*value);
      }
    }
    auto error = map_bedrock_exception(type, text, 0, {});
    error.message = "Bedrock failed mid-stream: " + error.message;
    return error;
  }
  if (message_type == "error") {
    auto code = message.string_header(":error-code").value_or("unknown");
    auto text = message.string_header(":error-message").value_or("");
    return stream_error("Bedrock failed mid-stream (" + std::string(code) +
                        "): " + std::string(text));
  }
  if (message_type != "event") return std::nullopt;  // unknown kinds are skipped, as SDKs do

  auto event_type = message.string_header(":event-type");
  if (!event_type) return stream_error("a Bedrock stream event has no :event-type");
  boost::system::error_code ec;
  auto payload = json::parse(message.payload, ec);
  if (ec || !payload.is_object()) {
    return stream_error("the Bedrock event '" + std::string(*event_type) + "' is not JSON");
  }
  on_event(*event_type, payload.get_object(), chunks);
  return std::nullopt;
}

void ConverseStreamDecoder::on_event(std::string_view type, const json::object& event,
                                     StreamChunks& chunks) {
  if (type == "messageStart") {
    chunks.push_back(chunk({{"role", "assistant"}, {"content", ""}}));
  } else if (type == "contentBlockStart") {
    const auto* start = object_field(event, "start");
    const auto* use = start ? object_field(*start, "toolUse") : nullptr;
    if (!use) return;
    json::object function{{"name", use->contains("name") ? use->at("name") : ""},
                          {"arguments", ""}};
    json::object call{{"index", tool_index(block_index_of(event))},
                      {"id", use->contains("toolUseId") ? use->at("toolUseId") : ""},
                      {"type", "function"},
                      {"function", std::move(function)}};
    chunks.push_back(chunk({{"tool_calls", json::array{std::move(call)}}}));
  } else if (type == "contentBlockDelta") {
    on_block_delta(event, chunks);
  } else if (type == "messageStop") {
    std::string_view reason;
    if (auto* value = string_field(event, "stopReason")) reason = *value;
    auto last = chunk({});
    last["choices"].as_array()[0].as_object()["finish_reason"] = finish_reason(reason);
    chunks.push_back(std::move(last));
    stopped_ = true;
  } else if (type == "metadata") {
    if (auto* usage = event.if_contains("usage")) usage_ = read_converse_usage(*usage);
    json::object usage_chunk{{"id", id_},
                             {"object", "chat.completion.chunk"},
                             {"created", created_},
                             {"model", ""},
                             {"choices", json::array()}};
    usage_chunk["usage"] = write_openai_usage(usage_);
    chunks.push_back(std::move(usage_chunk));
  }
  // contentBlockStop and unknown events carry nothing for OpenAI clients.
}

void ConverseStreamDecoder::on_block_delta(const json::object& event, StreamChunks& chunks) {
  const auto* delta = object_field(event, "delta");
  if (!delta) return;
  if (auto* text = string_field(*delta, "text")) {
    chunks.push_back(chunk({{"content", *text}}));
  } else if (const auto* use = object_field(*delta, "toolUse")) {
    const auto* input = string_field(*use, "input");
    json::object call{{"index", tool_index(block_index_of(event))},
                      {"function", {{"arguments", input ? *input : json::string()}}}};
    chunks.push_back(chunk({{"tool_calls", json::array{std::move(call)}}}));
  } else if (const auto* reasoning = object_field(*delta, "reasoningContent")) {
    // Only the text is for clients; signatures and redacted content are opaque to them.
    if (auto* text = string_field(*reasoning, "text")) {
      chunks.push_back(chunk({{"reasoning_content", *text}}));
    }
  }
}

int ConverseStreamDecoder::tool_index(std::int64_t block_index) {
  auto [entry, added] =
      tool_index_by_block_.emplace(block_index, static_cast<int>(tool_index_by_block_.size()));
  return entry->second;
}

json::object ConverseStreamDecoder::chunk(json::object&& delta) const {
  json::object choice;
  choice["index"] = 0;
  choice["delta"] = std::move(delta);
  choice["logprobs"] = nullptr;
  choice["finish_reason"] = nullptr;
  json::object object;
  object["id"] = id_;
  object["object"] = "chat.completion.chunk";
  object["created"] = created_;
  object["model"] = "";
  object["choices"] = json::array{std::move(choice)};
  return object;
}

}  // namespace providers::bedrock
