#include <boost/json/object.hpp>

#include "api/admin/body.hpp"
#include "api/admin/render.hpp"
#include "api/admin/routes.hpp"
#include "api/fields.hpp"
#include "core/api_key.hpp"

namespace api::admin {
namespace {

core::Result<store::NewKey> read_new_key(const boost::json::object& body, std::string& plain_key) {
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
  auto role = fields.optional_string("role");
  if (!role) return role.take_error();
  if (role->has_value() && !(*role)->empty()) {
    auto parsed = store::role_from_string(**role);
    if (!parsed) return core::Error::bad_request("role: must be 'user' or 'admin'", "role");
    key.role = *parsed;
  }
  auto month_quota = fields.optional_money("month_quota");
  if (!month_quota) return month_quota.take_error();
  key.month_quota = month_quota->value_or(core::Money());
  auto balance = fields.optional_money("balance");
  if (!balance) return balance.take_error();
  key.balance = balance->value_or(core::Money());
  plain_key = core::generate_api_key();
  key.key_hash = core::hash_api_key(plain_key);
  key.key_hint = core::mask_api_key(plain_key);
  return key;
}

boost::asio::awaitable<void> apply(RequestContext& context, Database& database) {
  auto body = object_body(context);
  if (!body) co_return co_await answer(context, body.take_error());
  std::string plain_key;
  auto key = read_new_key(*body, plain_key);
  if (!key) co_return co_await answer(context, key.take_error());
  // GCC 12: a capturing lambda inside a co_await expression is miscompiled; name it first.
  auto insert = [key = std::move(*key)](store::Store& store) { return store.insert_key(key); };
  auto row = co_await database.write(std::move(insert));
  if (!row) co_return co_await answer(context, row.take_error());
  auto rendered = render_key(*row);
  rendered["api_key"] = plain_key;  // the only time the plain key is shown
  co_await answer(context, boost::json::value(std::move(rendered)));
}

boost::asio::awaitable<void> authorize_model(RequestContext& context, Database& database) {
  auto body = object_body(context);
  if (!body) co_return co_await answer(context, body.take_error());
  Fields fields(*body);
  auto key_id = fields.required_id("key_id");
  if (!key_id) co_return co_await answer(context, key_id.take_error());
  auto model_id = fields.required_id("model_id");
  if (!model_id) co_return co_await answer(context, model_id.take_error());
  auto grant = [key = *key_id, model = *model_id](store::Store& store) {
    return store.grant_model_to_key(key, model);
  };
  auto status = co_await database.write(std::move(grant));
  if (!status) co_return co_await answer(context, status.take_error());
  boost::json::object granted;
  granted["key_id"] = *key_id;
  granted["model_id"] = *model_id;
  co_await answer(context, boost::json::value(std::move(granted)));
}

}  // namespace

void add_key_routes(Router& router, Database& database) {
  router.add("POST", "/admin/api-key/apply", Access::kAdmin,
             [&database](RequestContext& context) { return apply(context, database); });
  router.add("POST", "/admin/api-key/authorize-model", Access::kAdmin,
             [&database](RequestContext& context) { return authorize_model(context, database); });
}

}  // namespace api::admin
