#pragma once
// Cost of one request: tokens_in × price_in / 1e6 + tokens_out × price_out / 1e6, with
// prices per one million tokens, computed exactly in 128-bit integers and rounded once, to
// the nearest nano-unit (half up).

#include <cstdint>

#include "core/money.hpp"

namespace billing {

core::Money cost_of(std::int64_t tokens_in, std::int64_t tokens_out, core::Money price_in,
                    core::Money price_out);

// How a cost is paid: first from this month's allowance, the rest from the balance.
struct Split {
  core::Money from_allowance;
  core::Money from_balance;
};
// `month_fee` is this month's spend so far (already 0 after a rollover).
Split split_cost(core::Money cost, core::Money month_quota, core::Money month_fee);

}  // namespace billing
