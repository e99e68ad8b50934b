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

SessionRow read_session(const Statement& row) {
  SessionRow session;
  session.id = row.column_int64(0);
  session.key_id = row.column_int64(1);
  session.key_name = row.column_text(2);
  session.title = row.column_text(3);
  session.total_in_tokens = row.column_int64(4);
  session.total_out_tokens = row.column_int64(5);
  session.total_fee = row.column_money(6);
  session.thread_count = row.column_int64(7);
  session.created_at = row.column_int64(8);
  session.updated_at = row.column_int64(9);
  return session;
}

ThreadRow read_thread(const Statement& row) {
  ThreadRow result;
  result.id = row.column_int64(0);
  result.session_id = row.column_int64(1);
  NewThread& thread = result.thread;
  thread.key_id = row.column_int64(2);
  thread.session_key = row.column_text(3);
  thread.session_title = row.column_text(4);
  thread.request_id = row.column_text(5);
  thread.model = row.column_text(6);
  thread.prompt = row.column_text(7);
  thread.completion = row.column_text(8);
  thread.tool_calls = row.column_text(9);
  thread.whole_prompt = row.column_text(10);
  thread.tokens_in = row.column_int64(11);
  thread.tokens_out = row.column_int64(12);
  thread.cached_tokens = row.column_int64(13);
  thread.reasoning_tokens = row.column_int64(14);
  thread.usage_estimated = row.column_bool(15);
  thread.price_in = row.column_money(16);
  thread.price_out = row.column_money(17);
  thread.fee = row.column_money(18);
  thread.first_byte_latency_ms = row.column_int64(19);
  thread.latency_ms = row.column_int64(20);
  thread.stream = row.column_bool(21);
  thread.status = row.column_text(22);
  thread.error = row.column_text(23);
  thread.created_at = row.column_int64(24);
  return result;
}

}  // namespace store::sqlite
