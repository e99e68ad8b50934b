#pragma once
// A chat completion from validated request to relayed answer: model and grant check on the
// catalog snapshot, the upstream call, the relay, and one CompletionRecord at the end.

#include <memory>

#include <boost/asio/awaitable.hpp>

#include "billing/ledger.hpp"
#include "catalog/catalog.hpp"
#include "chat/completion_observer.hpp"
#include "chat/image_inliner.hpp"
#include "chat/response_sink.hpp"
#include "http/client/upstream_call.hpp"

namespace telemetry {
class Metrics;
}

namespace chat {

class Pipeline {
 public:
  Pipeline(http::ClientTimeouts timeouts, telemetry::Metrics& metrics, billing::Ledger& ledger,
           CompletionObserver& observer, bool fetch_private_images = false);

  boost::asio::awaitable<void> complete(const std::shared_ptr<const catalog::Catalog>& snapshot,
                                        const catalog::KeyEntry& key,
                                        providers::ChatRequest&& request,
                                        std::string_view request_id, ResponseSink& sink);

 private:
  struct Run;
  boost::asio::awaitable<void> relay_whole(Run& run);
  boost::asio::awaitable<void> relay_stream(Run& run);
  // Builds and sends the upstream request, trying the next attempt (region) on a
  // failure worth it; an error (status 499 when the client left) or a 2xx answer started.
  boost::asio::awaitable<std::optional<providers::ApiError>> start_upstream(Run& run);
  // Until the model's credentials are fetched for the first time (Endpoint::
  // waiting_for_credentials), without blocking the thread.
  boost::asio::awaitable<void> wait_for_credentials(Run& run);
  // Prices the usage (estimating it when the upstream reported none) and commits the
  // charge; an error when the charge could not be stored.
  boost::asio::awaitable<std::optional<providers::ApiError>> charge(Run& run);

  http::ClientTimeouts timeouts_;
  ImageFetchOptions image_fetch_;
  telemetry::Metrics& metrics_;
  billing::Ledger& ledger_;
  CompletionObserver& observer_;
};

}  // namespace chat
