// SqliteStore: models.

#include <string>

#include "store/sqlite/rows.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace store::sqlite {

core::Result<ModelRow> SqliteStore::select_model(std::int64_t id) {
  auto statement =
      connection_.prepare(std::string("SELECT ") + kModelColumns + " FROM models WHERE id = ?");
  if (!statement) return statement.take_error();
  statement->bind_int64(1, id);
  switch (statement->step()) {
    case Step::kRow:
      return read_model(*statement);
    case Step::kDone:
      return core::Error::not_found("model " + std::to_string(id) + " not found");
    case Step::kError:
      break;
  }
  return statement->internal_error();
}

core::Result<ModelRow> SqliteStore::insert_model(const NewModel& model) {
  // One transaction for the model and its grant: a failure leaves neither behind.
  auto transaction = Transaction::begin_write(connection_);
  if (!transaction) return transaction.take_error();
  if (model.group_id) {
    if (auto status = require_group(*model.group_id); !status) {
      core::Error error = status.take_error();
      if (error.kind != core::ErrorKind::kNotFound) return error;
      return core::Error::bad_request(error.message, "group_id");
    }
  }
  auto statement = connection_.prepare(
      "INSERT INTO models (name, provider, config, price_in, price_out, multiple, created_at, "
      "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!statement) return statement.take_error();
  const std::int64_t timestamp = now();
  statement->bind_text(1, model.name)
      .bind_text(2, model.provider)
      .bind_text(3, model.config)
      .bind_money(4, model.price_in)
      .bind_money(5, model.price_out)
      .bind_bool(6, model.multiple)
      .bind_int64(7, timestamp)
      .bind_int64(8, timestamp);
  if (statement->step() != Step::kDone) {
    if (is_unique_violation(statement->error_code())) {
      return core::Error::conflict("a model named '" + model.name + "' already exists", "name");
    }
    return statement->internal_error();
  }
  const std::int64_t model_id = connection_.last_insert_rowid();
  if (model.group_id) {
    auto grant = connection_.prepare("INSERT INTO group_models (group_id, model_id) VALUES (?, ?)");
    if (!grant) return grant.take_error();
    grant->bind_int64(1, *model.group_id).bind_int64(2, model_id);
    if (auto status = grant->run(); !status) return status.take_error();
  }
  auto row = select_model(model_id);
  if (!row) return row;
  if (auto status = transaction->commit(); !status) return status.take_error();
  return row;
}

}  // namespace store::sqlite
