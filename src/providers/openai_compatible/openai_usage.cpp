#include "providers/openai_compatible/openai_usage.hpp"

#include <algorithm>

#include <boost/json/parse.hpp>

#include "core/utf8.hpp"
#include "providers/token_count.hpp"

namespace providers {

Usage read_openai_usage(const boost::json::value& value) {
  Usage usage;
  if (!value.is_object()) return usage;
  const auto& object = value.get_object();
  auto prompt = token_count(object, "prompt_tokens");
  auto completion = token_count(object, "completion_tokens");
  if (!prompt || !completion) return usage;  // not trusted: the tokens are estimated instead
  usage.prompt_tokens = *prompt;
  usage.completion_tokens = *completion;
  if (auto* details = object.if_contains("prompt_tokens_details");
      details && details->is_object()) {
    usage.cached_tokens = token_count(details->get_object(), "cached_tokens").value_or(0);
  }
  if (auto* details = object.if_contains("completion_tokens_details");
      details && details->is_object()) {
    usage.reasoning_tokens = token_count(details->get_object(), "reasoning_tokens").value_or(0);
  }
  usage.reported = true;
  return usage;
}

boost::json::object write_openai_usage(const Usage& usage) {
  boost::json::object object;
  object["prompt_tokens"] = usage.prompt_tokens;
  object["completion_tokens"] = usage.completion_tokens;
  object["total_tokens"] = usage.prompt_tokens + usage.completion_tokens;
  object["prompt_tokens_details"] = boost::json::object{{"cached_tokens", usage.cached_tokens}};
  return object;
}

std::string openai_error_message(std::string_view body) {
  boost::system::error_code ec;
  auto parsed = boost::json::parse(body, ec);
  if (!ec && parsed.is_object()) {
    const auto& object = parsed.get_object();
    if (auto* error = object.if_contains("error")) {
      if (error->is_object()) {
        if (auto* message = error->get_object().if_contains("message");
            message && message->is_string()) {
          return std::string(message->get_string());
        }
      } else if (error->is_string()) {
        return std::string(error->get_string());
      }
    }
    if (auto* message = object.if_contains("message"); message && message->is_string()) {
      return std::string(message->get_string());
    }
  }
  constexpr std::size_t kMaxEcho = 300;
  return std::string(core::utf8_prefix(body, kMaxEcho));
}

}  // namespace providers
