// SqliteStore: models.

#include <string>

#include "store/sqlite/query.hpp"
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
    if (auto status = require_group_field(*model.group_id); !status) return status.take_error();
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
    if (auto status = insert_grant(kInsertGroupGrant, *model.group_id, model_id); !status) {
      return status.take_error();
    }
  }
  auto row = select_model(model_id);
  if (!row) return row;
  if (auto status = transaction->commit(); !status) return status.take_error();
  return row;
}

core::Result<ModelRow> SqliteStore::find_model(std::int64_t id) { return select_model(id); }

core::Result<Page<ModelRow>> SqliteStore::list_models(const ModelFilter& filter) {
  Conditions conditions;
  conditions.contains({"name", "provider"}, filter.page.q);
  if (!filter.provider.empty()) conditions.equals("provider", filter.provider);
  return select_page<ModelRow>(connection_, {kModelColumns, "models", "id DESC"}, conditions,
                               filter.page, read_model);
}

core::Result<ModelRow> SqliteStore::update_model(std::int64_t id, const ModelUpdate& update) {
  auto transaction = Transaction::begin_write(connection_);
  if (!transaction) return transaction.take_error();
  auto current = select_model(id);
  if (!current) return current;
  Assignments changes;
  changes.change("name", update.name, current->name);
  changes.change("provider", update.provider, current->provider);
  changes.change("config", update.config, current->config);
  changes.change("price_in", update.price_in, current->price_in);
  changes.change("price_out", update.price_out, current->price_out);
  changes.change("multiple", update.multiple, current->multiple);
  if (update.group_id) {
    // The grant is not a change of the model row: it leaves updated_at alone.
    if (auto status = require_group_field(*update.group_id); !status) return status.take_error();
    if (auto status = insert_grant(kInsertGroupGrant, *update.group_id, id); !status) {
      return status.take_error();
    }
  }
  if (!changes.empty()) {
    auto statement = changes.prepare(connection_, "models", id, now());
    if (!statement) return statement.take_error();
    if (statement->step() != Step::kDone) {
      if (is_unique_violation(statement->error_code())) {
        return core::Error::conflict(
            "a model named '" + update.name.value_or(current->name) + "' already exists", "name");
      }
      return statement->internal_error();
    }
  }
  auto row = select_model(id);
  if (!row) return row;
  if (auto status = transaction->commit(); !status) return status.take_error();
  return row;
}

core::Status SqliteStore::delete_model(std::int64_t id) {
  // The grants go with it (ON DELETE CASCADE), in the same statement.
  return delete_row("DELETE FROM models WHERE id = ?", id,
                    "model " + std::to_string(id) + " not found");
}

}  // namespace store::sqlite
