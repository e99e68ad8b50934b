#include "core/json_numbers.hpp"

#include <cmath>
#include <variant>
#include <vector>

#include <boost/json/value.hpp>

namespace core {
namespace {

using Step = std::variant<std::size_t, boost::json::string_view>;  // array index or object key

// Depth-first; the steps are pushed only on the way back from a hit, so a body of finite
// numbers (every request) allocates nothing.
bool find_non_finite(const boost::json::value& value, std::vector<Step>& steps) {
  switch (value.kind()) {
    case boost::json::kind::double_:
      return !std::isfinite(value.get_double());
    case boost::json::kind::array: {
      const auto& array = value.get_array();
      for (std::size_t i = 0; i < array.size(); ++i) {
        if (find_non_finite(array[i], steps)) {
          steps.emplace_back(i);
          return true;
        }
      }
      return false;
    }
    case boost::json::kind::object:
      for (const auto& member : value.get_object()) {
        if (find_non_finite(member.value(), steps)) {
          steps.emplace_back(member.key());
          return true;
        }
      }
      return false;
    default:
      return false;
  }
}

}  // namespace

std::optional<std::string> non_finite_number_at(const boost::json::value& value,
                                                const std::string& root) {
  std::vector<Step> steps;
  if (!find_non_finite(value, steps)) return std::nullopt;
  std::string path = root;
  for (auto step = steps.rbegin(); step != steps.rend(); ++step) {
    if (const auto* index = std::get_if<std::size_t>(&*step)) {
      path += "[" + std::to_string(*index) + "]";
    } else {
      if (!path.empty()) path += '.';
      path += std::get<boost::json::string_view>(*step);
    }
  }
  return path;
}

std::optional<Error> out_of_range_number(const boost::json::value& value, const std::string& root) {
  auto path = non_finite_number_at(value, root);
  if (!path || path->empty()) return std::nullopt;
  return Error::bad_request(
      "the number at " + *path + " is out of range: a JSON number must fit a double", *path);
}

}  // namespace core
