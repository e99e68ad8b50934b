// /admin/api-key/... and /admin/payment/list.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/admin/body.hpp"
#include "api/admin/render.hpp"
#include "api/admin/routes.hpp"
#include "api/fields.hpp"
#include "api/list_query.hpp"
#include "core/api_key.hpp"

namespace api::admin {
namespace {

using boost::asio::awaitable;
namespace json = boost::json;

core::Result<std::optional<store::Role>> read_role(const Fields& fields) {
  auto role = fields.optional_string("role");
  if (!role) return role.take_error();
  if (!role->has_value() || (*role)->empty()) return std::optional<store::Role>();
  auto parsed = store::role_from_string(**role);
  if (!parsed) return core::Error::bad_request("role: must be 'user' or 'admin'", "role");
  return std::optional<store::Role>(*parsed);
}

core::Result<store::NewKey> read_new_key(const json::object& body) {
  Fields fields(body);
  store::NewKey key;
  auto name = fields.required_string("name");
  if (!name) return name.take_error();
  key.name = std::move(*name);
  auto email = fields.optional_string("email", 320);
  if (!email) return email.take_error();
  key.email = email->value_or("");
  auto group_id = fields.optional_id("group_id");
  if (!group_id) return group_id.take_error();
  key.group_id = group_id->value_or(store::kDefaultGroupId);
  auto role = read_role(fields);
  if (!role) return role.take_error();
  key.role = role->value_or(store::Role::kUser);
  auto month_quota = fields.optional_money("month_quota");
  if (!month_quota) return month_quota.take_error();
  key.month_quota = month_quota->value_or(core::Money());
  auto balance = fields.optional_money("balance");
  if (!balance) return balance.take_error();
  key.balance = balance->value_or(core::Money());
  return key;
}

core::Result<store::KeyUpdate> read_key_update(const json::object& body) {
  Fields fields(body);
  store::KeyUpdate update;
  if (fields.has("name")) {
    auto name = fields.required_string("name");
    if (!name) return name.take_error();
    update.name = std::move(*name);
  }
  auto email = fields.optional_string("email", 320);
  if (!email) return email.take_error();
  update.email = std::move(*email);
  auto group_id = fields.optional_id("group_id");
  if (!group_id) return group_id.take_error();
  update.group_id = *group_id;
  auto role = read_role(fields);
  if (!role) return role.take_error();
  update.role = *role;
  auto month_quota = fields.optional_money("month_quota");
  if (!month_quota) return month_quota.take_error();
  update.month_quota = *month_quota;
  return update;
}

// Calls that name a key by `id` or by its plain `api_key` resolve it to an id.
awaitable<core::Result<std::int64_t>> resolve_key_id(const json::object& body, Database& database) {
  Fields fields(body);
  auto id = fields.optional_id("id");
  if (!id) co_return id.take_error();
  if (*id) co_return **id;
  auto plain = fields.optional_string("api_key", 256);
  if (!plain) co_return plain.take_error();
  if (!plain->has_value() || (*plain)->empty()) {
    co_return core::Error::bad_request("id or api_key: one of them is required", "id");
  }
  auto find = [hash = core::hash_api_key(**plain)](store::Store& store) {
    return store.find_key_by_hash(hash);
  };
  auto key = co_await database.read(std::move(find));
  if (!key) co_return core::Error::not_found("no api key matches api_key");
  co_return key->id;
}

awaitable<void> apply(RequestContext& context, Database& database) {
  auto body = object_body(context);
  if (!body) co_return co_await answer_error(context, body.error());
  auto key = read_new_key(*body);
  if (!key) co_return co_await answer_error(context, key.error());
  std::string plain_key = core::generate_api_key();
  key->key_hash = core::hash_api_key(plain_key);
  key->key_hint = core::mask_api_key(plain_key);
  // GCC 12: a capturing lambda inside a co_await expression is miscompiled; name it first.
  auto insert = [key = std::move(*key)](store::Store& store) { return store.insert_key(key); };
  auto row = co_await database.write_key(0, std::move(insert));
  if (!row) co_return co_await answer_error(context, row.error());
  auto rendered = render_key(database.current(*row));
  rendered["api_key"] = plain_key;  // the only time the plain key is shown
  co_await answer(context, json::value(std::move(rendered)));
}

awaitable<void> update(RequestContext& context, Database& database) {
  auto body = object_body(context);
  if (!body) co_return co_await answer_error(context, body.error());
  auto id = Fields(*body).required_id("id");
  if (!id) co_return co_await answer_error(context, id.error());
  auto changes = read_key_update(*body);
  if (!changes) co_return co_await answer_error(context, changes.error());
  auto job = [id = *id, changes = std::move(*changes)](store::Store& store) {
    return store.update_key(id, changes);
  };
  auto row = co_await database.write_key(*id, std::move(job));
  if (!row) co_return co_await answer_error(context, row.error());
  co_await answer(context, json::value(render_key(database.current(*row))));
}

awaitable<void> recharge(RequestContext& context, Database& database) {
  auto body = object_body(context);
  if (!body) co_return co_await answer_error(context, body.error());
  auto amount = Fields(*body).optional_money("balance");
  if (!amount) co_return co_await answer_error(context, amount.error());
  if (!amount->has_value() || (*amount)->nanos() <= 0) {
    co_return co_await answer_error(
        context,
        core::Error::bad_request("balance: the amount to add must be greater than 0", "balance"));
  }
  auto id = co_await resolve_key_id(*body, database);
  if (!id) co_return co_await answer_error(context, id.error());
  auto job = [id = *id, amount = **amount, admin = context.key->id](store::Store& store) {
    return store.recharge_key(id, amount, admin);
  };
  auto result = co_await database.write_key(*id, std::move(job));
  if (!result) co_return co_await answer_error(context, result.error());
  auto rendered = render_key(database.current(result->key));
  rendered["payment"] = render_payment(result->payment);
  co_await answer(context, json::value(std::move(rendered)));
}

awaitable<void> reset_key(RequestContext& context, Database& database) {
  auto body = object_body(context);
  if (!body) co_return co_await answer_error(context, body.error());
  auto id = co_await resolve_key_id(*body, database);
  if (!id) co_return co_await answer_error(context, id.error());
  std::string plain_key = core::generate_api_key();
  auto job = [id = *id, hash = core::hash_api_key(plain_key), hint = core::mask_api_key(plain_key)](
                 store::Store& store) { return store.replace_key_hash(id, hash, hint); };
  auto row = co_await database.write_key(*id, std::move(job));
  if (!row) co_return co_await answer_error(context, row.error());
  auto rendered = render_key(database.current(*row));
  rendered["api_key"] = plain_key;  // shown once; the old key stopped working
  co_await answer(context, json::value(std::move(rendered)));
}

awaitable<void> remove(RequestContext& context, Database& database) {
  auto body = object_body(context);
  if (!body) co_return co_await answer_error(context, body.error());
  auto id = co_await resolve_key_id(*body, database);
  if (!id) co_return co_await answer_error(context, id.error());
  auto job = [id = *id](store::Store& store) { return store.delete_key(id); };
  auto status = co_await database.write_key(*id, std::move(job));
  if (!status) co_return co_await answer_error(context, status.error());
  json::object deleted;
  deleted["id"] = *id;
  co_await answer(context, json::value(std::move(deleted)));
}

awaitable<void> list(RequestContext& context, Database& database) {
  const auto& request = context.exchange.request();
  auto page = read_list_query(request);
  if (!page) co_return co_await answer_error(context, page.error());
  auto name = read_text_param(request, "name");
  if (!name) co_return co_await answer_error(context, name.error());
  store::KeyFilter filter{*page, std::move(*name), std::nullopt, std::nullopt};
  auto group_id = read_id_param(request, "group_id");
  if (!group_id) co_return co_await answer_error(context, group_id.error());
  filter.group_id = *group_id;
  if (auto role = request.query_param("role"); role && !role->empty()) {
    filter.role = store::role_from_string(*role);
    if (!filter.role) {
      co_return co_await answer_error(
          context, core::Error::bad_request("role: must be 'user' or 'admin'", "role"));
    }
  }
  auto job = [filter](store::Store& store) { return store.list_keys(filter); };
  auto rows = co_await database.read(std::move(job));
  if (!rows) co_return co_await answer_error(context, rows.error());
  json::array items;
  for (const auto& row : rows->items) {
    auto current = row;
    current.key = database.current(row.key);
    items.push_back(render_key_list_row(current));
  }
  co_await answer(context, render_page(std::move(items), rows->total, *page));
}

awaitable<void> detail(RequestContext& context, Database& database) {
  auto id = parse_path_id(context.path_id);
  if (!id) co_return co_await answer_error(context, id.error());
  auto job = [id = *id](store::Store& store) { return store.find_key(id); };
  auto row = co_await database.read(std::move(job));
  if (!row) co_return co_await answer_error(context, row.error());
  co_await answer(context, json::value(render_key(database.current(*row))));
}

awaitable<void> list_models(RequestContext& context, Database& database) {
  const auto& request = context.exchange.request();
  auto page = read_list_query(request);
  if (!page) co_return co_await answer_error(context, page.error());
  store::GrantFilter filter{*page, std::nullopt, std::nullopt};
  auto key_id = read_id_param(request, "key_id");
  if (!key_id) co_return co_await answer_error(context, key_id.error());
  filter.subject_id = *key_id;
  auto model_id = read_id_param(request, "model_id");
  if (!model_id) co_return co_await answer_error(context, model_id.error());
  filter.model_id = *model_id;
  auto job = [filter](store::Store& store) { return store.list_key_grants(filter); };
  auto rows = co_await database.read(std::move(job));
  if (!rows) co_return co_await answer_error(context, rows.error());
  json::array items;
  for (const auto& row : rows->items) items.push_back(render_grant(row, "key_id"));
  co_await answer(context, render_page(std::move(items), rows->total, *page));
}

awaitable<void> change_grant(RequestContext& context, Database& database, bool grant) {
  auto body = object_body(context);
  if (!body) co_return co_await answer_error(context, body.error());
  Fields fields(*body);
  auto key_id = fields.required_id("key_id");
  if (!key_id) co_return co_await answer_error(context, key_id.error());
  auto model_id = fields.required_id("model_id");
  if (!model_id) co_return co_await answer_error(context, model_id.error());
  auto job = [key = *key_id, model = *model_id, grant](store::Store& store) {
    return grant ? store.grant_model_to_key(key, model) : store.revoke_model_from_key(key, model);
  };
  auto status = co_await database.write(std::move(job));
  if (!status) co_return co_await answer_error(context, status.error());
  json::object result;
  result["key_id"] = *key_id;
  result["model_id"] = *model_id;
  result["authorized"] = grant;
  co_await answer(context, json::value(std::move(result)));
}

awaitable<void> list_payments(RequestContext& context, Database& database) {
  const auto& request = context.exchange.request();
  auto page = read_list_query(request);
  if (!page) co_return co_await answer_error(context, page.error());
  auto key_id = read_id_param(request, "key_id");
  if (!key_id) co_return co_await answer_error(context, key_id.error());
  auto job = [key_id = *key_id, page = *page](store::Store& store) {
    return store.list_payments(key_id, page);
  };
  auto rows = co_await database.read(std::move(job));
  if (!rows) co_return co_await answer_error(context, rows.error());
  json::array items;
  for (const auto& row : rows->items) items.push_back(render_payment(row));
  co_await answer(context, render_page(std::move(items), rows->total, *page));
}

}  // namespace

void add_key_routes(Router& router, Database& database) {
  auto bind = [&database](awaitable<void> (*handler)(RequestContext&, Database&)) {
    return [handler, &database](RequestContext& context) { return handler(context, database); };
  };
  router.add("POST", "/admin/api-key/apply", Access::kAdmin, bind(apply));
  router.add("POST", "/admin/api-key/update", Access::kAdmin, bind(update));
  router.add("POST", "/admin/api-key/recharge", Access::kAdmin, bind(recharge));
  router.add("POST", "/admin/api-key/reset-key", Access::kAdmin, bind(reset_key));
  router.add("POST", "/admin/api-key/delete", Access::kAdmin, bind(remove));
  router.add("GET", "/admin/api-key/list", Access::kAdmin, bind(list));
  router.add_with_id("GET", "/admin/api-key/detail/", Access::kAdmin, bind(detail));
  router.add("GET", "/admin/api-key/list-model", Access::kAdmin, bind(list_models));
  router.add(
      "POST", "/admin/api-key/authorize-model", Access::kAdmin,
      [&database](RequestContext& context) { return change_grant(context, database, true); });
  router.add(
      "POST", "/admin/api-key/deauthorize-model", Access::kAdmin,
      [&database](RequestContext& context) { return change_grant(context, database, false); });
  router.add("GET", "/admin/payment/list", Access::kAdmin, bind(list_payments));
}

}  // namespace api::admin
