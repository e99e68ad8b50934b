#pragma once
// The few Feishu Open API calls the bot makes, with the app's tenant access token:
//   POST /open-apis/auth/v3/tenant_access_token/internal  {app_id, app_secret}
//   GET  /open-apis/bot/v3/info                            the bot's own open_id
//   POST /open-apis/im/v1/messages/{message_id}/reply      {content, msg_type: "text", uuid}
// A token is cached per app until a little before it expires, and fetched again when
// Feishu answers that it is invalid (codes 99991661, 99991663, 99991664); the call is then
// retried once. Safe to use from every I/O thread; calls run on the caller's executor.

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include "core/result.hpp"
#include "http/client/upstream_call.hpp"
#include "http/client/url.hpp"

namespace bots::feishu {

struct AppCredentials {
  std::string app_id;
  std::string app_secret;
};

// Feishu's answer to a call: HTTP status, and the body's `code` (0 is success) and `msg`.
struct ApiAnswer {
  int status = 0;
  std::int64_t code = -1;
  std::string msg;
  boost::json::object body;
};

bool is_invalid_token_code(std::int64_t code);

class OpenApi {
 public:
  using Clock = std::chrono::steady_clock;

  OpenApi(http::Url base_url, http::ClientTimeouts timeouts);

  // Replies to a message with plain text. `uuid` makes Feishu reply at most once per uuid
  // within an hour, even when this call is repeated.
  boost::asio::awaitable<core::Status> reply_text(const AppCredentials& app,
                                                  const std::string& message_id,
                                                  const std::string& text, const std::string& uuid);
  // The bot's open_id (as it appears in mentions); cached per app once learned.
  boost::asio::awaitable<core::Result<std::string>> bot_open_id(const AppCredentials& app);

  // How long a token with `expire_seconds` of life is used: until 5 minutes before it
  // expires (half its life when that is shorter).
  static std::chrono::seconds usable_for(std::int64_t expire_seconds);

 private:
  struct CachedToken {
    std::string token;
    Clock::time_point usable_until;
  };

  // The cached token unless `refresh`, else a new one from Feishu.
  boost::asio::awaitable<core::Result<std::string>> tenant_token(const AppCredentials& app,
                                                                 bool refresh);
  // A call with the app's token, retried once with a new token on an invalid-token answer.
  boost::asio::awaitable<core::Result<ApiAnswer>> call_with_token(const AppCredentials& app,
                                                                  const std::string& method,
                                                                  const std::string& target,
                                                                  const std::string& body);
  boost::asio::awaitable<core::Result<ApiAnswer>> call(const std::string& method,
                                                       const std::string& target,
                                                       const std::string& body,
                                                       const std::string& token);
  static std::string cache_key(const AppCredentials& app);

  http::Url base_url_;
  http::ClientTimeouts timeouts_;
  std::mutex mutex_;
  std::unordered_map<std::string, CachedToken> tokens_;
  std::unordered_map<std::string, std::string> bot_open_ids_;
};

}  // namespace bots::feishu
