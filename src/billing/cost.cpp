#include "billing/cost.hpp"

#include <algorithm>
#include <limits>

namespace billing {

core::Money cost_of(std::int64_t tokens_in, std::int64_t tokens_out, core::Money price_in,
                    core::Money price_out) {
  constexpr __int128 kTokensPerPrice = 1'000'000;
  __int128 numerator =
      static_cast<__int128>(std::max<std::int64_t>(tokens_in, 0)) * price_in.nanos() +
      static_cast<__int128>(std::max<std::int64_t>(tokens_out, 0)) * price_out.nanos();
  __int128 nanos = (numerator + kTokensPerPrice / 2) / kTokensPerPrice;
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  return core::Money::from_nanos(nanos > kMax ? kMax : static_cast<std::int64_t>(nanos));
}

Split split_cost(core::Money cost, core::Money month_quota, core::Money month_fee) {
  std::int64_t room = std::max<std::int64_t>(month_quota.nanos() - month_fee.nanos(), 0);
  std::int64_t from_allowance = std::min(room, cost.nanos());
  return {core::Money::from_nanos(from_allowance),
          core::Money::from_nanos(cost.nanos() - from_allowance)};
}

}  // namespace billing
