#pragma once
// Reading OpenAI's "usage" object and error bodies.

#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "providers/provider.hpp"

namespace providers {

Usage read_openai_usage(const boost::json::value& usage);
// error.message from an OpenAI-style error body, else the body itself (cut short).
std::string openai_error_message(std::string_view body);

}  // namespace providers
