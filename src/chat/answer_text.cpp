#include "chat/answer_text.hpp"

#include <boost/json/serialize.hpp>

namespace chat {
namespace {

namespace json = boost::json;

const json::object* first_choice_part(const json::object& object, std::string_view field) {
  auto* choices = object.if_contains("choices");
  if (!choices || !choices->is_array() || choices->get_array().empty()) return nullptr;
  const auto& choice = choices->get_array().front();
  if (!choice.is_object()) return nullptr;
  auto* part = choice.get_object().if_contains(field);
  return part && part->is_object() ? &part->get_object() : nullptr;
}

void append_string(json::object& target, std::string_view key, const json::value* piece) {
  if (!piece || !piece->is_string()) return;
  auto& slot = target[key];
  if (!slot.is_string()) slot = "";
  slot.get_string().append(piece->get_string());
}

// The characters of a tool call's name and arguments, as counted for estimates.
std::size_t function_chars(const json::object& call) {
  auto* function = call.if_contains("function");
  if (!function || !function->is_object()) return 0;
  std::size_t chars = 0;
  for (std::string_view field : {"name", "arguments"}) {
    if (auto* value = function->get_object().if_contains(field); value && value->is_string()) {
      chars += value->get_string().size();
    }
  }
  return chars;
}

}  // namespace

void AnswerText::add_chunk(const json::object& chunk) {
  if (const auto* delta = first_choice_part(chunk, "delta")) add_message(*delta, true);
}

void AnswerText::add_completion(const json::object& completion) {
  if (const auto* message = first_choice_part(completion, "message")) add_message(*message, false);
}

void AnswerText::add_message(const json::object& message, bool is_delta) {
  if (auto* content = message.if_contains("content"); content && content->is_string()) {
    if (keep_text_) text_.append(content->get_string());
    generated_chars_ += content->get_string().size();
  }
  if (auto* reasoning = message.if_contains("reasoning_content");
      reasoning && reasoning->is_string()) {
    generated_chars_ += reasoning->get_string().size();
  }
  auto* calls = message.if_contains("tool_calls");
  if (!calls || !calls->is_array()) return;
  for (std::size_t position = 0; position < calls->get_array().size(); ++position) {
    const auto& call = calls->get_array()[position];
    if (!call.is_object()) continue;
    const auto& piece = call.get_object();
    if (!keep_text_) {
      generated_chars_ += function_chars(piece);
      continue;
    }
    // Deltas name their slot by "index"; whole messages list calls in order.
    std::size_t index = position;
    if (is_delta) {
      auto* given = piece.if_contains("index");
      index = given && given->is_int64() && given->get_int64() >= 0
                  ? static_cast<std::size_t>(given->get_int64())
                  : tool_calls_.size();
      if (index > tool_calls_.size() + 64) continue;  // a bogus index must not allocate much
    } else {
      index = tool_calls_.size();
    }
    while (tool_calls_.size() <= index) {
      tool_calls_.push_back(
          json::object{{"id", ""}, {"type", "function"}, {"function", json::object{}}});
    }
    auto& slot = tool_calls_[index].get_object();
    if (auto* id = piece.if_contains("id"); id && id->is_string() && !id->get_string().empty())
      slot["id"] = *id;
    auto* function = piece.if_contains("function");
    if (!function || !function->is_object()) continue;
    auto& target = slot["function"].get_object();
    const auto* name = function->get_object().if_contains("name");
    const auto* arguments = function->get_object().if_contains("arguments");
    append_string(target, "name", name);
    append_string(target, "arguments", arguments);
    if (name && name->is_string()) generated_chars_ += name->get_string().size();
    if (arguments && arguments->is_string()) generated_chars_ += arguments->get_string().size();
  }
}

std::string AnswerText::tool_calls_json() const {
  return tool_calls_.empty() ? std::string() : json::serialize(tool_calls_);
}

}  // namespace chat
