#pragma once
// Building blocks for the admin lists and partial updates on PostgreSQL, as
// store/sqlite/query.hpp is for SQLite: WHERE clauses and SET lists put together from
// fixed column names, every user value bound as a parameter ($n), never spliced.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/money.hpp"
#include "core/result.hpp"
#include "store/postgres/connection.hpp"
#include "store/store.hpp"

namespace store::postgres {

using Value = std::variant<std::int64_t, std::string>;

void add_value(Params& params, const Value& value);

// The AND of a list's filters. Column arguments are SQL expressions written in the code.
// Placeholders are numbered from $1 in the order the conditions are added.
class Conditions {
 public:
  // `text` is a case-insensitive substring of any of `columns`; no condition when empty.
  Conditions& contains(std::initializer_list<std::string_view> columns, const std::string& text);
  Conditions& equals(std::string_view column, Value value);
  // A condition written in the code; each "?" in it becomes the next placeholder, bound to
  // the next of `values`.
  Conditions& add(std::string_view sql, std::initializer_list<Value> values);
  // A condition with no values (e.g. "FALSE").
  Conditions& add(std::string_view sql) { return add(sql, {}); }

  std::string where() const;  // "" or " WHERE (...) AND (...)"
  Params params() const;

 private:
  std::string placeholder(Value value);

  std::vector<std::string> parts_;
  std::vector<Value> values_;
};

// A list query: "SELECT <columns> FROM <from> [WHERE] ORDER BY <order_by> LIMIT $n OFFSET $m".
// `from` may hold joins; the count runs over the same FROM and WHERE.
struct ListSql {
  std::string_view columns;
  std::string_view from;
  std::string_view order_by;
};

// Runs the count and the page in one snapshot, so that `total` matches the items.
template <class RowType, class Read>
core::Result<Page<RowType>> select_page(Connection& connection, const ListSql& sql,
                                        const Conditions& conditions, const ListQuery& page,
                                        Read read) {
  auto transaction = Transaction::begin_read(connection);
  if (!transaction) return transaction.take_error();
  Page<RowType> result;
  const std::string where = conditions.where();
  Params params = conditions.params();
  auto count = connection.exec("SELECT COUNT(*) FROM " + std::string(sql.from) + where, params);
  if (!count) return count.take_error();
  result.total = count->int64(0, 0);
  const std::string limit =
      " LIMIT $" + std::to_string(params.next()) + " OFFSET $" + std::to_string(params.next() + 1);
  params.int64(page.limit).int64(page.offset);
  auto rows =
      connection.exec("SELECT " + std::string(sql.columns) + " FROM " + std::string(sql.from) +
                          where + " ORDER BY " + std::string(sql.order_by) + limit,
                      params);
  if (!rows) return rows.take_error();
  result.items.reserve(rows->size());
  for (int index = 0; index < rows->size(); ++index)
    result.items.push_back(read(Row(*rows, index)));
  if (auto status = transaction->commit(); !status) return status.take_error();
  return result;
}

// The record lists (threads, sessions) count up to this many matches past the page's offset;
// beyond, `total` is a lower bound and `total_exact` false, as on SQLite
// (store/sqlite/query.hpp, docs/api.md "Lists").
inline constexpr std::int64_t kRecordCountCap = 10'000;

// Where a capped list finds its rows: "SELECT <id> FROM <from> [WHERE] ORDER BY <order_by>".
// The conditions apply here, and each row of the list must come out once, in the list's order;
// `from` needs no join that only adds columns.
struct IdScan {
  std::string_view from;
  std::string_view id;
  std::string_view order_by;
};

// The ids of one page, and how many rows the scan found.
struct PageIds {
  std::vector<std::int64_t> ids;
  std::int64_t total = 0;
  bool total_exact = true;
};

// Runs the scan once: its rows up to offset + max(cap, limit) are counted (one more says that
// there are more) and those of the page kept.
core::Result<PageIds> select_page_ids(Connection& connection, const IdScan& scan,
                                      const Conditions& conditions, const ListQuery& page,
                                      std::int64_t cap);

// A list with a capped count: the ids in one scan, then the page's rows by id, in one
// snapshot. `row_id` names the id in `sql.from`; `sql.order_by` puts the page's rows in the
// scan's order.
template <class RowType, class Read>
core::Result<Page<RowType>> select_capped_page(Connection& connection, const IdScan& scan,
                                               const Conditions& conditions, const ListSql& sql,
                                               std::string_view row_id, const ListQuery& page,
                                               Read read, std::int64_t cap = kRecordCountCap) {
  auto transaction = Transaction::begin_read(connection);
  if (!transaction) return transaction.take_error();
  auto ids = select_page_ids(connection, scan, conditions, page, cap);
  if (!ids) return ids.take_error();
  Page<RowType> result;
  result.total = ids->total;
  result.total_exact = ids->total_exact;
  if (!ids->ids.empty()) {
    Params params;
    params.int64_array(ids->ids);
    auto rows = connection.exec("SELECT " + std::string(sql.columns) + " FROM " +
                                    std::string(sql.from) + " WHERE " + std::string(row_id) +
                                    " = ANY($1::bigint[]) ORDER BY " + std::string(sql.order_by),
                                params);
    if (!rows) return rows.take_error();
    result.items.reserve(rows->size());
    for (int index = 0; index < rows->size(); ++index)
      result.items.push_back(read(Row(*rows, index)));
  }
  if (auto status = transaction->commit(); !status) return status.take_error();
  return result;
}

// The SET list of a partial update: only the fields whose new value differs from the
// current one are written, so that an update that changes nothing leaves updated_at alone.
class Assignments {
 public:
  void change(std::string_view column, const std::optional<std::string>& wanted,
              const std::string& current);
  void change(std::string_view column, const std::optional<std::int64_t>& wanted,
              std::int64_t current);
  void change(std::string_view column, const std::optional<core::Money>& wanted,
              core::Money current);
  void change(std::string_view column, const std::optional<bool>& wanted, bool current);
  void change(std::string_view column, const std::optional<Role>& wanted, Role current);

  bool empty() const { return columns_.empty(); }
  // Runs "UPDATE <table> SET ..., updated_at = $n WHERE id = $m"; the caller tells a UNIQUE
  // failure from other errors by connection.failed_with(kUniqueViolation).
  core::Status run(Connection& connection, std::string_view table, std::int64_t id,
                   std::int64_t now) const;

 private:
  std::vector<std::string> columns_;
  std::vector<Value> values_;
};

}  // namespace store::postgres
