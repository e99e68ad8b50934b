#pragma once
// JSON text for API answers. Like boost::json::serialize, but doubles (money) are written in
// their shortest plain decimal form ("0.23", not "2.3E-1").

#include <string>

#include <boost/json/value.hpp>

namespace api {

std::string to_json_text(const boost::json::value& value);

}  // namespace api
