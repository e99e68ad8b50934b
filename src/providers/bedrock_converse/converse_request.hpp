#pragma once
// An OpenAI chat completion request turned into a Bedrock Converse request body:
//   system/developer messages      -> system[] (wherever they appear)
//   user / assistant / tool turns  -> messages[] with text, image, toolUse, toolResult blocks;
//                                     tool results travel in user turns, and consecutive turns
//                                     of one role are merged (Bedrock requires alternation)
//   max_(completion_)tokens, temperature, top_p, stop -> inferenceConfig
//   tools, tool_choice             -> toolConfig
// Fields Converse has no place for (seed, penalties, response_format, user) are dropped.

#include <cstdint>

#include <boost/json/object.hpp>

#include "core/result.hpp"

namespace providers::bedrock {

struct ConverseOptions {
  std::int64_t default_max_tokens = 0;  // used when the client names no limit; 0: none
  std::int64_t thinking_budget = 0;     // extended thinking budget in tokens; 0: off
};

// Errors are 400s that name the client's field ("messages[2].content[0].image_url.url").
core::Result<boost::json::object> to_converse_request(const boost::json::object& openai,
                                                      const ConverseOptions& options);

}  // namespace providers::bedrock
