#include "chat/pipeline.hpp"

#include <chrono>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include "billing/cost.hpp"
#include "chat/answer_text.hpp"
#include "chat/chunk_relay.hpp"
#include "chat/json_splice.hpp"
#include "chat/openai_error.hpp"
#include "chat/upstream_failure.hpp"
#include "chat/usage_estimate.hpp"
#include "providers/openai_compatible/openai_usage.hpp"
#include "telemetry/log.hpp"
#include "telemetry/metrics.hpp"

namespace chat {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

constexpr std::size_t kMaxWholeAnswerBytes = 64 * 1024 * 1024;
constexpr std::size_t kMaxErrorBodyBytes = 1024 * 1024;

// When the upstream reported no usage it can be trusted with, the tokens are estimated from
// the text (docs/billing.md); a request that produced nothing is charged nothing.
void estimate_unreported(providers::Usage& usage, const providers::ChatRequest& request,
                         const AnswerText& answer) {
  if (usage.reported || answer.generated_chars() == 0) return;
  usage.prompt_tokens = estimate_prompt_tokens(request);
  usage.completion_tokens = estimate_tokens(answer.generated_chars());
  usage.estimated = true;
}

bool carries_usage(const json::object& chunk) {
  auto* usage = chunk.if_contains("usage");
  return usage && usage->is_object();
}

}  // namespace

const char* to_string(CompletionStatus status) {
  switch (status) {
    case CompletionStatus::kOk:
      return "ok";
    case CompletionStatus::kError:
      return "error";
    case CompletionStatus::kCancelled:
      return "cancelled";
  }
  return "error";
}

struct Pipeline::Run {
  const catalog::ModelEntry& model;
  providers::ChatRequest request;
  ResponseSink& sink;
  http::UpstreamCall call;
  CompletionRecord record;
  billing::Reservation reservation;
  Clock::time_point started = Clock::now();
  AnswerText answer{false};  // for the record, and the estimate when no usage is reported
  bool client_gone = false;

  void fail(const providers::ApiError& error) {
    record.status = CompletionStatus::kError;
    record.http_status = error.status;
    record.error = error.message;
  }
  void mark_first_byte() {
    record.first_byte_latency = duration_cast<milliseconds>(Clock::now() - started);
  }
};

Pipeline::Pipeline(http::ClientTimeouts timeouts, telemetry::Metrics& metrics,
                   billing::Ledger& ledger, CompletionObserver& observer, bool fetch_private_images)
    : timeouts_(timeouts),
      image_fetch_{timeouts, ImageFetchOptions{}.max_bytes, fetch_private_images},
      metrics_(metrics),
      ledger_(ledger),
      observer_(observer) {}

boost::asio::awaitable<void> Pipeline::complete(
    const std::shared_ptr<const catalog::Catalog>& snapshot, const catalog::KeyEntry& key,
    providers::ChatRequest&& request, std::string_view request_id, ResponseSink& sink) {
  const auto* model = snapshot->find_model(request.model);
  if (!model) {
    co_await sink.send_error(make_api_error(404, "the model '" + request.model + "' does not exist",
                                            "invalid_request_error", "model_not_found", "model"));
    co_return;
  }
  if (!snapshot->may_use(key, *model)) {
    co_await sink.send_error(make_api_error(403,
                                            "this API key may not use the model '" + request.model +
                                                "'; ask an administrator for access",
                                            "permission_error", "model_not_authorized", "model"));
    co_return;
  }
  if (!model->endpoint) {
    co_await sink.send_error(make_api_error(
        502, "the model '" + model->name + "' is misconfigured: " + model->config_error,
        "upstream_error", "model_misconfigured"));
    co_return;
  }
  if (request.has_images && !model->multiple) {
    co_await sink.send_error(
        make_api_error(400, "the model '" + model->name + "' does not accept images",
                       "invalid_request_error", "images_not_supported", "messages"));
    co_return;
  }

  if (request.has_images && model->endpoint->wants_image_bytes()) {
    if (auto inlined = co_await inline_remote_images(request, image_fetch_); !inlined) {
      co_await sink.send_error(api_error_from(inlined.error()));
      co_return;
    }
  }
  co_await observer_.before_request();

  // Admission: reserve the worst case against what the key has left (SPEC 7). A model
  // with both prices 0 costs nothing and needs no money.
  billing::Reservation reservation;
  bool free_model = model->price_in.nanos() == 0 && model->price_out.nanos() == 0;
  if (!free_model) {
    auto worst_case = billing::cost_of(estimate_prompt_tokens(request),
                                       output_cap(request, model->endpoint->default_max_tokens()),
                                       model->price_in, model->price_out);
    auto admitted = co_await ledger_.admit(key.id, worst_case);
    if (!admitted) {
      // Several gateways on one database reserve there; without it nothing may be spent.
      LLMGATE_LOG_WARN("request {}: admission failed: {}", request_id, admitted.error().message);
      co_await sink.send_error(make_api_error(
          503,
          "the gateway cannot reach its database to reserve this request's cost; try again "
          "shortly",
          "api_error", "database_unavailable"));
      co_return;
    }
    if (!*admitted) {
      co_await sink.send_error(make_api_error(
          402,
          "this API key has no money left: its monthly quota is used up and its balance is empty; "
          "ask an administrator to recharge it (POST /admin/api-key/recharge) or raise its "
          "month_quota",
          "insufficient_quota", "insufficient_quota"));
      co_return;
    }
    reservation = **admitted;
  }

  Run run{*model, std::move(request), sink, http::UpstreamCall(timeouts_), {}, reservation};
  run.answer = AnswerText(observer_.keeps_text());
  run.record.request_id = std::string(request_id);
  run.record.key_id = key.id;
  run.record.model_id = model->id;
  run.record.model = model->name;
  run.record.provider = model->provider;
  run.record.stream = run.request.stream;
  run.record.price_in = model->price_in;
  run.record.price_out = model->price_out;

  // Named first: GCC 12 miscompiles capturing lambdas inside co_await expressions.
  std::function<void()> cancel_upstream = [&run] { run.call.cancel(); };
  auto relay = run.request.stream ? relay_stream(run) : relay_whole(run);
  run.client_gone = co_await sink.run_watching_client(std::move(relay), std::move(cancel_upstream));
  ledger_.release(run.reservation);  // when nothing was charged
  if (run.client_gone && run.record.status != CompletionStatus::kError) {
    run.record.status = CompletionStatus::kCancelled;
    run.record.http_status = 499;  // nginx's "client closed request"
    run.record.error = "the client closed the connection";
  }
  run.record.latency = duration_cast<milliseconds>(Clock::now() - run.started);
  run.record.completion = run.answer.take_text();
  run.record.tool_calls = run.answer.tool_calls_json();
  run.record.request = &run.request;
  observer_.on_completion(run.record);
}

