#include "store/postgres/query.hpp"

#include <algorithm>
#include <limits>

namespace store::postgres {

void add_value(Params& params, const Value& value) {
  if (const auto* number = std::get_if<std::int64_t>(&value)) {
    params.int64(*number);
  } else {
    params.text(std::get<std::string>(value));
  }
}

std::string Conditions::placeholder(Value value) {
  values_.push_back(std::move(value));
  // A string compared with a text column, a number with a bigint one: the server infers
  // the parameter's type from the column, so no cast is needed here.
  return "$" + std::to_string(values_.size());
}

Conditions& Conditions::contains(std::initializer_list<std::string_view> columns,
                                 const std::string& text) {
  if (text.empty() || columns.size() == 0) return *this;
  // strpos() rather than LIKE: the user's % and _ are plain characters, with no escaping.
  // lower() folds by the database's locale: all of Unicode in a UTF-8 locale, where
  // SQLite folds ASCII only.
  std::string part;
  for (std::string_view column : columns) {
    if (!part.empty()) part += " OR ";
    part +=
        "strpos(lower(" + std::string(column) + "), lower(" + placeholder(text) + "::text)) > 0";
  }
  parts_.push_back(std::move(part));
  return *this;
}

Conditions& Conditions::equals(std::string_view column, Value value) {
  parts_.push_back(std::string(column) + " = " + placeholder(std::move(value)));
  return *this;
}

Conditions& Conditions::add(std::string_view sql, std::initializer_list<Value> values) {
  std::string part;
  auto next = values.begin();
  for (char c : sql) {
    if (c == '?' && next != values.end()) {
      part += placeholder(*next++);
    } else {
      part += c;
    }
  }
  parts_.push_back(std::move(part));
  return *this;
}

std::string Conditions::where() const {
  std::string sql;
  for (const std::string& part : parts_) {
    sql += sql.empty() ? " WHERE (" : " AND (";
    sql += part;
    sql += ")";
  }
  return sql;
}

Params Conditions::params() const {
  Params params;
  for (const Value& value : values_) add_value(params, value);
  return params;
}

core::Result<PageIds> select_page_ids(Connection& connection, const IdScan& scan,
                                      const Conditions& conditions, const ListQuery& page,
                                      std::int64_t cap) {
  // How far the scan counts; the page must fit, and an offset near the int64 limit must not
  // overflow.
  const std::int64_t room = std::max({cap, page.limit, std::int64_t{0}});
  const std::int64_t kMax = std::numeric_limits<std::int64_t>::max() - 1;
  const std::int64_t reach = page.offset > kMax - room ? kMax : page.offset + room;
  // The server counts the scan and sends only the page's ids: an offset deep in a long list
  // no longer ships offset + 10,000 ids to the gateway. One row at least, with id NULL when
  // the page is past the end, so that the count always arrives.
  Params params = conditions.params();
  const std::string reach_param = "$" + std::to_string(params.next());
  params.int64(reach + 1);
  const std::string offset_param = "$" + std::to_string(params.next());
  params.int64(page.offset);
  const std::string limit_param = "$" + std::to_string(params.next());
  params.int64(std::max<std::int64_t>(page.limit, 0));
  const std::string order_by(scan.order_by);
  auto rows = connection.exec(
      "WITH capped AS (SELECT " + std::string(scan.id) + " AS id, row_number() OVER (ORDER BY " +
          order_by + ") AS position FROM " + std::string(scan.from) + conditions.where() +
          " ORDER BY " + order_by + " LIMIT " + reach_param +
          ") SELECT counted.total, paged.id FROM (SELECT count(*) AS total FROM capped) counted "
          "LEFT JOIN LATERAL (SELECT id, position FROM capped WHERE position > " +
          offset_param + " ORDER BY position LIMIT " + limit_param +
          ") paged ON true ORDER BY paged.position",
      params);
  if (!rows) return rows.take_error();
  PageIds result;
  const std::int64_t found = rows->empty() ? 0 : rows->int64(0, 0);
  for (int row = 0; row < rows->size(); ++row) {
    if (!rows->is_null(row, 1)) result.ids.push_back(rows->int64(row, 1));
  }
  result.total_exact = found <= reach;
  result.total = std::min(found, reach);
  return result;
}

void Assignments::change(std::string_view column, const std::optional<std::string>& wanted,
                         const std::string& current) {
  if (!wanted || *wanted == current) return;
  columns_.emplace_back(column);
  values_.emplace_back(*wanted);
}

void Assignments::change(std::string_view column, const std::optional<std::int64_t>& wanted,
                         std::int64_t current) {
  if (!wanted || *wanted == current) return;
  columns_.emplace_back(column);
  values_.emplace_back(*wanted);
}

void Assignments::change(std::string_view column, const std::optional<core::Money>& wanted,
                         core::Money current) {
  if (!wanted) return;
  change(column, std::optional<std::int64_t>(wanted->nanos()), current.nanos());
}

void Assignments::change(std::string_view column, const std::optional<bool>& wanted, bool current) {
  if (!wanted || *wanted == current) return;
  // "true"/"false" are boolean input the server reads for a boolean column.
  columns_.emplace_back(column);
  values_.emplace_back(std::string(*wanted ? "true" : "false"));
}

void Assignments::change(std::string_view column, const std::optional<Role>& wanted, Role current) {
  if (!wanted) return;
  change(column, std::optional<std::string>(to_string(*wanted)), to_string(current));
}

core::Status Assignments::run(Connection& connection, std::string_view table, std::int64_t id,
                              std::int64_t now) const {
  std::string sql = "UPDATE " + std::string(table) + " SET ";
  Params params;
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    sql += columns_[i] + " = $" + std::to_string(params.next()) + ", ";
    add_value(params, values_[i]);
  }
  sql += "updated_at = $" + std::to_string(params.next());
  params.int64(now);
  sql += " WHERE id = $" + std::to_string(params.next());
  params.int64(id);
  auto rows = connection.exec(sql, params);
  if (!rows) return rows.take_error();
  return core::Ok{};
}

}  // namespace store::postgres
