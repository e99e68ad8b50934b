// PostgresStore: recharges and the payment history.

#include <string>

#include "store/postgres/postgres_store.hpp"
#include "store/postgres/query.hpp"
#include "store/postgres/rows.hpp"

namespace store::postgres {

namespace {

constexpr const char* kPaymentsFrom = "payments p JOIN api_keys k ON k.id = p.key_id";

}  // namespace

core::Result<Recharge> PostgresStore::recharge_key(std::int64_t id, core::Money amount,
                                                   std::optional<std::int64_t> admin_key_id) {
  if (amount.nanos() <= 0) {
    return core::Error::bad_request("the recharge amount must be greater than 0", "balance");
  }
  auto transaction = Transaction::begin_write(connection_);
  if (!transaction) return transaction.take_error();
  if (auto status = require_key(id); !status) return status.take_error();
  // The admin's name as it is now: the payment keeps it after the admin key is deleted.
  std::string admin_name;
  if (admin_key_id) {
    if (auto admin = select_key(*admin_key_id)) {
      admin_name = admin->name;
    } else if (admin.error().kind != core::ErrorKind::kNotFound) {
      return admin.take_error();
    }
  }
  const std::int64_t timestamp = now();
  // An increment rather than read-add-write: charges from other gateways change the
  // balance concurrently and must not be overwritten.
  auto updated = connection_.exec(
      "UPDATE api_keys SET balance = balance + $1, updated_at = $2 WHERE id = $3 "
      "RETURNING balance",
      Params().money(amount).int64(timestamp).int64(id));
  if (!updated) {
    if (connection_.failed_with(kNumericValueOutOfRange)) {
      return core::Error::bad_request("the balance of api key " + std::to_string(id) +
                                          " would exceed the largest amount that can be stored",
                                      "balance");
    }
    return updated.take_error();
  }
  const std::int64_t balance = updated->int64(0, 0);

  auto inserted = connection_.exec(
      "INSERT INTO payments (key_id, amount, balance_after, admin_key_id, admin_key_name, "
      "created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
      Params()
          .int64(id)
          .money(amount)
          .int64(balance)
          .optional_int64(admin_key_id)
          .text(admin_name)
          .int64(timestamp));
  if (!inserted) return inserted.take_error();
  const std::int64_t payment_id = inserted->int64(0, 0);

  Recharge result;
  auto after = select_key(id);
  if (!after) return after.take_error();
  result.key = std::move(*after);
  auto payment = connection_.exec(
      std::string("SELECT ") + kPaymentColumns + " FROM " + kPaymentsFrom + " WHERE p.id = $1",
      Params().int64(payment_id));
  if (!payment) return payment.take_error();
  if (payment->empty()) return core::Error::internal("the new payment row is missing");
  result.payment = read_payment(Row(*payment, 0));
  if (auto status = transaction->commit(); !status) return status.take_error();
  return result;
}

core::Result<Page<PaymentRow>> PostgresStore::list_payments(std::optional<std::int64_t> key_id,
                                                            const ListQuery& page) {
  Conditions conditions;
  if (key_id) conditions.equals("p.key_id", *key_id);
  conditions.contains({"k.name"}, page.q);
  return select_page<PaymentRow>(connection_, {kPaymentColumns, kPaymentsFrom, "p.id DESC"},
                                 conditions, page, read_payment);
}

}  // namespace store::postgres
