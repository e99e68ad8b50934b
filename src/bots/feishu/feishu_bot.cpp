#include "bots/feishu/feishu_bot.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <exception>
#include <memory>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "bots/feishu/answer_sink.hpp"
#include "bots/feishu/crypto.hpp"
#include "chat/chat_request.hpp"
#include "core/api_key.hpp"
#include "core/ascii.hpp"
#include "store/worker_await.hpp"
#include "telemetry/log.hpp"

namespace bots::feishu {
namespace {

namespace json = boost::json;
using boost::asio::awaitable;

// Feishu takes up to 150 KB of text in one message; the JSON escaping of the content
// string needs room too.
constexpr std::size_t kMaxReplyBytes = 100 * 1024;

core::Error unauthorized(std::string message) {
  return core::Error{core::ErrorKind::kUnauthorized, std::move(message), {}};
}

http::Response json_response(int status, const json::object& body) {
  http::Response response;
  response.status = status;
  response.body = json::serialize(body);
  return response;
}

// 200 for every event Feishu need not send again; `what` says what became of it (Feishu
// reads only the status; logs and tests read the rest).
http::Response event_answer(std::string_view what) {
  json::object body;
  body["code"] = 0;
  body["msg"] = what;
  return json_response(200, body);
}

std::optional<std::int64_t> parse_bot_id(std::string_view text) {
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

// X-Lark-Signature over the raw body; the header's hex may come in either case.
bool signature_matches(const BotConfig& bot, const http::Request& request) {
  auto timestamp = request.headers.get("x-lark-request-timestamp");
  auto nonce = request.headers.get("x-lark-request-nonce");
  auto signature = request.headers.get("x-lark-signature");
  if (!timestamp || !nonce || !signature) return false;
  const std::string sent = core::ascii_lower(*signature);
  return constant_time_equals(request_signature(*timestamp, *nonce, bot.encrypt_key, request.body),
                              sent);
}

// The body as Feishu meant it: decrypted when it is {"encrypt": ...}.
core::Result<json::value> read_body(const BotConfig& bot, const http::Request& request) {
  boost::system::error_code ec;
  auto body = json::parse(request.body, ec);
  if (ec || !body.is_object()) {
    return core::Error::bad_request("the event body must be a JSON object");
  }
  auto* encrypted = body.get_object().if_contains("encrypt");
  if (!encrypted) return body;
  if (!encrypted->is_string()) return core::Error::bad_request("encrypt: must be a string");
  if (bot.encrypt_key.empty()) {
    return unauthorized("the event is encrypted but bot " + std::to_string(bot.id) +
                        " has no encryptKey");
  }
  // Feishu encrypts JSON objects only. Under another key the padding check alone passes about
  // once in 256 tries, giving bytes that are not JSON: that is the same wrong key, not a bad
  // request (an e2e test that decrypts with the wrong key saw it).
  auto plain = decrypt_event(bot.encrypt_key, encrypted->get_string());
  json::value decrypted;
  if (plain) decrypted = json::parse(*plain, ec);
  if (!plain || ec || !decrypted.is_object()) {
    return unauthorized("the event does not decrypt with the encryptKey of bot " +
                        std::to_string(bot.id));
  }
  return decrypted;
}

// Before the body is read: a bot that can authenticate nothing takes nothing, and a
// signature that is there must be right. True when the request is signed (and the bot has
// an encryptKey to check it with).
core::Result<bool> check_signature(const BotConfig& bot, const http::Request& request) {
  if (bot.verification_token.empty() && bot.encrypt_key.empty()) {
    return unauthorized("bot " + std::to_string(bot.id) +
                        " has neither a verificationToken nor an encryptKey, so its events "
                        "cannot be authenticated; add the Verification Token from the Feishu "
                        "app's Events & Callbacks page to its config");
  }
  if (bot.encrypt_key.empty() || !request.headers.get("x-lark-signature")) return false;
  if (!signature_matches(bot, request)) return unauthorized("X-Lark-Signature is wrong");
  return true;
}

// After the body is read (SPEC 10): an event of a bot with an encryptKey must be signed
// (Feishu signs events, not the url_verification handshake), and the token must match.
core::Status check_envelope(const BotConfig& bot, const Envelope& envelope, bool signed_request) {
  if (!bot.encrypt_key.empty() && !signed_request &&
      envelope.kind != EnvelopeKind::kUrlVerification) {
    return unauthorized("X-Lark-Signature is missing: bot " + std::to_string(bot.id) +
                        " has an encryptKey, so its events must be signed");
  }
  if (!bot.verification_token.empty() &&
      !constant_time_equals(envelope.token, bot.verification_token)) {
    return unauthorized("the verification token is missing or wrong");
  }
  return core::Ok{};
}

// Signature, decryption, envelope and token, in that order: a signature that is there is
// checked before anything is decrypted, and no event is taken before all of them passed.
core::Result<Envelope> authenticate(const BotConfig& bot, const http::Request& request) {
  auto signed_request = check_signature(bot, request);
  if (!signed_request) return signed_request.take_error();
  auto body = read_body(bot, request);
  if (!body) return body.take_error();
  auto envelope = parse_envelope(*body);
  if (!envelope) return envelope;
  if (auto status = check_envelope(bot, *envelope, *signed_request); !status) {
    return status.take_error();
  }
  return envelope;
}

// Seconds since the event was created, by the real clock (Feishu's timestamps are real
// time); 0 when the event does not say.
std::int64_t event_age_seconds(const Envelope& envelope) {
  if (envelope.created_ms <= 0) return 0;
  auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  return std::max<std::int64_t>(now_ms - envelope.created_ms, 0) / 1000;
}

std::string session_of(const IncomingMessage& message) { return "feishu:" + message.chat_id; }

}  // namespace

struct FeishuBot::Job {
  BotConfig bot;
  IncomingMessage message;
  std::string event_id;
  std::string request_id;
};

FeishuBot::FeishuBot(FeishuOptions options, store::Worker& worker, catalog::CatalogHolder& catalog,
                     chat::Pipeline& pipeline)
    : options_(std::move(options)),
      worker_(worker),
      catalog_(catalog),
      pipeline_(pipeline),
      open_api_(options_.base_url, options_.timeouts),
      seen_(options_.seen_ids) {}

awaitable<core::Result<http::Response>> FeishuBot::handle_webhook(std::string_view bot_id_text,
                                                                  const http::Request& request,
                                                                  std::string_view request_id) {
  auto bot_id = parse_bot_id(bot_id_text);
  if (!bot_id) {
    co_return core::Error::not_found("no bot with id '" + std::string(bot_id_text) + "'");
  }
  auto find = [id = *bot_id](store::Store& store) { return store.find_bot(id); };
  auto row = co_await store::on_worker(worker_, std::move(find));
  if (!row) co_return row.take_error();
  BotConfig bot = read_bot_config(*row);

  auto authentic = authenticate(bot, request);
  if (!authentic) {
    LLMGATE_LOG_WARN("feishu bot {}: webhook request {} refused: {}", bot.id, request_id,
                     authentic.error().message);
    co_return authentic.take_error();
  }
  auto envelope = std::move(*authentic);
  if (envelope.kind == EnvelopeKind::kUrlVerification) {
    json::object challenge;
    challenge["challenge"] = envelope.challenge;
    co_return json_response(200, challenge);
  }
  if (envelope.schema != "2.0" || envelope.event_type != kMessageReceiveEvent) {
    LLMGATE_LOG_DEBUG("feishu bot {}: event {} of type '{}' ignored", bot.id, envelope.event_id,
                      envelope.event_type);
    co_return event_answer("ignored: not an im.message.receive_v1 event of schema 2.0");
  }
  // Event ids are remembered for keep_ids_seconds: an older event could be a replay of one
  // taken then, and nothing can tell. Feishu itself resends for hours, not days.
  if (auto age = event_age_seconds(envelope); age > options_.keep_ids_seconds) {
    LLMGATE_LOG_WARN("feishu bot {}: event {} created {} s ago ignored: older than the ids kept",
                     bot.id, envelope.event_id, age);
    co_return event_answer("ignored: the event was created " + std::to_string(age / 86400) +
                           " days ago, before the oldest event id this bot remembers; a replay "
                           "cannot be told from a new event");
  }
  auto message = parse_message_event(envelope.event);
  if (!message) {
    // Answered 200 all the same: Feishu would only resend the same unreadable event.
    LLMGATE_LOG_WARN("feishu bot {}: event {} ignored: {}", bot.id, envelope.event_id,
                     message.error().message);
    co_return event_answer("ignored: " + message.error().message);
  }
  if (!may_be_for_bot(*message)) {
    co_return event_answer("ignored: a group message that mentions nobody, or a bot's");
  }

  // Room to answer, before claiming anything: a busy answer makes Feishu resend.
  if (in_flight_.fetch_add(1) >= options_.max_in_flight) {
    finished();
    LLMGATE_LOG_WARN("feishu bot {}: {} messages are being answered; event {} refused for now",
                     bot.id, options_.max_in_flight, envelope.event_id);
    json::object busy;
    busy["code"] = 503;
    busy["msg"] = "busy: too many messages are being answered; resend later";
    co_return json_response(503, busy);
  }
  // Each event and each message once: the memory spares the store the common resend.
  const std::string prefix = std::to_string(bot.id) + ":";
  std::vector<std::string> ids = {"e:" + envelope.event_id, "m:" + message->message_id};
  std::vector<std::string> seen_keys = {prefix + ids[0], prefix + ids[1]};
  if (!seen_.remember_all(seen_keys)) {
    finished();
    LLMGATE_LOG_INFO("feishu bot {}: event {} (message {}) seen before; dropped", bot.id,
                     envelope.event_id, message->message_id);
    co_return event_answer("duplicate: this event or message was taken before");
  }
  auto claim = [bot_id = bot.id, ids, keep = options_.keep_ids_seconds](store::Store& store) {
    return store.claim_bot_events(bot_id, ids, keep);
  };
  auto claimed = co_await store::on_worker(worker_, std::move(claim));
  if (!claimed) {
    seen_.forget(seen_keys);
    finished();
    LLMGATE_LOG_ERROR("feishu bot {}: storing the ids of event {} failed: {}", bot.id,
                      envelope.event_id, claimed.error().message);
    co_return core::Error::internal("the event could not be recorded; resend it later");
  }
  if (!*claimed) {
    finished();
    LLMGATE_LOG_INFO("feishu bot {}: event {} (message {}) processed before; dropped", bot.id,
                     envelope.event_id, message->message_id);
    co_return event_answer("duplicate: this event or message was taken before");
  }

  auto job = std::make_shared<Job>(
      Job{std::move(bot), std::move(*message), envelope.event_id, std::string(request_id)});
  auto executor = co_await boost::asio::this_coro::executor;
  // The job lives as long as the completion handler, which runs after answer() returned.
  boost::asio::co_spawn(executor, answer(*job), [this, job](std::exception_ptr error) {
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& exception) {
        LLMGATE_LOG_ERROR("feishu bot {}: answering message {} failed: {}", job->bot.id,
                          job->message.message_id, exception.what());
      }
    }
    finished();
  });
  co_return event_answer("taken");
}

