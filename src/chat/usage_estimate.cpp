#include "chat/usage_estimate.hpp"

#include <algorithm>

namespace chat {
namespace {

namespace json = boost::json;

std::size_t string_size(const json::object& object, std::string_view key) {
  auto* value = object.if_contains(key);
  return value && value->is_string() ? value->get_string().size() : 0;
}

// content, reasoning_content and tool_calls[].function.arguments of a message or delta.
std::size_t message_chars(const json::object& message) {
  std::size_t chars = string_size(message, "content") + string_size(message, "reasoning_content");
  if (auto* calls = message.if_contains("tool_calls"); calls && calls->is_array()) {
    for (const auto& call : calls->get_array()) {
      if (!call.is_object()) continue;
      if (auto* function = call.get_object().if_contains("function");
          function && function->is_object()) {
        chars += string_size(function->get_object(), "arguments") +
                 string_size(function->get_object(), "name");
      }
    }
  }
  return chars;
}

std::size_t choices_chars(const json::object& object, std::string_view field) {
  std::size_t chars = 0;
  if (auto* choices = object.if_contains("choices"); choices && choices->is_array()) {
    for (const auto& choice : choices->get_array()) {
      if (!choice.is_object()) continue;
      if (auto* message = choice.get_object().if_contains(field); message && message->is_object()) {
        chars += message_chars(message->get_object());
      }
    }
  }
  return chars;
}

}  // namespace

std::int64_t estimate_tokens(std::size_t chars) {
  return static_cast<std::int64_t>((chars + kCharsPerToken - 1) / kCharsPerToken);
}

std::int64_t estimate_prompt_tokens(const providers::ChatRequest& request) {
  return estimate_tokens(request.prompt_chars) +
         static_cast<std::int64_t>(request.image_count) * kTokensPerImage;
}

std::int64_t output_cap(const providers::ChatRequest& request, std::int64_t model_cap) {
  for (std::string_view key : {"max_completion_tokens", "max_tokens"}) {
    auto* value = request.body.if_contains(key);
    if (value && value->is_int64() && value->get_int64() > 0) return value->get_int64();
    if (value && value->is_uint64())
      return static_cast<std::int64_t>(std::min<std::uint64_t>(value->get_uint64(), INT64_MAX));
  }
  return model_cap > 0 ? model_cap : kDefaultOutputCap;
}

std::size_t generated_chars(const json::object& chunk) { return choices_chars(chunk, "delta"); }

std::size_t generated_chars_whole(const json::object& completion) {
  return choices_chars(completion, "message");
}

}  // namespace chat
