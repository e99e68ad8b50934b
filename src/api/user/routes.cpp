#include "api/user/routes.hpp"

#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/admin/body.hpp"
#include "api/list_query.hpp"

namespace api::user {
namespace {

using admin::answer;
using admin::answer_error;
using boost::asio::awaitable;
namespace json = boost::json;

// SPEC 3: `q` is a case-insensitive substring (ASCII case folding, as the store's lists do).
std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

struct KeyWithGroup {
  store::KeyRow key;
  std::string group_name;
};

awaitable<void> mine(RequestContext& context, Database& database) {
  auto job = [id = context.key->id](store::Store& store) -> core::Result<KeyWithGroup> {
    auto key = store.find_key(id);
    if (!key) return key.take_error();
    auto group = store.find_group(key->group_id);
    return KeyWithGroup{std::move(*key), group ? group->name : std::string()};
  };
  auto row = co_await database.read(std::move(job));
  if (!row) co_return co_await answer_error(context, row.error());
  auto key = database.current(row->key);
  json::object out;
  out["id"] = key.id;
  out["name"] = key.name;
  out["email"] = key.email;
  out["role"] = store::to_string(key.role);
  out["group_id"] = key.group_id;
  out["group_name"] = row->group_name;
  out["key"] = key.key_hint;
  out["month_quota"] = key.month_quota.to_json();
  out["month_fee"] = key.month_fee.to_json();
  out["balance"] = key.balance.to_json();
  out["total_fee"] = key.total_fee.to_json();
  out["created_at"] = key.created_at;
  co_await answer(context, json::value(std::move(out)));
}

awaitable<void> models(RequestContext& context, Database&) {
  auto page = read_list_query(context.exchange.request());
  if (!page) co_return co_await answer_error(context, page.error());
  auto models = context.snapshot->models_for(*context.key);
  json::array items;
  std::int64_t index = 0;
  const std::string needle = ascii_lower(page->q);
  for (const auto* model : models) {
    bool matches = needle.empty() || ascii_lower(model->name).find(needle) != std::string::npos ||
                   ascii_lower(model->provider).find(needle) != std::string::npos;
    if (!matches) continue;
    if (index++ < page->offset || static_cast<std::int64_t>(items.size()) >= page->limit) continue;
    json::object entry;
    entry["id"] = model->id;
    entry["name"] = model->name;
    entry["provider"] = model->provider;
    entry["multiple"] = model->multiple;
    entry["price_in"] = model->price_in.to_json();
    entry["price_out"] = model->price_out.to_json();
    items.push_back(std::move(entry));
  }
  co_await answer(context, render_page(std::move(items), index, *page));
}

}  // namespace

void add_routes(Router& router, Database& database) {
  router.add("GET", "/user/api-key/mine", Access::kAnyKey,
             [&database](RequestContext& context) { return mine(context, database); });
  router.add("GET", "/user/model/list", Access::kAnyKey,
             [&database](RequestContext& context) { return models(context, database); });
}

}  // namespace api::user
