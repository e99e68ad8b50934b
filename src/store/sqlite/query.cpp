#include "store/sqlite/query.hpp"

#include <algorithm>
#include <limits>

namespace store::sqlite {

int bind_values(Statement& statement, const std::vector<Value>& values, int first) {
  int index = first;
  for (const Value& value : values) {
    if (const auto* number = std::get_if<std::int64_t>(&value)) {
      statement.bind_int64(index++, *number);
    } else {
      statement.bind_text(index++, std::get<std::string>(value));
    }
  }
  return index;
}

Conditions& Conditions::contains(std::initializer_list<std::string_view> columns,
                                 const std::string& text) {
  if (text.empty() || columns.size() == 0) return *this;
  // instr() rather than LIKE: the user's % and _ are plain characters, with no escaping.
  std::string part;
  for (std::string_view column : columns) {
    if (!part.empty()) part += " OR ";
    part += "instr(lower(" + std::string(column) + "), lower(?)) > 0";
    values_.emplace_back(text);
  }
  parts_.push_back(std::move(part));
  return *this;
}

Conditions& Conditions::equals(std::string_view column, Value value) {
  parts_.push_back(std::string(column) + " = ?");
  values_.push_back(std::move(value));
  return *this;
}

Conditions& Conditions::add(std::string_view sql, std::initializer_list<Value> values) {
  parts_.emplace_back(sql);
  values_.insert(values_.end(), values.begin(), values.end());
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

core::Result<PageIds> select_page_ids(Connection& connection, const IdScan& scan,
                                      const Conditions& conditions, const ListQuery& page,
                                      std::int64_t cap) {
  // How far the scan counts; the page must fit, and an offset near the int64 limit must not
  // overflow.
  const std::int64_t room = std::max({cap, page.limit, std::int64_t{0}});
  const std::int64_t kMax = std::numeric_limits<std::int64_t>::max() - 1;
  const std::int64_t reach = page.offset > kMax - room ? kMax : page.offset + room;
  auto statement = connection.prepare("SELECT " + std::string(scan.id) + " FROM " +
                                      std::string(scan.from) + conditions.where() + " ORDER BY " +
                                      std::string(scan.order_by) + " LIMIT ?");
  if (!statement) return statement.take_error();
  const int next = bind_values(*statement, conditions.values());
  statement->bind_int64(next, reach + 1);
  PageIds result;
  std::int64_t found = 0;
  for (;;) {
    const Step step = statement->step();
    if (step == Step::kDone) break;
    if (step == Step::kError) return statement->internal_error();
    if (found >= page.offset && found - page.offset < page.limit) {
      result.ids.push_back(statement->column_int64(0));
    }
    ++found;
  }
  result.total_exact = found <= reach;
  result.total = std::min(found, reach);
  return result;
}

std::string in_list(std::string_view column, std::size_t count) {
  std::string sql = std::string(column) + " IN (";
  for (std::size_t index = 0; index < count; ++index) sql += index == 0 ? "?" : ", ?";
  sql += ")";
  return sql;
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
  if (!wanted) return;
  change(column, std::optional<std::int64_t>(*wanted ? 1 : 0), current ? 1 : 0);
}

void Assignments::change(std::string_view column, const std::optional<Role>& wanted, Role current) {
  if (!wanted) return;
  change(column, std::optional<std::string>(to_string(*wanted)), to_string(current));
}

core::Result<Statement> Assignments::prepare(Connection& connection, std::string_view table,
                                             std::int64_t id, std::int64_t now) const {
  std::string sql = "UPDATE " + std::string(table) + " SET ";
  for (const std::string& column : columns_) sql += column + " = ?, ";
  sql += "updated_at = ? WHERE id = ?";
  auto statement = connection.prepare(sql);
  if (!statement) return statement;
  const int next = bind_values(*statement, values_);
  statement->bind_int64(next, now).bind_int64(next + 1, id);
  return statement;
}

}  // namespace store::sqlite
