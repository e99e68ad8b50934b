#pragma once
// OpenAI's streamed answer: SSE events holding chat.completion.chunk JSON, then [DONE].

#include "http/sse/sse_framer.hpp"
#include "providers/provider.hpp"

namespace providers {

class OpenAiStreamDecoder final : public StreamDecoder {
 public:
  std::optional<ApiError> feed(std::string_view bytes,
                               std::vector<boost::json::object>& chunks) override;
  std::optional<ApiError> finish() override;
  const Usage& usage() const override { return usage_; }

 private:
  http::SseFramer framer_;
  std::vector<http::SseEvent> events_;
  Usage usage_;
  bool done_ = false;
  bool saw_finish_reason_ = false;
};

}  // namespace providers