awaitable<void> FeishuBot::answer(Job& job) {
  const AppCredentials app{job.bot.app_id, job.bot.app_secret};
  std::string bot_open_id;
  if (job.message.chat_type == ChatType::kGroup) {
    auto learned = co_await open_api_.bot_open_id(app);
    if (learned) {
      bot_open_id = std::move(*learned);
    } else {
      LLMGATE_LOG_WARN("feishu bot {}: {}; taking any mention as one of the bot", job.bot.id,
                       learned.error().message);
    }
    if (!addressed_to_bot(job.message, bot_open_id)) {
      LLMGATE_LOG_DEBUG("feishu bot {}: message {} mentions others only; ignored", job.bot.id,
                        job.message.message_id);
      co_return;
    }
  }
  std::string reply;
  if (job.message.message_type != "text") {
    reply = "Sorry, I can only read text messages.";
  } else {
    auto text = prompt_text(job.message, bot_open_id);
    if (text.empty()) co_return;  // a bare mention
    reply = co_await ask_model(job, text);
  }
  // The same message is never replied to twice, even if this reply were repeated.
  const std::string uuid = core::sha256_hex(job.message.message_id).substr(0, 32);
  auto sent = co_await open_api_.reply_text(app, job.message.message_id, reply, uuid);
  if (!sent) {
    LLMGATE_LOG_ERROR("feishu bot {}: replying to message {} (request {}) failed: {}", job.bot.id,
                      job.message.message_id, job.request_id, sent.error().message);
    co_return;
  }
  LLMGATE_LOG_INFO("feishu bot {}: answered message {} of event {} in chat {} (request {})",
                   job.bot.id, job.message.message_id, job.event_id, job.message.chat_id,
                   job.request_id);
}

