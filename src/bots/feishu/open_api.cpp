#include "bots/feishu/open_api.hpp"

#include <algorithm>
#include <chrono>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/api_key.hpp"
#include "telemetry/log.hpp"

namespace bots::feishu {
namespace {

namespace json = boost::json;
using boost::asio::awaitable;

constexpr std::size_t kMaxAnswerBytes = 1024 * 1024;
constexpr std::string_view kTokenPath = "/open-apis/auth/v3/tenant_access_token/internal";
// A reply that fails for a passing reason is sent again, up to this many times in all,
// waiting 250 ms, then 500 ms, then 1 s: the person asked and was charged for the answer.
// The reply's uuid lets Feishu drop a repeat of one that did arrive.
constexpr int kReplyAttempts = 4;
constexpr std::chrono::milliseconds kFirstReplyRetry{250};
constexpr std::int64_t kRateLimitedCode = 99991400;  // "request trigger frequency limit"

std::string string_at(const json::object& object, std::string_view field) {
  auto* value = object.if_contains(field);
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

std::int64_t int_at(const json::object& object, std::string_view field, std::int64_t fallback) {
  auto* value = object.if_contains(field);
  if (value && value->is_int64()) return value->get_int64();
  if (value && value->is_uint64()) return static_cast<std::int64_t>(value->get_uint64());
  return fallback;
}

core::Error api_failure(std::string_view what, const ApiAnswer& answer) {
  return core::Error::internal(std::string(what) + " failed: HTTP " +
                               std::to_string(answer.status) + ", code " +
                               std::to_string(answer.code) + " (" + answer.msg + ")");
}

// No answer at all (the connection failed), a server error, or Feishu's rate limit.
bool worth_another_try(const core::Result<ApiAnswer>& answer) {
  return !answer || answer->status >= 500 || answer->code == kRateLimitedCode;
}

// A plain function, not a ?: of class type inside the coroutine (docs/architecture.md, GCC 12).
core::Error reply_failure(const std::string& message_id, core::Result<ApiAnswer>& answer) {
  if (!answer) return answer.take_error();
  return api_failure("replying to message " + message_id, *answer);
}

}  // namespace

bool is_invalid_token_code(std::int64_t code) {
  return code == 99991661 || code == 99991663 || code == 99991664;
}

std::chrono::seconds OpenApi::usable_for(std::int64_t expire_seconds) {
  constexpr std::int64_t kMargin = 300;
  // Feishu gives 7200 s; an absurd answer must not overflow the clock arithmetic (time
  // points in nanoseconds): a token is never kept past a day.
  constexpr std::int64_t kLongest = 24 * 3600;
  if (expire_seconds <= 0) return std::chrono::seconds(0);
  expire_seconds = std::min(expire_seconds, kLongest);
  if (expire_seconds > 2 * kMargin) return std::chrono::seconds(expire_seconds - kMargin);
  return std::chrono::seconds(expire_seconds / 2);
}

OpenApi::OpenApi(http::Url base_url, http::ClientTimeouts timeouts)
    : base_url_(std::move(base_url)), timeouts_(timeouts) {}

std::string OpenApi::cache_key(const AppCredentials& app) {
  // A changed secret is a new cache entry: the old token may belong to a revoked secret.
  return app.app_id + "\n" + core::sha256_hex(app.app_secret);
}

awaitable<core::Result<ApiAnswer>> OpenApi::call(const std::string& method,
                                                 const std::string& target, const std::string& body,
                                                 const std::string& token) {
  http::OutgoingRequest request;
  request.method = method;
  request.target = target;
  request.body = body;
  if (!body.empty()) request.headers.set("Content-Type", "application/json; charset=utf-8");
  if (!token.empty()) request.headers.set("Authorization", "Bearer " + token);
  http::UpstreamCall upstream(timeouts_);
  if (auto failure = co_await upstream.start(base_url_, std::move(request))) {
    co_return core::Error::internal(method + " " + target + ": " + failure.message);
  }
  ApiAnswer answer;
  answer.status = upstream.status();
  std::string text;
  if (auto failure = co_await upstream.read_all(text, kMaxAnswerBytes)) {
    co_return core::Error::internal(method + " " + target + ": " + failure.message);
  }
  // Feishu answers errors with a 4xx and the same {"code", "msg"} body.
  boost::system::error_code ec;
  auto parsed = json::parse(text, ec);
  if (ec || !parsed.is_object()) {
    co_return core::Error::internal(method + " " + target + ": HTTP " +
                                    std::to_string(answer.status) + " with a body that is not " +
                                    "a JSON object");
  }
  answer.body = std::move(parsed.get_object());
  answer.code = int_at(answer.body, "code", -1);
  answer.msg = string_at(answer.body, "msg");
  co_return answer;
}

awaitable<core::Result<std::string>> OpenApi::tenant_token(const AppCredentials& app,
                                                           bool refresh) {
  const auto key = cache_key(app);
  if (!refresh) {
    std::lock_guard lock(mutex_);
    if (auto found = tokens_.find(key);
        found != tokens_.end() && Clock::now() < found->second.usable_until) {
      co_return found->second.token;
    }
  }
  json::object credentials;
  credentials["app_id"] = app.app_id;
  credentials["app_secret"] = app.app_secret;
  const std::string method = "POST";
  const std::string target(kTokenPath);
  const std::string body = json::serialize(credentials);
  const std::string no_token;
  auto answer = co_await call(method, target, body, no_token);
  if (!answer) co_return answer.take_error();
  auto token = string_at(answer->body, "tenant_access_token");
  if (answer->code != 0 || token.empty()) {
    co_return api_failure("getting a tenant access token for app " + app.app_id, *answer);
  }
  auto lifetime = usable_for(int_at(answer->body, "expire", 0));
  {
    std::lock_guard lock(mutex_);
    tokens_[key] = CachedToken{token, Clock::now() + lifetime};
  }
  co_return token;
}

awaitable<core::Result<ApiAnswer>> OpenApi::call_with_token(const AppCredentials& app,
                                                            const std::string& method,
                                                            const std::string& target,
                                                            const std::string& body) {
  for (int attempt = 0;; ++attempt) {
    auto token = co_await tenant_token(app, attempt > 0);
    if (!token) co_return token.take_error();
    auto answer = co_await call(method, target, body, *token);
    if (!answer) co_return answer;
    if (attempt == 0 && is_invalid_token_code(answer->code)) {
      LLMGATE_LOG_INFO(
          "feishu: the tenant access token of app {} was refused (code {}); "
          "fetching a new one",
          app.app_id, answer->code);
      continue;
    }
    co_return answer;
  }
}

awaitable<core::Status> OpenApi::reply_text(const AppCredentials& app,
                                            const std::string& message_id, const std::string& text,
                                            const std::string& uuid) {
  json::object content;
  content["text"] = text;
  json::object reply;
  reply["content"] = json::serialize(content);  // a JSON document inside a string
  reply["msg_type"] = "text";
  if (!uuid.empty()) reply["uuid"] = uuid;
  const std::string method = "POST";
  const std::string target = "/open-apis/im/v1/messages/" + message_id + "/reply";
  const std::string body = json::serialize(reply);
  auto delay = kFirstReplyRetry;
  for (int attempt = 1;; ++attempt) {
    auto answer = co_await call_with_token(app, method, target, body);
    if (answer && answer->code == 0) co_return core::Ok{};
    const bool again = attempt < kReplyAttempts && worth_another_try(answer);
    core::Error failure = reply_failure(message_id, answer);
    if (!again) co_return failure;
    LLMGATE_LOG_WARN("feishu: {}; sending it again in {} ms", failure.message, delay.count());
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
    timer.expires_after(delay);
    auto [ignored] = co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    (void)ignored;
    delay *= 2;
  }
}

awaitable<core::Result<std::string>> OpenApi::bot_open_id(const AppCredentials& app) {
  const auto key = cache_key(app);
  {
    std::lock_guard lock(mutex_);
    if (auto found = bot_open_ids_.find(key); found != bot_open_ids_.end()) {
      co_return found->second;
    }
  }
  const std::string method = "GET";
  const std::string target = "/open-apis/bot/v3/info";
  const std::string no_body;
  auto answer = co_await call_with_token(app, method, target, no_body);
  if (!answer) co_return answer.take_error();
  std::string open_id;
  if (auto* bot = answer->body.if_contains("bot"); bot && bot->is_object()) {
    open_id = string_at(bot->get_object(), "open_id");
  }
  if (answer->code != 0 || open_id.empty()) {
    co_return api_failure("reading the bot info of app " + app.app_id, *answer);
  }
  std::lock_guard lock(mutex_);
  bot_open_ids_[key] = open_id;
  co_return open_id;
}

}  // namespace bots::feishu
