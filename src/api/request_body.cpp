#include "api/request_body.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/stream_parser.hpp>

#include "core/json_numbers.hpp"
#include "core/lone_surrogates.hpp"

namespace api {
namespace {

// curl -d sends application/x-www-form-urlencoded and many scripts send text/plain; both
// are accepted when the body is JSON. Anything else that names a type is refused.
bool acceptable_content_type(std::string_view type) {
  auto semicolon = type.find(';');
  auto media = type.substr(0, semicolon);
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  if (media.empty()) return true;
  return http::iequals(media, "application/json") || http::iequals(media, "text/plain") ||
         http::iequals(media, "application/x-www-form-urlencoded") ||
         (media.size() > 5 && http::iequals(media.substr(media.size() - 5), "+json"));
}

}  // namespace

core::Result<boost::json::value> parse_json_body(const http::Request& request) {
  if (auto type = request.headers.get("content-type"); type && !acceptable_content_type(*type)) {
    return core::Error{core::ErrorKind::kUnsupportedMediaType,
                       "the request body must be JSON (Content-Type: application/json), not '" +
                           std::string(*type) + "'",
                       {}};
  }
  if (request.body.empty())
    return core::Error::bad_request("the request body is empty; a JSON object is expected");
  // The document lives for one request: its nodes come from one arena (a few blocks instead
  // of an allocation per key and string), freed with the document.
  unsigned char parser_stack[2048];
  boost::json::stream_parser parser({}, {}, parser_stack, sizeof(parser_stack));
  parser.reset(boost::json::make_shared_resource<boost::json::monotonic_resource>(
      std::clamp<std::size_t>(request.body.size() * 2, 1024, 64 * 1024)));
  // Rewritten (same length) only when it holds a lone surrogate escape, which Boost.JSON
  // refuses and JavaScript clients send (core/lone_surrogates.hpp).
  std::optional<std::string> repaired = core::replace_lone_surrogate_escapes(request.body);
  const std::string_view text = repaired ? std::string_view(*repaired) : request.body;
  boost::system::error_code ec;
  std::size_t consumed = parser.write_some(text.data(), text.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec || !parser.done()) {
    return core::Error::bad_request("the request body is not valid JSON: " + ec.message() +
                                    " (at byte " + std::to_string(consumed) + ")");
  }
  if (consumed < text.size()) {
    auto rest = text.substr(consumed);
    if (rest.find_first_not_of(" \t\r\n") != std::string_view::npos) {
      return core::Error::bad_request(
          "the request body is not valid JSON: unexpected data after the value (at byte " +
          std::to_string(consumed) + ")");
    }
  }
  auto value = parser.release();
  if (auto error = core::out_of_range_number(value)) return std::move(*error);
  return value;
}

}  // namespace api
