// /admin/group/...
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/admin/body.hpp"
#include "api/admin/render.hpp"
#include "api/admin/routes.hpp"
#include "api/fields.hpp"
#include "api/list_query.hpp"

namespace api::admin {
namespace {

using boost::asio::awaitable;
namespace json = boost::json;

awaitable<void> list(RequestContext& context, Database& database) {
  auto page = read_list_query(context.exchange.request());
  if (!page) co_return co_await answer_error(context, page.error());
  auto job = [page = *page](store::Store& store) { return store.list_groups(page); };
  auto rows = co_await database.read(std::move(job));
  if (!rows) co_return co_await answer_error(context, rows.error());
  json::array items;
  for (const auto& row : rows->items) items.push_back(render_group_list_row(row));
  co_await answer(context, render_page(std::move(items), rows->total, *page));
}

awaitable<void> detail(RequestContext& context, Database& database) {
  auto id = parse_path_id(context.path_id);
  if (!id) co_return co_await answer_error(context, id.error());
  auto job = [id = *id](store::Store& store) { return store.find_group(id); };
  auto row = co_await database.read(std::move(job));
  if (!row) co_return co_await answer_error(context, row.error());
  co_await answer(context, json::value(render_group(*row)));
}

awaitable<void> save(RequestContext& context, Database& database) {
  auto body = object_body(context);
  if (!body) co_return co_await answer_error(context, body.error());
  Fields fields(*body);
  auto id = fields.optional_id("id");
  if (!id) co_return co_await answer_error(context, id.error());
  auto name = fields.required_string("name");
  if (!name) co_return co_await answer_error(context, name.error());
  auto job = [id = *id, name = std::move(*name)](store::Store& store) {
    return id ? store.rename_group(*id, name) : store.insert_group(name);
  };
  auto row = co_await database.write(std::move(job));
  if (!row) co_return co_await answer_error(context, row.error());
  co_await answer(context, json::value(render_group(*row)));
}

awaitable<void> remove(RequestContext& context, Database& database) {
  auto body = object_body(context);
  if (!body) co_return co_await answer_error(context, body.error());
  Fields fields(*body);
  auto id = fields.required_id("id");
  if (!id) co_return co_await answer_error(context, id.error());
  auto force = fields.optional_bool("force");
  if (!force) co_return co_await answer_error(context, force.error());
  auto job = [id = *id, force = force->value_or(false)](store::Store& store) {
    return store.delete_group(id, force);
  };
  auto status = co_await database.write(std::move(job));
  if (!status) co_return co_await answer_error(context, status.error());
  json::object deleted;
  deleted["id"] = *id;
  co_await answer(context, json::value(std::move(deleted)));
}

awaitable<void> list_models(RequestContext& context, Database& database) {
  const auto& request = context.exchange.request();
  auto page = read_list_query(request);
  if (!page) co_return co_await answer_error(context, page.error());
  store::GrantFilter filter{*page, std::nullopt, std::nullopt};
  auto group_id = read_id_param(request, "group_id");
  if (!group_id) co_return co_await answer_error(context, group_id.error());
  filter.subject_id = *group_id;
  auto model_id = read_id_param(request, "model_id");
  if (!model_id) co_return co_await answer_error(context, model_id.error());
  filter.model_id = *model_id;
  auto job = [filter](store::Store& store) { return store.list_group_grants(filter); };
  auto rows = co_await database.read(std::move(job));
  if (!rows) co_return co_await answer_error(context, rows.error());
  json::array items;
  for (const auto& row : rows->items) items.push_back(render_grant(row, "group_id"));
  co_await answer(context, render_page(std::move(items), rows->total, *page));
}

awaitable<void> change_grant(RequestContext& context, Database& database, bool grant) {
  auto body = object_body(context);
  if (!body) co_return co_await answer_error(context, body.error());
  Fields fields(*body);
  auto group_id = fields.required_id("group_id");
  if (!group_id) co_return co_await answer_error(context, group_id.error());
  auto model_id = fields.required_id("model_id");
  if (!model_id) co_return co_await answer_error(context, model_id.error());
  auto job = [group = *group_id, model = *model_id, grant](store::Store& store) {
    return grant ? store.grant_model_to_group(group, model)
                 : store.revoke_model_from_group(group, model);
  };
  auto status = co_await database.write(std::move(job));
  if (!status) co_return co_await answer_error(context, status.error());
  json::object result;
  result["group_id"] = *group_id;
  result["model_id"] = *model_id;
  result["authorized"] = grant;
  co_await answer(context, json::value(std::move(result)));
}

}  // namespace

void add_group_routes(Router& router, Database& database) {
  auto bind = [&database](awaitable<void> (*handler)(RequestContext&, Database&)) {
    return [handler, &database](RequestContext& context) { return handler(context, database); };
  };
  router.add("GET", "/admin/group/list", Access::kAdmin, bind(list));
  router.add_with_id("GET", "/admin/group/detail/", Access::kAdmin, bind(detail));
  router.add("POST", "/admin/group/save", Access::kAdmin, bind(save));
  router.add("POST", "/admin/group/delete", Access::kAdmin, bind(remove));
  router.add("GET", "/admin/group/list-model", Access::kAdmin, bind(list_models));
  router.add(
      "POST", "/admin/group/authorize-model", Access::kAdmin,
      [&database](RequestContext& context) { return change_grant(context, database, true); });
  router.add(
      "POST", "/admin/group/deauthorize-model", Access::kAdmin,
      [&database](RequestContext& context) { return change_grant(context, database, false); });
}

}  // namespace api::admin
