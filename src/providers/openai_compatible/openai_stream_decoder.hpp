#pragma once
// OpenAI's streamed answer: SSE events holding chat.completion.chunk JSON, then [DONE].

#include <boost/json/parser.hpp>

#include "http/sse/sse_framer.hpp"
#include "providers/provider.hpp"

namespace providers {

class OpenAiStreamDecoder final : public StreamDecoder {
 public:
  std::optional<ApiError> feed(std::string_view bytes, StreamChunks& chunks) override;
  std::optional<ApiError> finish() override;
  const Usage& usage() const override { return usage_; }

 private:
  http::SseFramer framer_;
  std::vector<http::SseEvent> events_;
  boost::json::parser parser_;  // reused: keeps its working stack between events
  Usage usage_;
  bool done_ = false;
  bool saw_finish_reason_ = false;
};

}  // namespace providers