// The first fetch of a model's temporary credentials (providers.md) ends in milliseconds
// when the service answers, and within the fetch's own timeouts when it does not; polled,
// because it ends on another thread and happens once per model and start.
boost::asio::awaitable<void> Pipeline::wait_for_credentials(Run& run) {
  constexpr auto kPoll = std::chrono::milliseconds(5);
  constexpr auto kLongest = std::chrono::seconds(10);
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  const auto deadline = std::chrono::steady_clock::now() + kLongest;
  while (run.model.endpoint->waiting_for_credentials() &&
         std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(kPoll);
    auto [ec] = co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    if (ec) co_return;
  }
}

boost::asio::awaitable<std::optional<providers::ApiError>> Pipeline::start_upstream(Run& run) {
  if (run.model.endpoint->waiting_for_credentials()) co_await wait_for_credentials(run);
  for (int attempt = 0;; ++attempt) {
    auto target = run.model.endpoint->build_request(run.request, attempt);
    if (!target) co_return api_error_from(target.error());
    bool last = attempt + 1 >= run.model.endpoint->max_attempts();
    if (auto failure = co_await run.call.start(target->url, std::move(target->request))) {
      if (failure.kind == http::CallErrorKind::kCancelled) {
        co_return make_api_error(499, "the client closed the connection", "cancelled", "cancelled");
      }
      metrics_.record_upstream_error(run.model.provider, metric_kind(failure.kind));
      if (!last && worth_another_attempt(failure)) continue;
      co_return call_failure(failure, run.model.name);
    }
    int status = run.call.status();
    if (status / 100 == 2) co_return std::nullopt;
    std::string body;
    co_await run.call.read_all(body, kMaxErrorBodyBytes);
    metrics_.record_upstream_error(run.model.provider, metric_kind_for_status(status));
    if (!last && worth_another_attempt(status)) continue;
    co_return run.model.endpoint->map_error(status, run.call.headers(), body);
  }
}

boost::asio::awaitable<std::optional<providers::ApiError>> Pipeline::charge(Run& run) {
  auto& usage = run.record.usage;
  estimate_unreported(usage, run.request, run.answer);
  run.record.fee = billing::cost_of(usage.prompt_tokens, usage.completion_tokens,
                                    run.model.price_in, run.model.price_out);
  if (run.record.fee.nanos() == 0) {
    ledger_.release(run.reservation);
    co_return std::nullopt;
  }
  auto settled = co_await ledger_.settle(run.reservation, run.record.fee);
  if (settled) co_return std::nullopt;
  LLMGATE_LOG_ERROR("request {}: the charge of {} could not be stored: {}", run.record.request_id,
                    run.record.fee.to_string(), settled.error().message);
  co_return make_api_error(
      500,
      "the charge for this request could not be stored, so its answer is withheld; "
      "request id " +
          run.record.request_id,
      "api_error", "charge_failed");
}

