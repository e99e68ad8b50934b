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

// Each reads the current row of a statement that selected the matching column list.
KeyRow read_key(const Statement& row);
GroupRow read_group(const Statement& row);
ModelRow read_model(const Statement& row);

}  // namespace store::sqlite
