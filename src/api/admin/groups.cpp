#include <boost/json/object.hpp>

#include "api/admin/body.hpp"
#include "api/admin/routes.hpp"
#include "api/fields.hpp"

namespace api::admin {
namespace {

boost::asio::awaitable<void> authorize_model(RequestContext& context, Database& database) {
  auto body = object_body(context);
  if (!body) co_return co_await answer(context, body.take_error());
  Fields fields(*body);
  auto group_id = fields.required_id("group_id");
  if (!group_id) co_return co_await answer(context, group_id.take_error());
  auto model_id = fields.required_id("model_id");
  if (!model_id) co_return co_await answer(context, model_id.take_error());
  auto grant = [group = *group_id, model = *model_id](store::Store& store) {
    return store.grant_model_to_group(group, model);
  };
  auto status = co_await database.write(std::move(grant));
  if (!status) co_return co_await answer(context, status.take_error());
  boost::json::object granted;
  granted["group_id"] = *group_id;
  granted["model_id"] = *model_id;
  co_await answer(context, boost::json::value(std::move(granted)));
}

}  // namespace

void add_group_routes(Router& router, Database& database) {
  router.add("POST", "/admin/group/authorize-model", Access::kAdmin,
             [&database](RequestContext& context) { return authorize_model(context, database); });
}

}  // namespace api::admin
