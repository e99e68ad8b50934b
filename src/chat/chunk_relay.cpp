#include "chat/chunk_relay.hpp"

#include <cstring>

#include <boost/json/serialize.hpp>

#include "chat/json_splice.hpp"

namespace chat {
namespace {

namespace json = boost::json;

bool has_line_break(std::string_view text) {
  return std::memchr(text.data(), '\n', text.size()) != nullptr ||
         std::memchr(text.data(), '\r', text.size()) != nullptr;
}

}  // namespace

ChunkRelay::ChunkRelay(std::string_view model_name, bool include_usage)
    : model_name_(model_name),
      quoted_model_name_(json::serialize(json::string_view(model_name.data(), model_name.size()))),
      include_usage_(include_usage) {}

void ChunkRelay::append_event(providers::StreamChunk& chunk, std::string& events) const {
  auto& object = chunk.object;
  if (!include_usage_) {
    // The upstream was asked for usage on the client's behalf: keep it to ourselves.
    auto* choices = object.if_contains("choices");
    bool usage_only = choices && choices->is_array() && choices->get_array().empty();
    if (usage_only && object.contains("usage")) return;
  }
  events += "data: ";
  if (!append_spliced(chunk, events)) {
    object["model"] = model_name_;
    if (!include_usage_) object.erase("usage");
    events += json::serialize(object);
  }
  events += "\n\n";
}

bool ChunkRelay::append_spliced(const providers::StreamChunk& chunk, std::string& events) const {
  // An event's data may span lines (JSON whitespace); an SSE data line cannot.
  if (chunk.text.empty() || has_line_break(chunk.text)) return false;
  const MemberEdit edits[] = {{"model", quoted_model_name_}, {"usage", {}}};
  return append_edited_object(events, chunk.text, std::span(edits, include_usage_ ? 1 : 2));
}

}  // namespace chat
