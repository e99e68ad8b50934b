#pragma once
// A chat completion from validated request to relayed answer: model and grant check on the
// catalog snapshot, the upstream call, the relay, and one CompletionRecord at the end.

#include <memory>

#include <boost/asio/awaitable.hpp>

#include "catalog/catalog.hpp"
#include "chat/completion_observer.hpp"
#include "chat/response_sink.hpp"
#include "http/client/upstream_call.hpp"

namespace telemetry {
class Metrics;
}

namespace chat {

class Pipeline {
 public:
  Pipeline(http::ClientTimeouts timeouts, telemetry::Metrics& metrics,
           CompletionObserver& observer);

  boost::asio::awaitable<void> complete(const std::shared_ptr<const catalog::Catalog>& snapshot,
                                        const catalog::KeyEntry& key,
                                        providers::ChatRequest&& request,
                                        std::string_view request_id, ResponseSink& sink);

 private:
  struct Run;
  boost::asio::awaitable<void> relay_whole(Run& run);
  boost::asio::awaitable<void> relay_stream(Run& run);

  http::ClientTimeouts timeouts_;
  telemetry::Metrics& metrics_;
  CompletionObserver& observer_;
};

}  // namespace chat
