#pragma once
// Column lists and row readers shared by every query that returns a whole row, so that a
// SELECT and the code that reads it cannot drift apart.

#include "store/sqlite/statement.hpp"
#include "store/store.hpp"

namespace store::sqlite {

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
// For a grant table "g" joined with its subject "s" and "models m"; the subject id and the
// grant time are the caller's (the two grant tables name the subject column differently).
inline constexpr const char* kGrantColumnsAfterSubjectId =
    "s.name, g.model_id, m.name, m.provider, g.created_at";

// Each reads the current row of a statement that selected the matching column list.
KeyRow read_key(const Statement& row);
GroupRow read_group(const Statement& row);
ModelRow read_model(const Statement& row);
BotRow read_bot(const Statement& row);
PaymentRow read_payment(const Statement& row);
// Reads "<subject id>, " + kGrantColumnsAfterSubjectId.
GrantRow read_grant(const Statement& row);

}  // namespace store::sqlite
