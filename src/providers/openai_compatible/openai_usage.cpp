#include "providers/openai_compatible/openai_usage.hpp"

#include <algorithm>

#include <boost/json/parse.hpp>

namespace providers {
namespace {

std::int64_t int_field(const boost::json::object& object, std::string_view key) {
  auto* value = object.if_contains(key);
  if (!value) return 0;
  // Token counts feed billing: anything negative, fractional or absurd counts as 0.
  constexpr std::int64_t kMaxTokens = 1'000'000'000'000;
  if (value->is_int64()) return std::clamp<std::int64_t>(value->get_int64(), 0, kMaxTokens);
  if (value->is_uint64())
    return static_cast<std::int64_t>(std::min<std::uint64_t>(value->get_uint64(), kMaxTokens));
  if (value->is_double()) {
    double number = value->get_double();
    return number >= 0 && number <= static_cast<double>(kMaxTokens)
               ? static_cast<std::int64_t>(number)
               : 0;
  }
  return 0;
}

}  // namespace

Usage read_openai_usage(const boost::json::value& value) {
  Usage usage;
  if (!value.is_object()) return usage;
  const auto& object = value.get_object();
  usage.prompt_tokens = int_field(object, "prompt_tokens");
  usage.completion_tokens = int_field(object, "completion_tokens");
  if (auto* details = object.if_contains("prompt_tokens_details");
      details && details->is_object()) {
    usage.cached_tokens = int_field(details->get_object(), "cached_tokens");
  }
  if (auto* details = object.if_contains("completion_tokens_details");
      details && details->is_object()) {
    usage.reasoning_tokens = int_field(details->get_object(), "reasoning_tokens");
  }
  usage.reported = true;
  return usage;
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
  return std::string(body.substr(0, kMaxEcho));
}

}  // namespace providers
