#pragma once
// OpenAI's error shape, {"error": {"message", "type", "param", "code"}}, so that OpenAI SDKs
// raise the right exception.

#include <string>

#include "core/result.hpp"
#include "providers/provider.hpp"

namespace chat {

std::string render_openai_error(const providers::ApiError& error);
// A gateway-side error (bad input, unknown id ...) in the same shape.
providers::ApiError api_error_from(const core::Error& error);
providers::ApiError make_api_error(int status, std::string message, std::string type,
                                   std::string code, std::string param = {});

}  // namespace chat
