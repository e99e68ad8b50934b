#include "providers/bedrock_converse/converse_response.hpp"

#include <chrono>

#include <openssl/rand.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/json_numbers.hpp"
#include "providers/bedrock_converse/sigv4.hpp"
#include "providers/openai_compatible/openai_usage.hpp"
#include "providers/token_count.hpp"

namespace providers::bedrock {
namespace {

namespace json = boost::json;

const json::object* object_field(const json::object& object, std::string_view key) {
  auto* value = object.if_contains(key);
  return value && value->is_object() ? &value->get_object() : nullptr;
}

}  // namespace

std::string_view finish_reason(std::string_view stop_reason) {
  if (stop_reason == "max_tokens" || stop_reason == "model_context_window_exceeded") {
    return "length";
  }
  if (stop_reason == "tool_use") return "tool_calls";
  if (stop_reason == "guardrail_intervened" || stop_reason == "content_filtered") {
    return "content_filter";
  }
  return "stop";
}

Usage read_converse_usage(const json::value& value) {
  Usage usage;
  if (!value.is_object()) return usage;
  const auto& object = value.get_object();
  auto input = token_count(object, "inputTokens");
  auto output = token_count(object, "outputTokens");
  if (!input || !output) return usage;  // not trusted: the tokens are estimated instead
  std::int64_t cache_read = token_count(object, "cacheReadInputTokens").value_or(0);
  std::int64_t cache_write = token_count(object, "cacheWriteInputTokens").value_or(0);
  usage.prompt_tokens = *input + cache_read + cache_write;
  usage.completion_tokens = *output;
  usage.cached_tokens = cache_read;
  usage.reported = true;
  return usage;
}

std::string new_completion_id() {
  unsigned char bytes[12];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    // Ids only need to be unique enough to tell answers apart in logs.
    auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    for (std::size_t i = 0; i < sizeof(bytes); ++i) bytes[i] = static_cast<unsigned char>(now >> i);
  }
  return "chatcmpl-" + to_hex(std::string_view(reinterpret_cast<char*>(bytes), sizeof(bytes)));
}

std::int64_t unix_time_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

core::Result<Completion> to_openai_completion(std::string_view converse_body) {
  boost::system::error_code ec;
  auto parsed = json::parse(converse_body, ec);
  if (ec || !parsed.is_object()) {
    return core::Error::internal("the Bedrock answer is not a JSON object");
  }
  // Written back out, such a number would be `Infinity`: not JSON for the client.
  if (auto path = core::non_finite_number_at(parsed)) {
    return core::Error::internal("the Bedrock answer holds a number out of range at " + *path);
  }
  const auto& answer = parsed.get_object();
  const json::object* output = object_field(answer, "output");
  const json::object* message = output ? object_field(*output, "message") : nullptr;
  auto* content = message ? message->if_contains("content") : nullptr;
  if (!content || !content->is_array()) {
    return core::Error::internal("the Bedrock answer has no output.message.content");
  }

  std::string text;
  std::string reasoning;
  json::array tool_calls;
  for (const auto& block_value : content->get_array()) {
    if (!block_value.is_object()) continue;
    const auto& block = block_value.get_object();
    if (auto* piece = block.if_contains("text"); piece && piece->is_string()) {
      text += piece->get_string();
    } else if (auto* use = object_field(block, "toolUse")) {
      json::object call;
      call["id"] = use->contains("toolUseId") ? use->at("toolUseId") : json::value("");
      call["type"] = "function";
      json::value input = use->contains("input") ? use->at("input") : json::object();
      call["function"] = json::object{{"name", use->contains("name") ? use->at("name") : ""},
                                      {"arguments", json::serialize(input)}};
      tool_calls.push_back(std::move(call));
    } else if (auto* thinking = object_field(block, "reasoningContent")) {
      if (auto* reasoning_text = object_field(*thinking, "reasoningText")) {
        if (auto* piece = reasoning_text->if_contains("text"); piece && piece->is_string()) {
          reasoning += piece->get_string();
        }
      }
    }
  }

  json::object openai_message;
  openai_message["role"] = "assistant";
  // OpenAI sends null content for an answer that is only tool calls.
  if (text.empty() && !tool_calls.empty()) {
    openai_message["content"] = nullptr;
  } else {
    openai_message["content"] = text;
  }
  if (!reasoning.empty()) openai_message["reasoning_content"] = reasoning;
  if (!tool_calls.empty()) openai_message["tool_calls"] = std::move(tool_calls);

  std::string_view stop_reason;
  if (auto* reason = answer.if_contains("stopReason"); reason && reason->is_string()) {
    stop_reason = reason->get_string();
  }
  Completion completion;
  if (auto* usage = answer.if_contains("usage")) completion.usage = read_converse_usage(*usage);

  json::object choice;
  choice["index"] = 0;
  choice["message"] = std::move(openai_message);
  choice["logprobs"] = nullptr;
  choice["finish_reason"] = finish_reason(stop_reason);
  auto& body = completion.body;
  body["id"] = new_completion_id();
  body["object"] = "chat.completion";
  body["created"] = unix_time_now();
  body["model"] = "";
  body["choices"] = json::array{std::move(choice)};
  body["usage"] = write_openai_usage(completion.usage);
  return completion;
}

}  // namespace providers::bedrock
