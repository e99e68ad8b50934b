#pragma once
// Bedrock's failures in the OpenAI error shape. Bedrock names each failure with an exception
// type (x-amzn-ErrorType header or "__type" in the body for whole answers, the
// :exception-type header in event streams); the type decides the client's status.

#include <string>
#include <string_view>

#include "http/message.hpp"
#include "providers/provider.hpp"

namespace providers::bedrock {

// "ThrottlingException" from "ThrottlingException:http://internal.amazon.com/coral/...",
// "com.amazon.coral#ThrottlingException" or "throttlingException"; "" when none.
std::string normalize_exception_type(std::string_view raw);

// The client's error for a Bedrock exception. `http_status` is the upstream status (0 inside
// a stream), used when the type is unknown.
ApiError map_bedrock_exception(std::string_view exception_type, std::string_view message,
                               int http_status, const http::Headers& headers);

// A non-2xx Converse answer: type from the header or body, message from the body.
ApiError map_bedrock_error_response(int status, const http::Headers& headers,
                                    std::string_view body);

}  // namespace providers::bedrock
