#include "billing/ledger.hpp"

namespace billing {

core::Money Ledger::effective_month_fee(const store::KeyRow& row) const {
  return row.fee_month == months_.current_month() ? row.month_fee : core::Money();
}

}  // namespace billing
