#include "api/list_query.hpp"

#include <charconv>

#include <boost/json/object.hpp>

#include "core/utf8.hpp"

namespace api {
namespace {

core::Result<std::optional<std::int64_t>> parse_integer(const std::optional<std::string>& text,
                                                        std::string_view name) {
  if (!text || text->empty()) return std::optional<std::int64_t>();
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size()) {
    return core::Error::bad_request(std::string(name) + ": must be an integer, not '" + *text + "'",
                                    std::string(name));
  }
  return std::optional<std::int64_t>(value);
}

}  // namespace

core::Result<store::ListQuery> read_list_query(const http::Request& request) {
  store::ListQuery query;
  auto limit = parse_integer(request.query_param("limit"), "limit");
  if (!limit) return limit.take_error();
  if (*limit) {
    if (**limit < 1) return core::Error::bad_request("limit: must be at least 1", "limit");
    query.limit = std::min(**limit, kMaxLimit);
  }
  auto offset = parse_integer(request.query_param("offset"), "offset");
  if (!offset) return offset.take_error();
  if (*offset) {
    if (**offset < 0) return core::Error::bad_request("offset: must not be negative", "offset");
    query.offset = **offset;
  }
  auto q = read_text_param(request, "q");
  if (!q) return q.take_error();
  query.q = std::move(*q);
  return query;
}

core::Result<std::string> read_text_param(const http::Request& request, std::string_view name) {
  std::string text = request.query_param(name).value_or("");
  if (!core::is_valid_utf8(text)) {
    return core::Error::bad_request(std::string(name) + ": must be UTF-8 text", std::string(name));
  }
  return text;
}

core::Result<std::optional<std::int64_t>> read_id_param(const http::Request& request,
                                                        std::string_view name) {
  auto id = parse_integer(request.query_param(name), name);
  if (!id) return id.take_error();
  if (*id && **id <= 0) {
    return core::Error::bad_request(std::string(name) + ": must be a positive integer id",
                                    std::string(name));
  }
  return id;
}

core::Result<std::int64_t> parse_path_id(std::string_view text) {
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) {
    return core::Error::bad_request("id: '" + std::string(text) + "' is not a positive integer id",
                                    "id");
  }
  return id;
}

boost::json::value render_page(boost::json::array items, std::int64_t total,
                               const store::ListQuery& query, std::optional<bool> total_exact) {
  boost::json::object page;
  page["items"] = std::move(items);
  page["total"] = total;
  // Only a lower bound is marked: an exact answer keeps the shape it always had.
  if (total_exact && !*total_exact) page["total_exact"] = false;
  page["limit"] = query.limit;
  page["offset"] = query.offset;
  return page;
}

}  // namespace api
