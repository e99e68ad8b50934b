#include "api/json_text.hpp"

#include <charconv>
#include <cmath>

#include <boost/json/serialize.hpp>

namespace api {
namespace {

void write(const boost::json::value& value, std::string& out) {
  switch (value.kind()) {
    case boost::json::kind::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& [key, member] : value.get_object()) {
        if (!first) out.push_back(',');
        first = false;
        out += boost::json::serialize(boost::json::string_view(key));
        out.push_back(':');
        write(member, out);
      }
      out.push_back('}');
      return;
    }
    case boost::json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& element : value.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        write(element, out);
      }
      out.push_back(']');
      return;
    }
    case boost::json::kind::double_: {
      double number = value.get_double();
      if (!std::isfinite(number)) {
        out += "null";
        return;
      }
      // Fixed notation can be long: DBL_MAX has 309 integer digits, the smallest denormal
      // 324 decimals. On error to_chars returns the buffer's end, not the text's.
      char buffer[400];
      auto [end, ec] =
          std::to_chars(buffer, buffer + sizeof buffer, number, std::chars_format::fixed);
      if (ec != std::errc()) {
        out += boost::json::serialize(value);
        return;
      }
      out.append(buffer, end);
      return;
    }
    default:
      out += boost::json::serialize(value);
  }
}

}  // namespace

std::string to_json_text(const boost::json::value& value) {
  std::string out;
  out.reserve(256);
  write(value, out);
  return out;
}

}  // namespace api
