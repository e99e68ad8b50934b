#pragma once
// The /admin and /user answer shape: {"success": true, "data": ...} or
// {"success": false, "data": "<message>", "error": {"message", "type", "code", "param"}}.

#include <boost/json/value.hpp>

#include "core/result.hpp"
#include "http/message.hpp"

namespace api {

http::Response envelope_ok(boost::json::value data);
http::Response envelope_error(const core::Error& error);
http::Response envelope_error(int status, std::string message);

}  // namespace api
