// /admin/bot/feishu/...: Feishu bots (the webhook runtime is its own issue).
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api/admin/body.hpp"
#include "api/admin/render.hpp"
#include "api/admin/routes.hpp"
#include "api/fields.hpp"
#include "api/list_query.hpp"
#include "api/secrets.hpp"
#include "core/api_key.hpp"

namespace api::admin {
namespace {

using boost::asio::awaitable;
namespace json = boost::json;

constexpr std::string_view kConfigFields[] = {"appId",   "appSecret",  "apiKey",
                                              "modelId", "encryptKey", "verificationToken"};
constexpr std::string_view kRequiredFields[] = {"appId", "appSecret", "apiKey", "modelId"};

json::object parse_object(const std::string& text) {
  boost::system::error_code ec;
  auto parsed = json::parse(text, ec);
  return !ec && parsed.is_object() ? std::move(parsed.get_object()) : json::object();
}

// Config fields from `config` (object or JSON string) and from the top level of the body,
// where the seed API's "update a webhook" example puts them; top-level ones win.
core::Result<json::object> read_sent_config(const json::object& body) {
  json::object config;
  if (auto* sent = body.if_contains("config"); sent && !sent->is_null()) {
    if (sent->is_object()) {
      config = sent->get_object();
    } else if (sent->is_string() && sent->get_string().empty()) {
    } else if (sent->is_string()) {
      boost::system::error_code ec;
      auto parsed = json::parse(sent->get_string(), ec);
      if (ec || !parsed.is_object()) {
        return core::Error::bad_request("config: must be a JSON object (or a string holding one)",
                                        "config");
      }
      config = std::move(parsed.get_object());
    } else {
      return core::Error::bad_request("config: must be a JSON object (or a string holding one)",
                                      "config");
    }
  }
  for (auto field : kConfigFields) {
    if (auto* value = body.if_contains(field); value && !value->is_null()) config[field] = *value;
  }
  for (auto field : kConfigFields) {
    if (auto* value = config.if_contains(field);
        value && !value->is_null() && !value->is_string()) {
      return core::Error::bad_request("config." + std::string(field) + ": must be a string",
                                      "config." + std::string(field));
    }
  }
  return config;
}

core::Status check_complete(const json::object& config) {
  for (auto field : kRequiredFields) {
    auto* value = config.if_contains(field);
    if (!value || !value->is_string() || value->get_string().empty()) {
      return core::Error::bad_request("config." + std::string(field) + ": required",
                                      "config." + std::string(field));
    }
  }
  return core::Ok{};
}

// The llmgate key a bot charges is stored as its SHA-256 ("apiKeyHash") and its masked form
// ("apiKey"), never in plain (SPEC 2). The masked form sent back (as an API answer showed
// it) keeps the stored digest; a key sent in plain replaces it.
core::Status keep_api_key_hashed(json::object& config, const json::object& stored) {
  auto* key = config.if_contains("apiKey");
  if (!key || !key->is_string() || key->get_string().empty()) return core::Ok{};
  const std::string sent(key->get_string());
  if (!core::looks_masked(sent)) {
    config["apiKeyHash"] = core::hash_api_key(sent);
    config["apiKey"] = core::mask_secret(sent);
    return core::Ok{};
  }
  auto* digest = stored.if_contains("apiKeyHash");
  if (!digest || !digest->is_string() || digest->get_string().empty()) {
    return core::Error::bad_request(
        "config.apiKey: the llmgate key itself (br-…) is needed, not a masked form",
        "config.apiKey");
  }
  config["apiKeyHash"] = *digest;
  if (auto* shown = stored.if_contains("apiKey")) config["apiKey"] = *shown;
  return core::Ok{};
}

std::string config_string(const json::object& config, std::string_view field) {
  auto* value = config.if_contains(field);
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

awaitable<void> save(RequestContext& context, Database& database) {
  auto body = object_body(context);
  if (!body) co_return co_await answer_error(context, body.error());
  Fields fields(*body);
  auto id = fields.optional_id("id");
  if (!id) co_return co_await answer_error(context, id.error());
  auto name = fields.optional_string("name");
  if (!name) co_return co_await answer_error(context, name.error());
  auto provider = fields.optional_string("provider");
  if (!provider) co_return co_await answer_error(context, provider.error());
  auto sent = read_sent_config(*body);
  if (!sent) co_return co_await answer_error(context, sent.error());

  // Which bot: by id, else by an appId some bot already has, else a new one.
  std::optional<store::BotRow> existing;
  if (*id) {
    auto find = [id = **id](store::Store& store) { return store.find_bot(id); };
    auto found = co_await database.read(std::move(find));
    if (!found) co_return co_await answer_error(context, found.error());
    existing = std::move(*found);
  } else if (auto app_id = config_string(*sent, "appId"); !app_id.empty()) {
    auto find = [app_id](store::Store& store) { return store.find_bot_by_app_id(app_id); };
    existing = co_await database.read(std::move(find));
  }

  json::object config = existing ? parse_object(existing->config) : json::object();
  const json::object stored_config = config;
  if (existing) restore_masked_secrets(*sent, config, bot_secret_keys());
  for (auto& [field, value] : *sent) config[field] = value;
  if (auto hashed = keep_api_key_hashed(config, stored_config); !hashed)
    co_return co_await answer_error(context, hashed.error());
  if (auto complete = check_complete(config); !complete)
    co_return co_await answer_error(context, complete.error());

  store::BotRow bot;
  bot.app_id = config_string(config, "appId");
  bot.config = json::serialize(config);
  bot.name = name->value_or(existing ? existing->name : bot.app_id);
  bot.provider = provider->value_or(existing ? existing->provider : "");
  core::Result<store::BotRow> row = core::Error::internal("unreachable");
  // Bots are not in the catalog (a webhook reads its bot from the store): no rebuild.
  if (existing) {
    store::BotUpdate update{bot.name, bot.provider, bot.app_id, bot.config};
    auto job = [id = existing->id, update = std::move(update)](store::Store& store) {
      return store.update_bot(id, update);
    };
    row = co_await database.in_write_order(std::move(job));
  } else {
    auto job = [bot = std::move(bot)](store::Store& store) { return store.insert_bot(bot); };
    row = co_await database.in_write_order(std::move(job));
  }
  if (!row) co_return co_await answer_error(context, row.error());
  co_await answer(context, json::value(render_bot(*row)));
}

awaitable<void> remove(RequestContext& context, Database& database) {
  auto body = object_body(context);
  if (!body) co_return co_await answer_error(context, body.error());
  auto id = Fields(*body).required_id("id");
  if (!id) co_return co_await answer_error(context, id.error());
  auto job = [id = *id](store::Store& store) { return store.delete_bot(id); };
  auto status = co_await database.in_write_order(std::move(job));
  if (!status) co_return co_await answer_error(context, status.error());
  json::object deleted;
  deleted["id"] = *id;
  co_await answer(context, json::value(std::move(deleted)));
}

awaitable<void> list(RequestContext& context, Database& database) {
  auto page = read_list_query(context.exchange.request());
  if (!page) co_return co_await answer_error(context, page.error());
  auto job = [page = *page](store::Store& store) { return store.list_bots(page); };
  auto rows = co_await database.read(std::move(job));
  if (!rows) co_return co_await answer_error(context, rows.error());
  json::array items;
  for (const auto& row : rows->items) items.push_back(render_bot(row));
  co_await answer(context, render_page(std::move(items), rows->total, *page));
}

}  // namespace

void add_bot_routes(Router& router, Database& database) {
  auto bind = [&database](awaitable<void> (*handler)(RequestContext&, Database&)) {
    return [handler, &database](RequestContext& context) { return handler(context, database); };
  };
  router.add("GET", "/admin/bot/feishu/list", Access::kAdmin, bind(list));
  router.add("POST", "/admin/bot/feishu/save", Access::kAdmin, bind(save));
  router.add("POST", "/admin/bot/feishu/delete", Access::kAdmin, bind(remove));
}

}  // namespace api::admin
