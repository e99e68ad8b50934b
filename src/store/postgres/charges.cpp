// PostgresStore: charges of finished requests, many per transaction (group commit).

#include <algorithm>

#include "store/postgres/postgres_store.hpp"

namespace store::postgres {

core::Status PostgresStore::apply_charges(const std::vector<Charge>& charges) {
  if (charges.empty()) return core::Ok{};
  auto transaction = Transaction::begin(connection_);
  if (!transaction) return transaction.take_error();
  // Deltas, not absolute values: they compose with recharges and with other gateways'
  // charges. A stored month other than the charge's means the month rolled over: month_fee
  // restarts from this charge.
  for (const auto& charge : charges) {
    auto rows = connection_.exec(
        "UPDATE api_keys SET "
        "month_fee = CASE WHEN fee_month = $1 THEN month_fee + $2 ELSE $2 END, "
        "fee_month = $1, balance = balance - $3, total_fee = total_fee + $4 WHERE id = $5",
        Params()
            .text(charge.month)
            .money(charge.from_allowance)
            .money(charge.from_balance)
            .money(charge.cost)
            .int64(charge.key_id));
    if (!rows) return rows.take_error();
  }
  return transaction->commit();
}

}  // namespace store::postgres
