#pragma once
// List parameters (`limit`, `offset`, `q`, filters) read from the query string, and the list
// answer {"items", "total", "limit", "offset"}. Empty parameters mean "no filter".

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include "core/result.hpp"
#include "http/message.hpp"
#include "store/store.hpp"

namespace api {

inline constexpr std::int64_t kDefaultLimit = 20;
inline constexpr std::int64_t kMaxLimit = 1000;

// limit (default 20, clamped to 1000), offset (default 0), q. Errors name the parameter.
core::Result<store::ListQuery> read_list_query(const http::Request& request);
// A text parameter (q, a name filter), "" when absent. Its percent-decoded bytes must be
// UTF-8 (a 400 naming it otherwise): PostgreSQL refuses other bytes in text, and a filter of
// them could match nothing anyway.
core::Result<std::string> read_text_param(const http::Request& request, std::string_view name);
// An optional integer id filter such as key_id; empty or absent means none.
core::Result<std::optional<std::int64_t>> read_id_param(const http::Request& request,
                                                        std::string_view name);
// The ":id" of a detail path.
core::Result<std::int64_t> parse_path_id(std::string_view text);

// The record lists pass `total_exact`; "total_exact": false is written when `total` is only a
// lower bound (docs/api.md, "Chat records").
boost::json::value render_page(boost::json::array items, std::int64_t total,
                               const store::ListQuery& query,
                               std::optional<bool> total_exact = std::nullopt);

}  // namespace api
