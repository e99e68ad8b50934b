// PostgresStore: money reserved in the database, so that admission holds across gateways
// (docs/billing.md, "Several gateways on one database").

#include <algorithm>
#include <string>

#include "store/postgres/postgres_store.hpp"

namespace store::postgres {

namespace {

// Admission in one statement: the key's row is updated only while it has money left, and
// only then is the reservation row inserted. The UPDATE takes the row's lock; a concurrent
// admission (from any gateway) waits for it and then checks the condition again against the
// row as the first one left it, so that reservations can never pass what the key has.
// The condition is MemoryLedger's (Balance::available): this month's allowance left plus the
// balance, a debt (a balance below 0 after the one request allowed to overspend) counting
// as 0 so that it does not eat the next month's allowance, minus what is reserved. A stored
// month later than the gateway's (its clock is behind at the turn of the month) counts as
// this month: months only move forward (llmgate_charge). numeric arithmetic: the sum must
// not overflow a bigint.
constexpr const char* kReserve =
    "WITH admitted AS ("
    " UPDATE api_keys SET reserved = LEAST(reserved::numeric + $2::bigint, 9223372036854775807)"
    "::bigint"
    " WHERE id = $1 AND GREATEST(month_quota - CASE WHEN fee_month >= $3::text THEN month_fee"
    " ELSE 0 END, 0)::numeric + GREATEST(balance, 0) - reserved > 0"
    " RETURNING id)"
    " INSERT INTO reservations (key_id, replica, amount, created_at)"
    " SELECT id, $4::text, $2::bigint, $5::bigint FROM admitted RETURNING id";

constexpr const char* kRelease =
    "WITH gone AS (DELETE FROM reservations WHERE id = ANY($1::bigint[])"
    " RETURNING key_id, amount),"
    " totals AS (SELECT key_id, SUM(amount) AS amount FROM gone GROUP BY key_id)"
    " UPDATE api_keys k SET reserved = GREATEST(k.reserved - totals.amount, 0)"
    " FROM totals WHERE k.id = totals.key_id";

// A batch of charges locks its keys' rows in ascending id, as every batch does, so that two
// gateways' batches wait for each other instead of deadlocking; a deadlock with another
// statement (a release of several keys) aborts the transaction, which then runs again.
constexpr int kAttempts = 3;

}  // namespace

core::Result<std::optional<std::int64_t>> PostgresStore::reserve(std::int64_t key_id,
                                                                 core::Money amount,
                                                                 const std::string& month) {
  auto rows = connection_.exec(
      kReserve, Params().int64(key_id).money(amount).text(month).text(replica_id()).int64(now()));
  if (!rows) return rows.take_error();
  if (rows->empty()) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(rows->int64(0, 0));
}

core::Status PostgresStore::release_reservations(const std::vector<std::int64_t>& ids) {
  if (ids.empty()) return core::Ok{};
  core::Status result = core::Ok{};
  for (int attempt = 1; attempt <= kAttempts; ++attempt) {
    auto rows = connection_.exec(kRelease, Params().int64_array(ids));
    if (rows) return core::Ok{};
    result = rows.take_error();
    if (!connection_.failed_with(kDeadlockDetected)) break;
  }
  return result;
}

core::Status PostgresStore::settle_charges(std::vector<Charge>& charges) {
  if (charges.empty()) return core::Ok{};
  std::vector<std::size_t> order(charges.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&charges](std::size_t a, std::size_t b) {
    return charges[a].key_id < charges[b].key_id;
  });
  std::vector<Params> params(order.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    const Charge& charge = charges[order[i]];
    params[i].int64(charge.key_id).text(charge.month).money(charge.cost);
    if (charge.reservation_id != 0) {
      params[i].int64(charge.reservation_id);
    } else {
      params[i].null();
    }
  }
  core::Status result = core::Ok{};
  for (int attempt = 1; attempt <= kAttempts; ++attempt) {
    result = [&]() -> core::Status {
      auto transaction = Transaction::begin(connection_);
      if (!transaction) return transaction.take_error();
      // One round trip for the batch (pipeline mode); each charge still sees the key's row
      // as the charges before it left it.
      auto rows = connection_.exec_each(
          "SELECT from_allowance, from_balance FROM llmgate_charge($1, $2, $3, $4)", params);
      if (!rows) return rows.take_error();
      for (std::size_t i = 0; i < order.size(); ++i) {
        Charge& charge = charges[order[i]];
        charge.from_allowance = (*rows)[i].money(0, 0);
        charge.from_balance = (*rows)[i].money(0, 1);
      }
      return transaction->commit();
    }();
    if (result || !connection_.failed_with(kDeadlockDetected)) break;
  }
  return result;
}

}  // namespace store::postgres
