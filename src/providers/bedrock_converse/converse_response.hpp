#pragma once
// A Bedrock Converse answer as an OpenAI chat.completion, and the pieces the stream decoder
// shares: stop reasons, usage, ids.

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/result.hpp"
#include "providers/provider.hpp"

namespace providers::bedrock {

// end_turn/stop_sequence -> stop, max_tokens -> length, tool_use -> tool_calls,
// guardrail_intervened/content_filtered -> content_filter; anything else -> stop.
std::string_view finish_reason(std::string_view stop_reason);

// Bedrock's usage. inputTokens excludes cached input, so prompt_tokens adds the cache reads
// and writes back (OpenAI's prompt_tokens counts all input); cached_tokens = cache reads.
Usage read_converse_usage(const boost::json::value& usage);

// "chatcmpl-" and 24 random hex digits.
std::string new_completion_id();
std::int64_t unix_time_now();

core::Result<Completion> to_openai_completion(std::string_view converse_body);

}  // namespace providers::bedrock
