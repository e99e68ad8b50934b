#pragma once
// SQLite: adds a batch of chat records to the statistics' running totals
// (store/usage_totals.hpp), inside the batch's transaction.

#include "core/result.hpp"
#include "store/sqlite/connection.hpp"
#include "store/usage_totals.hpp"

namespace store::sqlite {

core::Status add_usage(Connection& connection, const UsageOfBatch& usage);

}  // namespace store::sqlite
