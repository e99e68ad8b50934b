#pragma once
// Building blocks for the admin lists and partial updates: WHERE clauses and SET lists put
// together from fixed column names, with every user value bound, never spliced.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/money.hpp"
#include "core/result.hpp"
#include "store/sqlite/connection.hpp"
#include "store/store.hpp"

namespace store::sqlite {

using Value = std::variant<std::int64_t, std::string>;

// Binds `values` to ?-parameters first, first + 1, ...; returns the next free index.
int bind_values(Statement& statement, const std::vector<Value>& values, int first = 1);

// The AND of a list's filters. Column arguments are SQL expressions written in the code.
class Conditions {
 public:
  // `text` is a case-insensitive substring of any of `columns`; no condition when empty.
  // lower() folds ASCII only, like SQLite's LIKE.
  Conditions& contains(std::initializer_list<std::string_view> columns, const std::string& text);
  Conditions& equals(std::string_view column, Value value);
  // A condition written in the code, its ?-parameters bound to `values` in order.
  Conditions& add(std::string_view sql, std::initializer_list<Value> values);

  std::string where() const;  // "" or " WHERE (...) AND (...)"
  const std::vector<Value>& values() const { return values_; }

 private:
  std::vector<std::string> parts_;
  std::vector<Value> values_;
};

// A list query: "SELECT <columns> FROM <from> [WHERE] ORDER BY <order_by> LIMIT ? OFFSET ?".
// `from` may hold joins; the count runs over the same FROM and WHERE.
struct ListSql {
  std::string_view columns;
  std::string_view from;
  std::string_view order_by;
};

// Runs the count and the page in one read snapshot, so that `total` matches the items.
template <class Row, class Read>
core::Result<Page<Row>> select_page(Connection& connection, const ListSql& sql,
                                    const Conditions& conditions, const ListQuery& page,
                                    Read read) {
  auto transaction = Transaction::begin_read(connection);
  if (!transaction) return transaction.take_error();
  Page<Row> result;
  const std::string where = conditions.where();
  {
    auto count = connection.prepare("SELECT COUNT(*) FROM " + std::string(sql.from) + where);
    if (!count) return count.take_error();
    bind_values(*count, conditions.values());
    if (count->step() != Step::kRow) return count->internal_error();
    result.total = count->column_int64(0);
  }
  auto select =
      connection.prepare("SELECT " + std::string(sql.columns) + " FROM " + std::string(sql.from) +
                         where + " ORDER BY " + std::string(sql.order_by) + " LIMIT ? OFFSET ?");
  if (!select) return select.take_error();
  const int next = bind_values(*select, conditions.values());
  select->bind_int64(next, page.limit).bind_int64(next + 1, page.offset);
  for (;;) {
    switch (select->step()) {
      case Step::kRow:
        result.items.push_back(read(*select));
        continue;
      case Step::kDone:
        break;
      case Step::kError:
        return select->internal_error();
    }
    break;
  }
  if (auto status = transaction->commit(); !status) return status.take_error();
  return result;
}

// The record lists (threads, sessions) grow with traffic, and counting every match costs more
// than the page: a search that matches a million threads takes 0.4 s to count (bench/RESULTS.md,
// Growth). They count up to this many matches past the page's offset; beyond, `total` is a
// lower bound and `total_exact` false (docs/api.md, "Lists").
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

// "<column> IN (?, ?, ...)" with `count` parameters.
std::string in_list(std::string_view column, std::size_t count);

// A list with a capped count: the ids in one scan, then the page's rows by id, all in one read
// snapshot. One scan rather than a count and a page: a search index read twice costs twice (an
// FTS5 prefix query merges the whole doclist of its prefix each time). `row_id` names the id in
// `sql.from`; `sql.order_by` puts the page's rows in the scan's order.
template <class Row, class Read>
core::Result<Page<Row>> select_capped_page(Connection& connection, const IdScan& scan,
                                           const Conditions& conditions, const ListSql& sql,
                                           std::string_view row_id, const ListQuery& page,
                                           Read read, std::int64_t cap = kRecordCountCap) {
  auto transaction = Transaction::begin_read(connection);
  if (!transaction) return transaction.take_error();
  auto ids = select_page_ids(connection, scan, conditions, page, cap);
  if (!ids) return ids.take_error();
  Page<Row> result;
  result.total = ids->total;
  result.total_exact = ids->total_exact;
  if (!ids->ids.empty()) {
    auto select = connection.prepare(
        "SELECT " + std::string(sql.columns) + " FROM " + std::string(sql.from) + " WHERE " +
        in_list(row_id, ids->ids.size()) + " ORDER BY " + std::string(sql.order_by));
    if (!select) return select.take_error();
    int index = 1;
    for (std::int64_t id : ids->ids) select->bind_int64(index++, id);
    for (;;) {
      const Step step = select->step();
      if (step == Step::kDone) break;
      if (step == Step::kError) return select->internal_error();
      result.items.push_back(read(*select));
    }
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
  // "UPDATE <table> SET ..., updated_at = ? WHERE id = ?", bound and ready to step, so that
  // the caller can tell a UNIQUE failure from other errors.
  core::Result<Statement> prepare(Connection& connection, std::string_view table, std::int64_t id,
                                  std::int64_t now) const;

 private:
  std::vector<std::string> columns_;
  std::vector<Value> values_;
};

}  // namespace store::sqlite
