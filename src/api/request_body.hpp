#pragma once
// Reading a JSON request body: 415 for a content type that is clearly not JSON, 400 naming
// the parse error and where it happened.

#include <boost/json/value.hpp>

#include "core/result.hpp"
#include "http/message.hpp"

namespace api {

core::Result<boost::json::value> parse_json_body(const http::Request& request);

}  // namespace api
