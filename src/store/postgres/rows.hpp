#pragma once
// Column lists and row readers shared by every query that returns a whole row, so that a
// SELECT and the code that reads it cannot drift apart. The same lists as SQLite's
// (store/sqlite/rows.hpp): the schemas have the same columns.

#include "store/postgres/connection.hpp"
#include "store/store.hpp"

namespace store::postgres {

inline constexpr const char* kKeyColumns =
    "id, name, email, role, group_id, key_hash, key_hint, month_quota, month_fee, balance, "
    "total_fee, fee_month, created_at, updated_at";
inline constexpr const char* kGroupColumns = "id, name, created_at, updated_at";
inline constexpr const char* kModelColumns =
    "id, name, provider, config, price_in, price_out, multiple, created_at, updated_at";
inline constexpr const char* kBotColumns =
    "id, name, provider, app_id, config, created_at, updated_at";
// For "FROM payments p JOIN api_keys k ON k.id = p.key_id".
inline constexpr const char* kPaymentColumns =
    "p.id, p.key_id, k.name, p.amount, p.balance_after, p.admin_key_id, p.admin_key_name, "
    "p.created_at";
// For a grant table "g" joined with its subject "s" and "models m"; the subject id is the
// caller's (the two grant tables name the subject column differently).
inline constexpr const char* kGrantColumnsAfterSubjectId =
    "s.name, g.model_id, m.name, m.provider, g.created_at";
// Sessions with their key's name, empty once the key is deleted (records outlive keys).
inline constexpr const char* kSessionsFrom = "sessions s LEFT JOIN api_keys k ON k.id = s.key_id";
inline constexpr const char* kSessionColumns =
    "s.id, s.key_id, COALESCE(k.name, ''), s.title, s.total_in_tokens, s.total_out_tokens, "
    "s.total_fee, s.thread_count, s.created_at, s.updated_at";
// Threads with their session's key and title.
inline constexpr const char* kThreadsFrom = "threads t JOIN sessions s ON s.id = t.session_id";
inline constexpr const char* kThreadColumns =
    "t.id, t.session_id, t.key_id, s.session_key, s.title, t.request_id, t.model, t.prompt, "
    "t.completion, t.tool_calls, t.whole_prompt, t.tokens_in, t.tokens_out, t.cached_tokens, "
    "t.reasoning_tokens, t.usage_estimated, t.price_in, t.price_out, t.fee, "
    "t.first_byte_latency_ms, t.latency_ms, t.stream, t.status, t.error, t.created_at";

// Each reads a row of a statement that selected the matching column list.
KeyRow read_key(const Row& row);
GroupRow read_group(const Row& row);
ModelRow read_model(const Row& row);
BotRow read_bot(const Row& row);
PaymentRow read_payment(const Row& row);
// Reads "<subject id>, " + kGrantColumnsAfterSubjectId.
GrantRow read_grant(const Row& row);
SessionRow read_session(const Row& row);
ThreadRow read_thread(const Row& row);

}  // namespace store::postgres
