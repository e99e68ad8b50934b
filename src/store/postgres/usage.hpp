#pragma once
// PostgreSQL: adds a batch of chat records to the statistics' running totals
// (store/usage_totals.hpp), inside the batch's transaction. Rows are taken in the batch's
// sorted order, so two gateways adding to the same hour and model wait for each other instead
// of deadlocking.

#include "core/result.hpp"
#include "store/postgres/connection.hpp"
#include "store/usage_totals.hpp"

namespace store::postgres {

core::Status add_usage(Connection& connection, const UsageOfBatch& usage);

}  // namespace store::postgres
