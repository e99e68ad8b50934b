#include "store/postgres/rows.hpp"

namespace store::postgres {

KeyRow read_key(const Row& row) {
  KeyRow key;
  key.id = row.int64(0);
  key.name = row.text(1);
  key.email = row.text(2);
  // The CHECK constraint admits only the two names; should one ever be unknown, the key
  // gets the lesser role rather than admin rights.
  key.role = role_from_string(row.text(3)).value_or(Role::kUser);
  key.group_id = row.int64(4);
  key.key_hash = row.text(5);
  key.key_hint = row.text(6);
  key.month_quota = row.money(7);
  key.month_fee = row.money(8);
  key.balance = row.money(9);
  key.total_fee = row.money(10);
  key.fee_month = row.text(11);
  key.created_at = row.int64(12);
  key.updated_at = row.int64(13);
  return key;
}

GroupRow read_group(const Row& row) {
  GroupRow group;
  group.id = row.int64(0);
  group.name = row.text(1);
  group.created_at = row.int64(2);
  group.updated_at = row.int64(3);
  return group;
}

ModelRow read_model(const Row& row) {
  ModelRow model;
  model.id = row.int64(0);
  model.name = row.text(1);
  model.provider = row.text(2);
  model.config = row.text(3);
  model.price_in = row.money(4);
  model.price_out = row.money(5);
  model.multiple = row.boolean(6);
  model.created_at = row.int64(7);
  model.updated_at = row.int64(8);
  return model;
}

BotRow read_bot(const Row& row) {
  BotRow bot;
  bot.id = row.int64(0);
  bot.name = row.text(1);
  bot.provider = row.text(2);
  bot.app_id = row.text(3);
  bot.config = row.text(4);
  bot.created_at = row.int64(5);
  bot.updated_at = row.int64(6);
  return bot;
}

PaymentRow read_payment(const Row& row) {
  PaymentRow payment;
  payment.id = row.int64(0);
  payment.key_id = row.int64(1);
  payment.key_name = row.text(2);
  payment.amount = row.money(3);
  payment.balance_after = row.money(4);
  if (!row.is_null(5)) payment.admin_key_id = row.int64(5);
  payment.admin_key_name = row.text(6);
  payment.created_at = row.int64(7);
  return payment;
}

GrantRow read_grant(const Row& row) {
  GrantRow grant;
  grant.subject_id = row.int64(0);
  grant.subject_name = row.text(1);
  grant.model_id = row.int64(2);
  grant.model_name = row.text(3);
  grant.provider = row.text(4);
  grant.created_at = row.int64(5);
  return grant;
}

SessionRow read_session(const Row& row) {
  SessionRow session;
  session.id = row.int64(0);
  session.key_id = row.int64(1);
  session.key_name = row.text(2);
  session.title = row.text(3);
  session.total_in_tokens = row.int64(4);
  session.total_out_tokens = row.int64(5);
  session.total_fee = row.money(6);
  session.thread_count = row.int64(7);
  session.created_at = row.int64(8);
  session.updated_at = row.int64(9);
  return session;
}

ThreadRow read_thread(const Row& row) {
  ThreadRow result;
  result.id = row.int64(0);
  result.session_id = row.int64(1);
  NewThread& thread = result.thread;
  thread.key_id = row.int64(2);
  thread.session_key = row.text(3);
  thread.session_title = row.text(4);
  thread.request_id = row.text(5);
  thread.model = row.text(6);
  thread.prompt = row.text(7);
  thread.completion = row.text(8);
  thread.tool_calls = row.text(9);
  thread.whole_prompt = row.text(10);
  thread.tokens_in = row.int64(11);
  thread.tokens_out = row.int64(12);
  thread.cached_tokens = row.int64(13);
  thread.reasoning_tokens = row.int64(14);
  thread.usage_estimated = row.boolean(15);
  thread.price_in = row.money(16);
  thread.price_out = row.money(17);
  thread.fee = row.money(18);
  thread.first_byte_latency_ms = row.int64(19);
  thread.latency_ms = row.int64(20);
  thread.stream = row.boolean(21);
  thread.status = row.text(22);
  thread.error = row.text(23);
  thread.created_at = row.int64(24);
  return result;
}

}  // namespace store::postgres
