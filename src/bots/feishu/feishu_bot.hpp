#pragma once
// The Feishu bot runtime behind POST /bot/feishu/{bot id}/webhook/event (SPEC 10).
//
// The webhook answers at once: url_verification with its challenge; an event after the
// checks (decryption, X-Lark-Signature when the bot has an encryptKey, the verification
// token) and after its event id and message id are claimed — in memory first, then in the
// store, so that a resent event is answered 200 and dropped, also after a restart. A
// message for the bot is then answered in the background, on the I/O thread that took
// the webhook: the model call through chat::Pipeline with the bot's apiKey and modelId, in
// the session "feishu:<chat id>" with its last turns as context, and the answer (or a short
// error message) sent as a reply through the Open API.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "bots/feishu/answer_sink.hpp"
#include "bots/feishu/bot_config.hpp"
#include "bots/feishu/event.hpp"
#include "bots/feishu/open_api.hpp"
#include "bots/feishu/seen_ids.hpp"
#include "catalog/catalog.hpp"
#include "chat/pipeline.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "http/message.hpp"
#include "store/worker.hpp"

namespace bots::feishu {

struct FeishuOptions {
  http::Url base_url;                  // https://open.feishu.cn, or Lark's, or a test fake
  http::ClientTimeouts timeouts;       // for the Open API calls
  std::size_t max_in_flight = 64;      // messages being answered at once, over all bots
  std::size_t context_turns = 10;      // earlier turns of the chat sent as context
  std::size_t context_bytes = 32'000;  // and at most this much of their text (UTF-8 bytes)
  std::size_t seen_ids = 16'384;       // event and message ids remembered in memory
  std::int64_t keep_ids_seconds = 7 * 24 * 3600;  // in the store (Feishu resends for 6 h)
};

class FeishuBot {
 public:
  FeishuBot(FeishuOptions options, store::Worker& worker, catalog::CatalogHolder& catalog,
            chat::Pipeline& pipeline);
  FeishuBot(const FeishuBot&) = delete;
  FeishuBot& operator=(const FeishuBot&) = delete;

  // One webhook request. The answer is 200 (the challenge, or {"code": 0} for an event
  // taken, ignored or seen before) or 503 when too many messages are being answered
  // (Feishu resends later). Errors: 404 unknown bot, 400 unreadable body, 401 a bad token or
  // signature, a body that does not decrypt, or a bot with neither verificationToken nor
  // encryptKey; 500 when the ids could not be stored.
  boost::asio::awaitable<core::Result<http::Response>> handle_webhook(std::string_view bot_id,
                                                                      const http::Request& request,
                                                                      std::string_view request_id);

  // Messages being answered now.
  std::size_t in_flight() const { return in_flight_.load(); }
  // The gateway's grace period is over: the model calls of the messages being answered end
  // now, charged and recorded for what they used (their replies still go out).
  void end_model_calls() { endings_.end_all(); }
  // Blocks until no message is being answered, or until `deadline`; true when idle.
  bool wait_idle(std::chrono::steady_clock::time_point deadline);

 private:
  struct Job;
  boost::asio::awaitable<void> answer(Job& job);
  boost::asio::awaitable<std::string> ask_model(Job& job, const std::string& text);
  void finished();

  FeishuOptions options_;
  store::Worker& worker_;
  catalog::CatalogHolder& catalog_;
  chat::Pipeline& pipeline_;
  OpenApi open_api_;
  SeenIds seen_;
  Endings endings_;
  std::atomic<std::size_t> in_flight_{0};
  std::mutex idle_mutex_;
  std::condition_variable idle_;
};

}  // namespace bots::feishu
