#pragma once
// The provider interface. A Provider is stateless; an Endpoint is one model's configured
// upstream, built once per catalog snapshot and shared by every request to that model.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>

#include "core/result.hpp"
#include "http/client/url.hpp"
#include "http/message.hpp"

namespace providers {

// Token counts as the upstream reported them.
struct Usage {
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  std::int64_t cached_tokens = 0;     // cached input tokens, where reported
  std::int64_t reasoning_tokens = 0;  // part of completion_tokens, where reported
  bool reported = false;
  bool estimated = false;  // not reported: estimated from the text (see docs/billing.md)
};

// A validated OpenAI chat completion request, owned by the pipeline.
struct ChatRequest {
  boost::json::object body;  // as the client sent it, minus nothing
  std::string model;         // the gateway's model name
  bool stream = false;
  bool include_usage = false;  // the client asked for the usage chunk
  bool has_images = false;
  // For the admission estimate: characters of text in the messages, and image parts.
  std::size_t prompt_chars = 0;
  std::size_t image_count = 0;
  // The client's Session-Id header (the bot sets its chat id); empty when none was sent.
  std::string session_id;
  // https image URLs the gateway fetched and replaced in `body` by data: URLs (for providers
  // that take bytes), so that the record can show the URL the client sent.
  struct FetchedImage {
    std::size_t message = 0;
    std::size_t part = 0;
    std::string url;
  };
  std::vector<FetchedImage> fetched_images;
};

// An error in the OpenAI error shape, with the HTTP status the client gets.
struct ApiError {
  int status = 500;
  std::string message;
  std::string type = "api_error";
  std::string param;
  std::string code;
  std::string retry_after;  // passed on with 429
};

// An upstream answer in OpenAI form: a chat.completion object (non-stream).
struct Completion {
  boost::json::object body;
  Usage usage;
  // `body` is the upstream's answer text parsed as it is, so that the pipeline may relay that
  // text (with its own model name) instead of serializing `body` again.
  bool verbatim = false;
};

// One streamed chat.completion.chunk. `text` is the upstream's JSON text of `object` when
// the decoder parsed it from there, so that the pipeline may relay that text (with its own
// model name) instead of serializing `object` again; empty when the decoder built `object`.
struct StreamChunk {
  boost::json::object object;
  std::string text;
};

// The chunks a decoder appends, and the arena their parsed objects live in: one allocation
// per batch instead of one per JSON node. clear() destroys the chunks, then frees the arena,
// so no object outlives its memory.
class StreamChunks {
 public:
  StreamChunks() { arena_.emplace(kFirstBlockBytes); }
  StreamChunks(const StreamChunks&) = delete;
  StreamChunks& operator=(const StreamChunks&) = delete;

  // Where to parse chunk objects; valid until clear().
  boost::json::storage_ptr storage() { return boost::json::storage_ptr(&*arena_); }
  void push_back(boost::json::object object, std::string text = {}) {
    chunks_.push_back(StreamChunk{std::move(object), std::move(text)});
  }
  void clear() {
    chunks_.clear();
    // A fresh arena, not release(): a released monotonic_resource keeps doubling the size of
    // the blocks it asks for next.
    arena_.emplace(kFirstBlockBytes);
  }

  bool empty() const { return chunks_.empty(); }
  std::size_t size() const { return chunks_.size(); }
  StreamChunk& operator[](std::size_t index) { return chunks_[index]; }
  const StreamChunk& operator[](std::size_t index) const { return chunks_[index]; }
  auto begin() { return chunks_.begin(); }
  auto end() { return chunks_.end(); }
  auto begin() const { return chunks_.begin(); }
  auto end() const { return chunks_.end(); }

 private:
  static constexpr std::size_t kFirstBlockBytes = 4096;
  std::optional<boost::json::monotonic_resource> arena_;  // declared first: destroyed last
  std::vector<StreamChunk> chunks_;
};

class StreamDecoder {
 public:
  virtual ~StreamDecoder() = default;
  // Feeds raw upstream body bytes; appends whole OpenAI chat.completion.chunk objects.
  // Returns an error when the stream is malformed or the upstream reports a failure.
  virtual std::optional<ApiError> feed(std::string_view bytes, StreamChunks& chunks) = 0;
  // The body ended: an error when it ended before the stream was complete.
  virtual std::optional<ApiError> finish() = 0;
  virtual const Usage& usage() const = 0;
};

struct UpstreamTarget {
  http::Url url;
  http::OutgoingRequest request;
};

class Endpoint {
 public:
  virtual ~Endpoint() = default;
  // Translates the request (it may be changed in place: no copy of the document is made).
  // `attempt` counts retries, for providers that fail over between regions.
  virtual core::Result<UpstreamTarget> build_request(ChatRequest& request, int attempt) const = 0;
  // How many attempts a failure with this status may take (1: no retry).
  virtual int max_attempts() const { return 1; }
  virtual core::Result<Completion> parse_response(std::string_view body) const = 0;
  virtual std::unique_ptr<StreamDecoder> stream_decoder() const = 0;
  // An upstream answer with a non-2xx status, mapped for the client.
  virtual ApiError map_error(int status, const http::Headers& headers,
                             std::string_view body) const = 0;
  // The default output cap when the request names none (0: unknown).
  virtual std::int64_t default_max_tokens() const { return 0; }
  // True when the upstream takes image bytes, not URLs: the pipeline then fetches https
  // image URLs and hands the endpoint data: URLs only.
  virtual bool wants_image_bytes() const { return false; }
  // True while the credentials it signs with are being fetched for the first time (a model
  // just saved, or a gateway just started): the pipeline then waits for them a moment,
  // without blocking its thread, before build_request.
  virtual bool waiting_for_credentials() const { return false; }
};

class Provider {
 public:
  virtual ~Provider() = default;
  virtual std::string_view name() const = 0;
  // Validates a model's config; errors name the key ("config.baseUrl: required").
  virtual core::Result<std::shared_ptr<const Endpoint>> configure(
      const boost::json::object& config, std::string_view model_name) const = 0;
  // Only the validation, for an admin save (the catalog configures the saved row): a
  // provider whose endpoints start work of their own (fetching credentials) starts none.
  virtual core::Status validate(const boost::json::object& config,
                                std::string_view model_name) const {
    auto endpoint = configure(config, model_name);
    if (!endpoint) return endpoint.take_error();
    return core::Ok{};
  }
  // Config keys whose values are secrets, masked in API answers.
  virtual std::vector<std::string> secret_keys() const = 0;
};

}  // namespace providers