boost::asio::awaitable<void> Pipeline::relay_whole(Run& run) {
  if (auto error = co_await start_upstream(run)) {
    if (error->status == 499) co_return;
    run.fail(*error);
    co_await run.sink.send_error(*error);
    co_return;
  }
  run.mark_first_byte();
  std::string body;
  if (auto failure = co_await run.call.read_all(body, kMaxWholeAnswerBytes)) {
    if (failure.kind == http::CallErrorKind::kCancelled) co_return;
    metrics_.record_upstream_error(run.model.provider, metric_kind(failure.kind));
    auto error = call_failure(failure, run.model.name);
    run.fail(error);
    co_await run.sink.send_error(error);
    co_return;
  }
  auto completion = run.model.endpoint->parse_response(body);
  if (!completion) {
    metrics_.record_upstream_error(run.model.provider, telemetry::UpstreamErrorKind::kProtocol);
    auto error =
        make_api_error(502,
                       "the upstream of model '" + run.model.name +
                           "' sent an answer that could not be read: " + completion.error().message,
                       "upstream_error", "upstream_bad_response");
    run.fail(error);
    co_await run.sink.send_error(error);
    co_return;
  }
  run.record.usage = completion->usage;
  run.answer.add_completion(completion->body);
  // The charge is committed before the answer goes out (SPEC 7: nothing lost on a crash).
  if (auto error = co_await charge(run)) {
    run.fail(*error);
    co_await run.sink.send_error(*error);
    co_return;
  }
  std::string answer;
  // An answer shows what was charged: the estimate, when the upstream's usage was missing or
  // not to be trusted (docs/billing.md); then it is written anew.
  if (completion->verbatim && run.record.usage.reported) {
    // The upstream's text with only the model replaced: no second serialization.
    if (auto edited = set_top_level_string(body, "model", run.model.name)) {
      answer = std::move(*edited);
    }
  }
  if (answer.empty()) {
    completion->body["model"] = run.model.name;
    if (!run.record.usage.reported) {
      completion->body["usage"] = providers::write_openai_usage(run.record.usage);
    }
    answer = json::serialize(completion->body);
  }
  co_await run.sink.send_completion(std::move(answer));
}

boost::asio::awaitable<void> Pipeline::relay_stream(Run& run) {
  if (auto error = co_await start_upstream(run)) {
    if (error->status == 499) co_return;
    run.fail(*error);
    co_await run.sink.send_error(*error);
    co_return;
  }
  run.mark_first_byte();
  run.sink.begin_stream();
  metrics_.stream_opened();
  struct StreamGauge {
    telemetry::Metrics& metrics;
    ~StreamGauge() { metrics.stream_closed(); }
  } gauge{metrics_};

  auto decoder = run.model.endpoint->stream_decoder();
  const ChunkRelay relay(run.model.name, run.request.include_usage);
  providers::StreamChunks chunks;
  std::string events;
  std::optional<providers::ApiError> stream_failure;
  bool client_writable = true;
  for (;;) {
    std::string_view piece;
    if (auto failure = co_await run.call.read_some(piece)) {
      if (failure.kind == http::CallErrorKind::kCancelled) break;
      metrics_.record_upstream_error(run.model.provider, metric_kind(failure.kind));
      stream_failure = call_failure(failure, run.model.name);
      break;
    }
    if (piece.empty()) {
      stream_failure = decoder->finish();
      break;
    }
    chunks.clear();
    stream_failure = decoder->feed(piece, chunks);
    events.clear();
    for (auto& chunk : chunks) {
      run.answer.add_chunk(chunk.object);
      if (carries_usage(chunk.object) && !decoder->usage().reported) {
        // Usage the gateway does not trust is not shown: the client sees the estimate it
        // is charged, as in a whole answer. The usage comes after the answer's text.
        auto shown = decoder->usage();
        estimate_unreported(shown, run.request, run.answer);
        chunk.object["usage"] = providers::write_openai_usage(shown);
        chunk.text.clear();
      }
      relay.append_event(chunk, events);
    }
    if (!events.empty() && !co_await run.sink.write_events(events)) {
      client_writable = false;
      run.call.cancel();
      break;
    }
    if (stream_failure) {
      metrics_.record_upstream_error(run.model.provider, telemetry::UpstreamErrorKind::kProtocol);
      break;
    }
  }
  if (stream_failure) run.call.cancel();
  run.record.usage = decoder->usage();
  // What the upstream produced is charged, also when the stream broke or the client left;
  // the charge is committed before the stream's last byte.
  if (auto error = co_await charge(run); error && !stream_failure) stream_failure = error;
  if (stream_failure) run.fail(*stream_failure);
  if (!client_writable) co_return;
  events = stream_failure ? "data: " + render_openai_error(*stream_failure) + "\n\n"
                          : "data: [DONE]\n\n";
  co_await run.sink.end_stream(events);
}

}  // namespace chat
