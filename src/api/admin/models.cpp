// /admin/model/...
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api/admin/body.hpp"
#include "api/admin/render.hpp"
#include "api/admin/routes.hpp"
#include "api/fields.hpp"
#include "api/list_query.hpp"
#include "api/secrets.hpp"
#include "core/json_numbers.hpp"
#include "providers/registry.hpp"

namespace api::admin {
namespace {

using boost::asio::awaitable;
namespace json = boost::json;

// `config` comes as an object or as a string holding one (the seed API sends a string).
core::Result<std::optional<json::object>> read_config(const json::object& body) {
  auto* config = body.if_contains("config");
  if (!config || config->is_null()) return std::optional<json::object>();
  if (config->is_object()) return std::optional<json::object>(config->get_object());
  if (config->is_string()) {
    if (config->get_string().empty()) return std::optional<json::object>(json::object());
    boost::system::error_code ec;
    auto parsed = json::parse(config->get_string(), ec);
    if (auto error = ec ? std::nullopt : core::out_of_range_number(parsed, "config")) {
      return std::move(*error);
    }
    if (!ec && parsed.is_object())
      return std::optional<json::object>(std::move(parsed.get_object()));
  }
  return core::Error::bad_request("config: must be a JSON object (or a string holding one)",
                                  "config");
}

core::Result<const providers::Provider*> find_provider(const providers::Registry& registry,
                                                       const std::string& name) {
  if (const auto* provider = registry.find(name)) return provider;
  std::string known;
  for (auto each : registry.names()) known += (known.empty() ? "" : ", ") + std::string(each);
  return core::Error::bad_request(
      "provider: unknown provider '" + name + "' (known: " + known + ")", "provider");
}

json::object stored_config(const std::string& text) {
  boost::system::error_code ec;
  auto parsed = json::parse(text, ec);
  return !ec && parsed.is_object() ? std::move(parsed.get_object()) : json::object();
}

// Prices, multiple and group_id, shared by create and update.
core::Status read_common(const Fields& fields, store::ModelUpdate& out) {
  auto price_in = fields.optional_money("price_in");
  if (!price_in) return price_in.take_error();
  out.price_in = *price_in;
  auto price_out = fields.optional_money("price_out");
  if (!price_out) return price_out.take_error();
  out.price_out = *price_out;
  auto multiple = fields.optional_bool("multiple");
  if (!multiple) return multiple.take_error();
  out.multiple = *multiple;
  auto group_id = fields.optional_id("group_id");
  if (!group_id) return group_id.take_error();
  out.group_id = *group_id;
  return core::Ok{};
}

core::Result<store::NewModel> read_new_model(const json::object& body,
                                             const providers::Registry& registry) {
  Fields fields(body);
  auto name = fields.required_string("name");
  if (!name) return name.take_error();
  auto provider_name = fields.required_string("provider");
  if (!provider_name) return provider_name.take_error();
  auto provider = find_provider(registry, *provider_name);
  if (!provider) return provider.take_error();
  auto config = read_config(body);
  if (!config) return config.take_error();
  json::object config_object = config->value_or(json::object());
  if (auto valid = (*provider)->validate(config_object, *name); !valid) return valid.take_error();
  store::ModelUpdate common;
  if (auto status = read_common(fields, common); !status) return status.take_error();
  store::NewModel model;
  model.name = std::move(*name);
  model.provider = std::move(*provider_name);
  model.config = json::serialize(config_object);
  model.price_in = common.price_in.value_or(core::Money());
  model.price_out = common.price_out.value_or(core::Money());
  model.multiple = common.multiple.value_or(false);
  model.group_id = common.group_id;
  return model;
}

// A partial update, validated against the stored row: the config that results (sent or
// kept, with masked secrets restored) must suit the provider that results.
core::Result<store::ModelUpdate> read_model_update(const json::object& body,
                                                   const store::ModelRow& stored,
                                                   const providers::Registry& registry) {
  Fields fields(body);
  store::ModelUpdate update;
  if (fields.has("name")) {
    auto name = fields.required_string("name");
    if (!name) return name.take_error();
    update.name = std::move(*name);
  }
  if (fields.has("provider")) {
    auto provider = fields.required_string("provider");
    if (!provider) return provider.take_error();
    update.provider = std::move(*provider);
  }
  auto provider = find_provider(registry, update.provider.value_or(stored.provider));
  if (!provider) return provider.take_error();
  auto config = read_config(body);
  if (!config) return config.take_error();
  json::object old_config = stored_config(stored.config);
  json::object new_config = config->value_or(old_config);
  restore_masked_secrets(new_config, old_config, (*provider)->secret_keys());
  if (auto valid = (*provider)->validate(new_config, update.name.value_or(stored.name)); !valid) {
    return valid.take_error();
  }
  if (config->has_value()) update.config = json::serialize(new_config);
  if (auto status = read_common(fields, update); !status) return status.take_error();
  return update;
}

awaitable<void> save(RequestContext& context, Database& database) {
  auto body = object_body(context);
  if (!body) co_return co_await answer_error(context, body.error());
  auto id = Fields(*body).optional_id("id");
  if (!id) co_return co_await answer_error(context, id.error());
  if (!*id) {
    auto model = read_new_model(*body, database.registry());
    if (!model) co_return co_await answer_error(context, model.error());
    auto insert = [model = std::move(*model)](store::Store& store) {
      return store.insert_model(model);
    };
    auto row = co_await database.write(std::move(insert));
    if (!row) co_return co_await answer_error(context, row.error());
    co_return co_await answer(context, json::value(render_model(*row, database.registry())));
  }
  // Read, validate against what is stored, then write; the write re-checks existence.
  auto find = [id = **id](store::Store& store) { return store.find_model(id); };
  auto stored = co_await database.read(std::move(find));
  if (!stored) co_return co_await answer_error(context, stored.error());
  auto update = read_model_update(*body, *stored, database.registry());
  if (!update) co_return co_await answer_error(context, update.error());
  auto write = [id = **id, update = std::move(*update)](store::Store& store) {
    return store.update_model(id, update);
  };
  auto row = co_await database.write(std::move(write));
  if (!row) co_return co_await answer_error(context, row.error());
  co_await answer(context, json::value(render_model(*row, database.registry())));
}

awaitable<void> remove(RequestContext& context, Database& database) {
  auto body = object_body(context);
  if (!body) co_return co_await answer_error(context, body.error());
  auto id = Fields(*body).required_id("id");
  if (!id) co_return co_await answer_error(context, id.error());
  auto job = [id = *id](store::Store& store) { return store.delete_model(id); };
  auto status = co_await database.write(std::move(job));
  if (!status) co_return co_await answer_error(context, status.error());
  json::object deleted;
  deleted["id"] = *id;
  co_await answer(context, json::value(std::move(deleted)));
}

awaitable<void> list(RequestContext& context, Database& database) {
  const auto& request = context.exchange.request();
  auto page = read_list_query(request);
  if (!page) co_return co_await answer_error(context, page.error());
  auto provider = read_text_param(request, "provider");
  if (!provider) co_return co_await answer_error(context, provider.error());
  store::ModelFilter filter{*page, std::move(*provider)};
  auto job = [filter](store::Store& store) { return store.list_models(filter); };
  auto rows = co_await database.read(std::move(job));
  if (!rows) co_return co_await answer_error(context, rows.error());
  json::array items;
  for (const auto& row : rows->items) items.push_back(render_model(row, database.registry()));
  co_await answer(context, render_page(std::move(items), rows->total, *page));
}

awaitable<void> detail(RequestContext& context, Database& database) {
  auto id = parse_path_id(context.path_id);
  if (!id) co_return co_await answer_error(context, id.error());
  auto job = [id = *id](store::Store& store) { return store.find_model(id); };
  auto row = co_await database.read(std::move(job));
  if (!row) co_return co_await answer_error(context, row.error());
  co_await answer(context, json::value(render_model(*row, database.registry())));
}

awaitable<void> list_providers(RequestContext& context, Database& database) {
  json::array items;
  for (auto name : database.registry().names()) {
    json::object entry;
    entry["name"] = name;
    json::array secrets;
    for (const auto& key : database.registry().find(name)->secret_keys())
      secrets.push_back(json::value(key));
    entry["secret_keys"] = std::move(secrets);
    items.push_back(std::move(entry));
  }
  co_await answer(context, json::value(std::move(items)));
}

}  // namespace

void add_model_routes(Router& router, Database& database) {
  auto bind = [&database](awaitable<void> (*handler)(RequestContext&, Database&)) {
    return [handler, &database](RequestContext& context) { return handler(context, database); };
  };
  router.add("POST", "/admin/model/save", Access::kAdmin, bind(save));
  router.add("POST", "/admin/model/delete", Access::kAdmin, bind(remove));
  router.add("GET", "/admin/model/list", Access::kAdmin, bind(list));
  router.add_with_id("GET", "/admin/model/detail/", Access::kAdmin, bind(detail));
  router.add("GET", "/admin/model/list-providers", Access::kAdmin, bind(list_providers));
}

}  // namespace api::admin
