#include "chat/usage_estimate.hpp"

#include <algorithm>

namespace chat {

std::int64_t estimate_tokens(std::size_t chars) {
  return static_cast<std::int64_t>((chars + kCharsPerToken - 1) / kCharsPerToken);
}

std::int64_t estimate_prompt_tokens(const providers::ChatRequest& request) {
  return estimate_tokens(request.prompt_chars) +
         static_cast<std::int64_t>(request.image_count) * kTokensPerImage;
}

std::int64_t output_cap(const providers::ChatRequest& request, std::int64_t model_cap) {
  for (std::string_view key : {"max_completion_tokens", "max_tokens"}) {
    auto* value = request.body.if_contains(key);
    if (value && value->is_int64() && value->get_int64() > 0) return value->get_int64();
    if (value && value->is_uint64())
      return static_cast<std::int64_t>(std::min<std::uint64_t>(value->get_uint64(), INT64_MAX));
  }
  return model_cap > 0 ? model_cap : kDefaultOutputCap;
}

}  // namespace chat
