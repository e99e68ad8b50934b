#pragma once
// The seam between the chat path and what happens after a request: billing settles its
// cost, records write its thread. Every request that reached a model produces exactly one
// CompletionRecord, whether it succeeded, failed or was cancelled by the client.

#include <chrono>
#include <cstdint>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "core/money.hpp"
#include "providers/provider.hpp"

namespace chat {

enum class CompletionStatus { kOk, kError, kCancelled };
const char* to_string(CompletionStatus status);

struct CompletionRecord {
  std::string request_id;
  std::int64_t key_id = 0;
  std::int64_t model_id = 0;
  std::string model;  // the gateway's model name
  std::string provider;
  bool stream = false;
  providers::Usage usage;
  core::Money price_in;  // the model's prices when the request ran (per 1M tokens)
  core::Money price_out;
  core::Money fee;  // what was charged
  CompletionStatus status = CompletionStatus::kOk;
  int http_status = 200;
  std::string error;
  std::chrono::milliseconds first_byte_latency{0};
  std::chrono::milliseconds latency{0};
  std::string completion;  // the answer's text
  std::string tool_calls;  // JSON array of the answer's tool calls, "" when none
  // The request as the client sent it (its model field may hold the upstream's id by
  // now). Valid during on_completion only; an observer may move parts out of it.
  providers::ChatRequest* request = nullptr;
};

class CompletionObserver {
 public:
  virtual ~CompletionObserver() = default;
  // Called on the request's I/O thread; must not block (queue work elsewhere).
  virtual void on_completion(CompletionRecord& record) = 0;
  // Awaited before a request is admitted: an observer whose queue is full slows new
  // requests here instead of dropping records.
  virtual boost::asio::awaitable<void> before_request() { co_return; }
  // False when the record's texts are dropped anyway (LLMGATE_STORE_CONTENT=false): the
  // pipeline then does not collect the answer's text, only counts it.
  virtual bool keeps_text() const { return true; }
};

}  // namespace chat
