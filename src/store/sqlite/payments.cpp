// SqliteStore: recharges and the payment history.

#include <string>

#include "store/sqlite/query.hpp"
#include "store/sqlite/rows.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace store::sqlite {

namespace {

constexpr const char* kPaymentsFrom = "payments p JOIN api_keys k ON k.id = p.key_id";

}  // namespace

core::Result<Recharge> SqliteStore::recharge_key(std::int64_t id, core::Money amount,
                                                 std::optional<std::int64_t> admin_key_id) {
  if (amount.nanos() <= 0) {
    return core::Error::bad_request("the recharge amount must be greater than 0", "balance");
  }
  // Read, add and write under the write lock: a concurrent charge cannot slip in between.
  auto transaction = Transaction::begin_write(connection_);
  if (!transaction) return transaction.take_error();
  auto key = select_key(id);
  if (!key) return key.take_error();
  std::int64_t balance = 0;
  if (__builtin_add_overflow(key->balance.nanos(), amount.nanos(), &balance)) {
    return core::Error::bad_request("the balance of api key " + std::to_string(id) +
                                        " would exceed the largest amount that can be stored",
                                    "balance");
  }
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
  auto update = connection_.prepare("UPDATE api_keys SET balance = ?, updated_at = ? WHERE id = ?");
  if (!update) return update.take_error();
  update->bind_int64(1, balance).bind_int64(2, timestamp).bind_int64(3, id);
  if (auto status = update->run(); !status) return status.take_error();

  auto insert = connection_.prepare(
      "INSERT INTO payments (key_id, amount, balance_after, admin_key_id, admin_key_name, "
      "created_at) VALUES (?, ?, ?, ?, ?, ?)");
  if (!insert) return insert.take_error();
  insert->bind_int64(1, id).bind_money(2, amount).bind_int64(3, balance);
  if (admin_key_id) {
    insert->bind_int64(4, *admin_key_id);
  } else {
    insert->bind_null(4);
  }
  insert->bind_text(5, admin_name).bind_int64(6, timestamp);
  if (auto status = insert->run(); !status) return status.take_error();
  const std::int64_t payment_id = connection_.last_insert_rowid();

  Recharge result;
  auto after = select_key(id);
  if (!after) return after.take_error();
  result.key = std::move(*after);
  auto payment = connection_.prepare(std::string("SELECT ") + kPaymentColumns + " FROM " +
                                     kPaymentsFrom + " WHERE p.id = ?");
  if (!payment) return payment.take_error();
  payment->bind_int64(1, payment_id);
  if (payment->step() != Step::kRow) return payment->internal_error();
  result.payment = read_payment(*payment);
  if (auto status = transaction->commit(); !status) return status.take_error();
  return result;
}

core::Result<Page<PaymentRow>> SqliteStore::list_payments(std::optional<std::int64_t> key_id,
                                                          const ListQuery& page) {
  Conditions conditions;
  if (key_id) conditions.equals("p.key_id", *key_id);
  conditions.contains({"k.name"}, page.q);
  return select_page<PaymentRow>(connection_, {kPaymentColumns, kPaymentsFrom, "p.id DESC"},
                                 conditions, page, read_payment);
}

}  // namespace store::sqlite
