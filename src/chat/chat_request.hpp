#pragma once
// Validation of an OpenAI chat completion request. Errors name the field, e.g.
// "messages[2].role: must be one of system, developer, user, assistant, tool".

#include <boost/json/value.hpp>

#include "core/result.hpp"
#include "providers/provider.hpp"

namespace chat {

// Takes the parsed body (moved into the result on success).
core::Result<providers::ChatRequest> parse_chat_request(boost::json::value body);

}  // namespace chat
