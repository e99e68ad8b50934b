#include "chat/pipeline.hpp"

#include <boost/json/serialize.hpp>

#include "chat/openai_error.hpp"
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

telemetry::UpstreamErrorKind metric_kind(http::CallErrorKind kind) {
  switch (kind) {
    case http::CallErrorKind::kConnect:
      return telemetry::UpstreamErrorKind::kConnect;
    case http::CallErrorKind::kTimeout:
      return telemetry::UpstreamErrorKind::kTimeout;
    default:
      return telemetry::UpstreamErrorKind::kProtocol;
  }
}

providers::ApiError call_failure(const http::CallError& error, std::string_view model) {
  switch (error.kind) {
    case http::CallErrorKind::kTimeout:
      return make_api_error(504,
                            "the upstream of model '" + std::string(model) +
                                "' did not answer in time: " + error.message,
                            "upstream_error", "upstream_timeout");
    case http::CallErrorKind::kConnect:
      return make_api_error(
          502,
          "the upstream of model '" + std::string(model) + "' is unreachable: " + error.message,
          "upstream_error", "upstream_unreachable");
    default:
      return make_api_error(
          502, "the upstream of model '" + std::string(model) + "' failed: " + error.message,
          "upstream_error", "upstream_error");
  }
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
  Clock::time_point started = Clock::now();
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
                   CompletionObserver& observer)
    : timeouts_(timeouts), metrics_(metrics), observer_(observer) {}

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

  Run run{*model, std::move(request), sink, http::UpstreamCall(timeouts_), {}};
  run.record.request_id = std::string(request_id);
  run.record.key_id = key.id;
  run.record.model_id = model->id;
  run.record.model = model->name;
  run.record.provider = model->provider;
  run.record.stream = run.request.stream;

  // Named first: GCC 12 miscompiles capturing lambdas inside co_await expressions.
  std::function<void()> cancel_upstream = [&run] { run.call.cancel(); };
  auto relay = run.request.stream ? relay_stream(run) : relay_whole(run);
  run.client_gone = co_await sink.run_watching_client(std::move(relay), std::move(cancel_upstream));
  if (run.client_gone && run.record.status != CompletionStatus::kError) {
    run.record.status = CompletionStatus::kCancelled;
    run.record.http_status = 499;  // nginx's "client closed request"
    run.record.error = "the client closed the connection";
  }
  run.record.latency = duration_cast<milliseconds>(Clock::now() - run.started);
  run.record.request = &run.request;
  observer_.on_completion(run.record);
}

boost::asio::awaitable<void> Pipeline::relay_whole(Run& run) {
  auto target = run.model.endpoint->build_request(run.request, 0);
  if (!target) {
    auto error = api_error_from(target.error());
    run.fail(error);
    co_await run.sink.send_error(error);
    co_return;
  }
  if (auto failure = co_await run.call.start(target->url, std::move(target->request))) {
    if (failure.kind == http::CallErrorKind::kCancelled) co_return;
    metrics_.record_upstream_error(run.model.provider, metric_kind(failure.kind));
    auto error = call_failure(failure, run.model.name);
    run.fail(error);
    co_await run.sink.send_error(error);
    co_return;
  }
  run.mark_first_byte();
  std::string body;
  int status = run.call.status();
  auto failure = co_await run.call.read_all(
      body, status / 100 == 2 ? kMaxWholeAnswerBytes : kMaxErrorBodyBytes);
  if (failure) {
    if (failure.kind == http::CallErrorKind::kCancelled) co_return;
    metrics_.record_upstream_error(run.model.provider, metric_kind(failure.kind));
    auto error = call_failure(failure, run.model.name);
    run.fail(error);
    co_await run.sink.send_error(error);
    co_return;
  }
  if (status / 100 != 2) {
    metrics_.record_upstream_error(run.model.provider,
                                   status / 100 == 4 ? telemetry::UpstreamErrorKind::kStatus4xx
                                                     : telemetry::UpstreamErrorKind::kStatus5xx);
    auto error = run.model.endpoint->map_error(status, run.call.headers(), body);
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
  completion->body["model"] = run.model.name;
  co_await run.sink.send_completion(json::serialize(completion->body));
}

boost::asio::awaitable<void> Pipeline::relay_stream(Run& run) {
  auto target = run.model.endpoint->build_request(run.request, 0);
  if (!target) {
    auto error = api_error_from(target.error());
    run.fail(error);
    co_await run.sink.send_error(error);
    co_return;
  }
  if (auto failure = co_await run.call.start(target->url, std::move(target->request))) {
    if (failure.kind == http::CallErrorKind::kCancelled) co_return;
    metrics_.record_upstream_error(run.model.provider, metric_kind(failure.kind));
    auto error = call_failure(failure, run.model.name);
    run.fail(error);
    co_await run.sink.send_error(error);
    co_return;
  }
  run.mark_first_byte();
  int status = run.call.status();
  if (status / 100 != 2) {
    std::string body;
    co_await run.call.read_all(body, kMaxErrorBodyBytes);
    metrics_.record_upstream_error(run.model.provider,
                                   status / 100 == 4 ? telemetry::UpstreamErrorKind::kStatus4xx
                                                     : telemetry::UpstreamErrorKind::kStatus5xx);
    auto error = run.model.endpoint->map_error(status, run.call.headers(), body);
    run.fail(error);
    co_await run.sink.send_error(error);
    co_return;
  }

  if (!co_await run.sink.begin_stream()) {
    run.call.cancel();
    co_return;
  }
  metrics_.stream_opened();
  struct StreamGauge {
    telemetry::Metrics& metrics;
    ~StreamGauge() { metrics.stream_closed(); }
  } gauge{metrics_};

  auto decoder = run.model.endpoint->stream_decoder();
  std::vector<json::object> chunks;
  std::string events;
  std::optional<providers::ApiError> stream_failure;
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
      chunk["model"] = run.model.name;
      if (!run.request.include_usage) {
        // The upstream was asked for usage on the client's behalf: keep it to ourselves.
        auto* choices = chunk.if_contains("choices");
        bool usage_only = choices && choices->is_array() && choices->get_array().empty();
        if (usage_only && chunk.contains("usage")) continue;
        chunk.erase("usage");
      }
      events += "data: ";
      events += json::serialize(chunk);
      events += "\n\n";
    }
    if (!events.empty() && !co_await run.sink.write_events(events)) {
      run.call.cancel();
      break;
    }
    if (stream_failure) {
      metrics_.record_upstream_error(run.model.provider, telemetry::UpstreamErrorKind::kProtocol);
      break;
    }
  }
  run.record.usage = decoder->usage();
  if (stream_failure) {
    run.fail(*stream_failure);
    events = "data: " + render_openai_error(*stream_failure) + "\n\n";
    run.call.cancel();
    if (co_await run.sink.write_events(events)) co_await run.sink.end_stream();
    co_return;
  }
  if (run.call.status() != 0 && co_await run.sink.write_events("data: [DONE]\n\n")) {
    co_await run.sink.end_stream();
  }
}

}  // namespace chat
