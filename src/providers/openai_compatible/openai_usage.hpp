#pragma once
// Reading OpenAI's "usage" object and error bodies.

#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "providers/provider.hpp"

namespace providers {

Usage read_openai_usage(const boost::json::value& usage);
// OpenAI's "usage" object for these counts (total, and the cached prompt tokens).
boost::json::object write_openai_usage(const Usage& usage);
// error.message from an OpenAI-style error body, else the body itself (cut short).
std::string openai_error_message(std::string_view body);

}  // namespace providers
