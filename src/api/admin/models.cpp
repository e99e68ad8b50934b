#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api/admin/body.hpp"
#include "api/admin/render.hpp"
#include "api/admin/routes.hpp"
#include "api/fields.hpp"
#include "providers/registry.hpp"

namespace api::admin {
namespace {

// `config` comes as an object or as a string holding one (the seed API sends a string).
core::Result<boost::json::object> read_config(const boost::json::object& body) {
  auto* config = body.if_contains("config");
  if (!config || config->is_null()) return boost::json::object();
  if (config->is_object()) return config->get_object();
  if (config->is_string()) {
    if (config->get_string().empty()) return boost::json::object();
    boost::system::error_code ec;
    auto parsed = boost::json::parse(config->get_string(), ec);
    if (ec || !parsed.is_object()) {
      return core::Error::bad_request("config: must be a JSON object (or a string holding one)",
                                      "config");
    }
    return std::move(parsed.get_object());
  }
  return core::Error::bad_request("config: must be a JSON object (or a string holding one)",
                                  "config");
}

core::Result<store::NewModel> read_new_model(const boost::json::object& body,
                                             const providers::Registry& registry) {
  Fields fields(body);
  store::NewModel model;
  auto name = fields.required_string("name");
  if (!name) return name.take_error();
  model.name = std::move(*name);
  auto provider_name = fields.required_string("provider");
  if (!provider_name) return provider_name.take_error();
  const auto* provider = registry.find(*provider_name);
  if (!provider) {
    std::string known;
    for (auto name : registry.names()) known += (known.empty() ? "" : ", ") + std::string(name);
    return core::Error::bad_request(
        "provider: unknown provider '" + *provider_name + "' (known: " + known + ")", "provider");
  }
  model.provider = std::move(*provider_name);
  auto config = read_config(body);
  if (!config) return config.take_error();
  if (auto endpoint = provider->configure(*config, model.name); !endpoint)
    return endpoint.take_error();
  model.config = boost::json::serialize(*config);
  auto price_in = fields.optional_money("price_in");
  if (!price_in) return price_in.take_error();
  model.price_in = price_in->value_or(core::Money());
  auto price_out = fields.optional_money("price_out");
  if (!price_out) return price_out.take_error();
  model.price_out = price_out->value_or(core::Money());
  auto multiple = fields.optional_bool("multiple");
  if (!multiple) return multiple.take_error();
  model.multiple = multiple->value_or(false);
  auto group_id = fields.optional_id("group_id");
  if (!group_id) return group_id.take_error();
  model.group_id = *group_id;
  return model;
}

boost::asio::awaitable<void> save(RequestContext& context, Database& database) {
  auto body = object_body(context);
  if (!body) co_return co_await answer(context, body.take_error());
  if (Fields(*body).has("id")) {
    co_return co_await answer(
        context, core::Error::bad_request(
                     "id: updating a model is not available yet; omit id to create one", "id"));
  }
  auto model = read_new_model(*body, database.registry());
  if (!model) co_return co_await answer(context, model.take_error());
  auto insert = [model = std::move(*model)](store::Store& store) {
    return store.insert_model(model);
  };
  auto row = co_await database.write(std::move(insert));
  if (!row) co_return co_await answer(context, row.take_error());
  co_await answer(context, boost::json::value(render_model(*row, database.registry())));
}

}  // namespace

void add_model_routes(Router& router, Database& database) {
  router.add("POST", "/admin/model/save", Access::kAdmin,
             [&database](RequestContext& context) { return save(context, database); });
}

}  // namespace api::admin
