#pragma once
// Until billing and records plug into the seam, completions are logged at debug level.

#include "chat/completion_observer.hpp"
#include "telemetry/log.hpp"

namespace app {

class CompletionLog final : public chat::CompletionObserver {
 public:
  void on_completion(const chat::CompletionRecord& record) override {
    LLMGATE_LOG_DEBUG("completion {} key={} model={} status={} in={} out={} first_byte_ms={} ms={}",
                      record.request_id, record.key_id, record.model,
                      chat::to_string(record.status), record.usage.prompt_tokens,
                      record.usage.completion_tokens, record.first_byte_latency.count(),
                      record.latency.count());
  }
};

}  // namespace app