awaitable<std::string> FeishuBot::ask_model(Job& job, const std::string& text) {
  auto snapshot = catalog_.current();
  const auto* key = snapshot->find_key_by_hash(job.bot.api_key_hash);
  if (!key) {
    co_return "Sorry, I cannot answer: the API key behind this bot is not valid (deleted or "
              "reset). Ask an administrator to update the bot's apiKey.";
  }
  const std::string session = session_of(job.message);
  // The records name a client-chosen session "h:<Session-Id>" (store::NewThread).
  auto read_turns = [key_id = key->id, session_key = "h:" + session,
                     limit =
                         static_cast<std::int64_t>(options_.context_turns)](store::Store& store) {
    return store.recent_turns(key_id, session_key, limit);
  };
  auto turns = co_await store::on_worker(worker_, std::move(read_turns));
  if (!turns) {
    LLMGATE_LOG_WARN("feishu bot {}: the earlier turns of chat {} could not be read: {}",
                     job.bot.id, job.message.chat_id, turns.error().message);
  }
  // The newest turns that fit the budget, oldest first.
  std::size_t first = turns ? turns->size() : 0;
  std::size_t bytes = text.size();
  while (first > 0) {
    const auto& turn = (*turns)[first - 1];
    if (bytes + turn.prompt.size() + turn.completion.size() > options_.context_bytes) break;
    bytes += turn.prompt.size() + turn.completion.size();
    --first;
  }
  json::array messages;
  for (std::size_t index = first; turns && index < turns->size(); ++index) {
    messages.push_back(json::object{{"role", "user"}, {"content", (*turns)[index].prompt}});
    messages.push_back(
        json::object{{"role", "assistant"}, {"content", (*turns)[index].completion}});
  }
  messages.push_back(json::object{{"role", "user"}, {"content", text}});
  json::object body;
  body["model"] = job.bot.model_id;
  body["messages"] = std::move(messages);
  auto request = chat::parse_chat_request(json::value(std::move(body)));
  if (!request) {
    co_return "Sorry, I cannot answer: this bot is misconfigured (" + request.error().message +
        "). Ask an administrator to fix it.";
  }
  request->session_id = session;
  AnswerSink sink(&endings_);
  co_await pipeline_.complete(snapshot, *key, std::move(*request), job.request_id, sink);
  if (sink.error()) co_return error_reply(*sink.error(), job.bot.model_id);
  if (sink.text().empty()) co_return "(The model gave an empty answer.)";
  co_return fit_reply(sink.text(), kMaxReplyBytes);
}

void FeishuBot::finished() {
  if (in_flight_.fetch_sub(1) == 1) {
    std::lock_guard lock(idle_mutex_);
    idle_.notify_all();
  }
}

bool FeishuBot::wait_idle(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(idle_mutex_);
  return idle_.wait_until(lock, deadline, [this] { return in_flight_.load() == 0; });
}

}  // namespace bots::feishu
