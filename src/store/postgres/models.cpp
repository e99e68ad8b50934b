// PostgresStore: models.

#include <string>

#include "store/postgres/postgres_store.hpp"
#include "store/postgres/query.hpp"
#include "store/postgres/rows.hpp"

namespace store::postgres {

namespace {

core::Error duplicate_name(const std::string& name) {
  return core::Error::conflict("a model named '" + name + "' already exists", "name");
}

}  // namespace

core::Result<ModelRow> PostgresStore::select_model(std::int64_t id) {
  auto rows = connection_.exec(
      std::string("SELECT ") + kModelColumns + " FROM models WHERE id = $1", Params().int64(id));
  if (!rows) return rows.take_error();
  if (rows->empty()) return core::Error::not_found("model " + std::to_string(id) + " not found");
  return read_model(Row(*rows, 0));
}

core::Result<ModelRow> PostgresStore::insert_model(const NewModel& model) {
  // One transaction for the model and its grant: a failure leaves neither behind.
  auto transaction = Transaction::begin_write(connection_);
  if (!transaction) return transaction.take_error();
  if (model.group_id) {
    if (auto status = require_group_field(*model.group_id); !status) return status.take_error();
  }
  const std::int64_t timestamp = now();
  auto rows = connection_.exec(
      "INSERT INTO models (name, provider, config, price_in, price_out, multiple, created_at, "
      "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
      Params()
          .text(model.name)
          .text(model.provider)
          .text(model.config)
          .money(model.price_in)
          .money(model.price_out)
          .boolean(model.multiple)
          .int64(timestamp));
  if (!rows) {
    if (connection_.failed_with(kUniqueViolation)) return duplicate_name(model.name);
    return rows.take_error();
  }
  const std::int64_t model_id = rows->int64(0, 0);
  if (model.group_id) {
    if (auto status = insert_grant(kInsertGroupGrant, *model.group_id, model_id); !status) {
      return status.take_error();
    }
  }
  auto row = select_model(model_id);
  if (!row) return row;
  if (auto status = notify_catalog_change(); !status) return status.take_error();
  if (auto status = transaction->commit(); !status) return status.take_error();
  return row;
}

core::Result<ModelRow> PostgresStore::find_model(std::int64_t id) { return select_model(id); }

core::Result<Page<ModelRow>> PostgresStore::list_models(const ModelFilter& filter) {
  Conditions conditions;
  conditions.contains({"name", "provider"}, filter.page.q);
  if (!filter.provider.empty()) conditions.equals("provider", filter.provider);
  return select_page<ModelRow>(connection_, {kModelColumns, "models", "id DESC"}, conditions,
                               filter.page, read_model);
}

core::Result<ModelRow> PostgresStore::update_model(std::int64_t id, const ModelUpdate& update) {
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
    if (auto status = changes.run(connection_, "models", id, now()); !status) {
      if (connection_.failed_with(kUniqueViolation)) {
        return duplicate_name(update.name.value_or(current->name));
      }
      return status.take_error();
    }
  }
  auto row = select_model(id);
  if (!row) return row;
  if (auto status = notify_catalog_change(); !status) return status.take_error();
  if (auto status = transaction->commit(); !status) return status.take_error();
  return row;
}

core::Status PostgresStore::delete_model(std::int64_t id) {
  // The grants go with it (ON DELETE CASCADE), in the same statement.
  return delete_row("DELETE FROM models WHERE id = $1", id,
                    "model " + std::to_string(id) + " not found");
}

}  // namespace store::postgres
