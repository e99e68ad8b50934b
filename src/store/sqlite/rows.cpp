#include "store/sqlite/rows.hpp"

namespace store::sqlite {

KeyRow read_key(const Statement& row) {
  KeyRow key;
  key.id = row.column_int64(0);
  key.name = row.column_text(1);
  key.email = row.column_text(2);
  // The CHECK constraint admits only the two names; should one ever be unknown, the key
  // gets the lesser role rather than admin rights.
  key.role = role_from_string(row.column_text(3)).value_or(Role::kUser);
  key.group_id = row.column_int64(4);
  key.key_hash = row.column_text(5);
  key.key_hint = row.column_text(6);
  key.month_quota = row.column_money(7);
  key.month_fee = row.column_money(8);
  key.balance = row.column_money(9);
  key.total_fee = row.column_money(10);
  key.fee_month = row.column_text(11);
  key.created_at = row.column_int64(12);
  key.updated_at = row.column_int64(13);
  return key;
}

GroupRow read_group(const Statement& row) {
  GroupRow group;
  group.id = row.column_int64(0);
  group.name = row.column_text(1);
  group.created_at = row.column_int64(2);
  group.updated_at = row.column_int64(3);
  return group;
}

ModelRow read_model(const Statement& row) {
  ModelRow model;
  model.id = row.column_int64(0);
  model.name = row.column_text(1);
  model.provider = row.column_text(2);
  model.config = row.column_text(3);
  model.price_in = row.column_money(4);
  model.price_out = row.column_money(5);
  model.multiple = row.column_bool(6);
  model.created_at = row.column_int64(7);
  model.updated_at = row.column_int64(8);
  return model;
}

BotRow read_bot(const Statement& row) {
  BotRow bot;
  bot.id = row.column_int64(0);
  bot.name = row.column_text(1);
  bot.provider = row.column_text(2);
  bot.app_id = row.column_text(3);
  bot.config = row.column_text(4);
  bot.created_at = row.column_int64(5);
  bot.updated_at = row.column_int64(6);
  return bot;
}

PaymentRow read_payment(const Statement& row) {
  PaymentRow payment;
  payment.id = row.column_int64(0);
  payment.key_id = row.column_int64(1);
  payment.key_name = row.column_text(2);
  payment.amount = row.column_money(3);
  payment.balance_after = row.column_money(4);
  if (!row.column_is_null(5)) payment.admin_key_id = row.column_int64(5);
  payment.admin_key_name = row.column_text(6);
  payment.created_at = row.column_int64(7);
  return payment;
}

GrantRow read_grant(const Statement& row) {
  GrantRow grant;
  grant.subject_id = row.column_int64(0);
  grant.subject_name = row.column_text(1);
  grant.model_id = row.column_int64(2);
  grant.model_name = row.column_text(3);
  grant.provider = row.column_text(4);
  grant.created_at = row.column_int64(5);
  return grant;
}

}  // namespace store::sqlite
