// SqliteStore: charges of finished requests, many per transaction (group commit).

#include "store/sqlite/sqlite_store.hpp"

namespace store::sqlite {

namespace {

// Deltas, not absolute values: they compose with recharges. A stored month other than the
// charge's means the month rolled over: month_fee restarts from this charge.
constexpr const char* kApplyCharge =
    "UPDATE api_keys SET "
    "month_fee = CASE WHEN fee_month = ?1 THEN month_fee + ?2 ELSE ?2 END, "
    "fee_month = ?1, balance = balance - ?3, total_fee = total_fee + ?4 WHERE id = ?5";

}  // namespace

core::Status SqliteStore::apply_charges(const std::vector<Charge>& charges) {
  if (charges.empty()) return core::Ok{};
  auto transaction = Transaction::begin_write(connection_);
  if (!transaction) return transaction.take_error();
  auto update = connection_.reuse(kApplyCharge);
  if (!update) return update.take_error();
  for (const auto& charge : charges) {
    (*update)->reset();
    (*update)
        ->bind_text(1, charge.month)
        .bind_money(2, charge.from_allowance)
        .bind_money(3, charge.from_balance)
        .bind_money(4, charge.cost)
        .bind_int64(5, charge.key_id);
    if (auto status = (*update)->run(); !status) return status.take_error();
  }
  return transaction->commit();
}

}  // namespace store::sqlite
