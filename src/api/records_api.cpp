#include "api/records_api.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include "api/admin/body.hpp"
#include "api/list_query.hpp"

namespace api {
namespace {

using admin::answer;
using admin::answer_error;
using boost::asio::awaitable;
namespace json = boost::json;

json::value parse_or_text(const std::string& text) {
  if (text.empty()) return nullptr;
  boost::system::error_code ec;
  auto parsed = json::parse(text, ec);
  return ec ? json::value(text) : parsed;
}

json::object render_session(const store::SessionRow& session) {
  json::object out;
  out["id"] = session.id;
  out["key_id"] = session.key_id;
  out["key_name"] = session.key_name;
  out["title"] = session.title;
  out["total_in_tokens"] = session.total_in_tokens;
  out["total_out_tokens"] = session.total_out_tokens;
  out["total_fee"] = session.total_fee.to_json();
  out["thread_count"] = session.thread_count;
  out["created_at"] = session.created_at;
  out["updated_at"] = session.updated_at;
  return out;
}

json::object render_thread(const store::ThreadRow& row) {
  const auto& thread = row.thread;
  json::object out;
  out["id"] = row.id;
  out["session_id"] = row.session_id;
  out["key_id"] = thread.key_id;
  out["request_id"] = thread.request_id;
  out["model"] = thread.model;
  out["prompt"] = thread.prompt;
  out["completion"] = thread.completion;
  out["tool_calls"] = parse_or_text(thread.tool_calls);
  out["whole_prompt"] = parse_or_text(thread.whole_prompt);
  out["tokens_in"] = thread.tokens_in;
  out["tokens_out"] = thread.tokens_out;
  out["cached_tokens"] = thread.cached_tokens;
  out["reasoning_tokens"] = thread.reasoning_tokens;
  out["usage_estimated"] = thread.usage_estimated;
  out["price_in"] = thread.price_in.to_json();
  out["price_out"] = thread.price_out.to_json();
  out["fee"] = thread.fee.to_json();
  out["first_byte_latency_ms"] = thread.first_byte_latency_ms;
  out["latency_ms"] = thread.latency_ms;
  out["stream"] = thread.stream;
  out["status"] = thread.status;
  out["error"] = thread.error;
  out["created_at"] = thread.created_at;
  return out;
}

json::object render_model_statistics(const store::ModelStatistics& model) {
  json::object out;
  out["model"] = model.model;
  out["requests"] = model.requests;
  out["tokens_in"] = model.tokens_in;
  out["tokens_out"] = model.tokens_out;
  out["fee"] = model.fee.to_json();
  return out;
}

// The scope of a call: the caller's key for /user, the key_id filter for /admin.
core::Result<std::optional<std::int64_t>> scope(const RequestContext& context, bool user) {
  if (user) return std::optional<std::int64_t>(context.key->id);
  return read_id_param(context.exchange.request(), "key_id");
}

awaitable<void> list_sessions(RequestContext& context, Database& database, bool user) {
  const auto& request = context.exchange.request();
  auto page = read_list_query(request);
  if (!page) co_return co_await answer_error(context, page.error());
  auto key_id = scope(context, user);
  if (!key_id) co_return co_await answer_error(context, key_id.error());
  store::RecordFilter filter{*page, *key_id, std::nullopt};
  if (!page->q.empty()) {
    if (auto indexed = co_await database.prepare_search(); !indexed) {
      co_return co_await answer_error(context, indexed.error());
    }
  }
  auto job = [filter](store::Store& store) { return store.list_sessions(filter); };
  auto rows = co_await database.read(std::move(job));
  if (!rows) co_return co_await answer_error(context, rows.error());
  json::array items;
  for (const auto& row : rows->items) items.push_back(render_session(row));
  co_await answer(context, render_page(std::move(items), rows->total, *page, rows->total_exact));
}

awaitable<void> list_threads(RequestContext& context, Database& database, bool user) {
  const auto& request = context.exchange.request();
  auto page = read_list_query(request);
  if (!page) co_return co_await answer_error(context, page.error());
  auto key_id = scope(context, user);
  if (!key_id) co_return co_await answer_error(context, key_id.error());
  auto session_id = read_id_param(request, "session_id");
  if (!session_id) co_return co_await answer_error(context, session_id.error());
  store::RecordFilter filter{*page, *key_id, *session_id};
  if (!page->q.empty()) {
    if (auto indexed = co_await database.prepare_search(); !indexed) {
      co_return co_await answer_error(context, indexed.error());
    }
  }
  auto job = [filter](store::Store& store) { return store.list_threads(filter); };
  auto rows = co_await database.read(std::move(job));
  if (!rows) co_return co_await answer_error(context, rows.error());
  json::array items;
  for (const auto& row : rows->items) items.push_back(render_thread(row));
  co_await answer(context, render_page(std::move(items), rows->total, *page, rows->total_exact));
}

awaitable<void> session_detail(RequestContext& context, Database& database, bool user) {
  auto id = parse_path_id(context.path_id);
  if (!id) co_return co_await answer_error(context, id.error());
  std::optional<std::int64_t> key_id;
  if (user) key_id = context.key->id;
  auto job = [id = *id, key_id](store::Store& store) { return store.find_session(id, key_id); };
  auto detail = co_await database.read(std::move(job));
  if (!detail) co_return co_await answer_error(context, detail.error());
  auto out = render_session(detail->session);
  json::array threads;
  for (const auto& thread : detail->threads) threads.push_back(render_thread(thread));
  out["threads"] = std::move(threads);
  co_await answer(context, json::value(std::move(out)));
}

awaitable<void> thread_detail(RequestContext& context, Database& database, bool user) {
  auto id = parse_path_id(context.path_id);
  if (!id) co_return co_await answer_error(context, id.error());
  std::optional<std::int64_t> key_id;
  if (user) key_id = context.key->id;
  auto job = [id = *id, key_id](store::Store& store) { return store.find_thread(id, key_id); };
  auto row = co_await database.read(std::move(job));
  if (!row) co_return co_await answer_error(context, row.error());
  co_await answer(context, json::value(render_thread(*row)));
}

awaitable<void> statistics(RequestContext& context, Database& database) {
  auto job = [month_start = database.ledger().months().current_month_start()](store::Store& store) {
    return store.statistics(month_start);
  };
  auto stats = co_await database.read(std::move(job));
  if (!stats) co_return co_await answer_error(context, stats.error());
  json::object out;
  out["month"] = database.ledger().months().current_month();
  out["keys"] = stats->keys;
  out["active_keys_this_month"] = stats->active_keys_this_month;
  out["spend_this_month"] = stats->spend_this_month.to_json();
  out["spend_total"] = stats->spend_total.to_json();
  out["requests_this_month"] = stats->requests_this_month;
  out["requests_total"] = stats->requests_total;
  out["tokens_in_this_month"] = stats->tokens_in_this_month;
  out["tokens_out_this_month"] = stats->tokens_out_this_month;
  out["tokens_in_total"] = stats->tokens_in_total;
  out["tokens_out_total"] = stats->tokens_out_total;
  json::array this_month;
  for (const auto& model : stats->models_this_month)
    this_month.push_back(render_model_statistics(model));
  json::array total;
  for (const auto& model : stats->models_total) total.push_back(render_model_statistics(model));
  out["models_this_month"] = std::move(this_month);
  out["models_total"] = std::move(total);
  co_await answer(context, json::value(std::move(out)));
}

void add_record_routes(Router& router, Database& database, const std::string& prefix, Access access,
                       bool user) {
  router.add("GET", prefix + "/session/list", access, [&database, user](RequestContext& context) {
    return list_sessions(context, database, user);
  });
  router.add("GET", prefix + "/thread/list", access, [&database, user](RequestContext& context) {
    return list_threads(context, database, user);
  });
  router.add_with_id("GET", prefix + "/session/detail/", access,
                     [&database, user](RequestContext& context) {
                       return session_detail(context, database, user);
                     });
  router.add_with_id("GET", prefix + "/thread/detail/", access,
                     [&database, user](RequestContext& context) {
                       return thread_detail(context, database, user);
                     });
}

}  // namespace

void add_admin_record_routes(Router& router, Database& database) {
  add_record_routes(router, database, "/admin", Access::kAdmin, false);
  router.add("GET", "/admin/statistics/total", Access::kAdmin,
             [&database](RequestContext& context) { return statistics(context, database); });
}

void add_user_record_routes(Router& router, Database& database) {
  add_record_routes(router, database, "/user", Access::kAnyKey, true);
}

}  // namespace api
