#pragma once
// Token estimates where the upstream reports none: for the admission reservation (before
// the request) and for a stream cut short (after it). One rule, documented in
// docs/billing.md: a token per 3 characters of text (rounded up), 1,000 per image.

#include <cstdint>

#include "providers/provider.hpp"

namespace chat {

inline constexpr std::int64_t kCharsPerToken = 3;
inline constexpr std::int64_t kTokensPerImage = 1000;
// The output cap assumed when neither the request nor the model names one.
inline constexpr std::int64_t kDefaultOutputCap = 4096;

std::int64_t estimate_prompt_tokens(const providers::ChatRequest& request);
std::int64_t estimate_tokens(std::size_t chars);
// max_tokens / max_completion_tokens, else the model's cap, else kDefaultOutputCap.
std::int64_t output_cap(const providers::ChatRequest& request, std::int64_t model_cap);
}  // namespace chat
