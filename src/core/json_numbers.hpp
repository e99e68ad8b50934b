#pragma once
// JSON numbers a double cannot hold. Boost.JSON reads a literal such as 1e400 as infinity
// and writes it back as `Infinity`, which is not JSON: a body passed on to a provider, stored
// as a record or shown by the API would then be unreadable. Such numbers are refused where
// untrusted JSON comes in.

#include <optional>
#include <string>

#include <boost/json/fwd.hpp>

#include "core/result.hpp"

namespace core {

// The path (`messages[2].tool_calls[0]`, `config.maxTokens`) of the first number in `value`
// that is not finite, or nothing. `root` names `value` itself in the path ("" for a body).
std::optional<std::string> non_finite_number_at(const boost::json::value& value,
                                                const std::string& root = {});

// The 400 for such a number, naming its path, or nothing when every number is finite (or the
// only one is `value` itself with no `root`: a body that is not an object is refused anyway).
std::optional<Error> out_of_range_number(const boost::json::value& value,
                                         const std::string& root = {});

}  // namespace core
