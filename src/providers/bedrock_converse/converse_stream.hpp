#pragma once
// ConverseStream's event stream as OpenAI chat.completion.chunk objects:
//   messageStart                 -> the first chunk, delta {role: "assistant", content: ""}
//   contentBlockStart (toolUse)  -> a tool call with id, name and empty arguments; each tool
//                                   block gets the next OpenAI tool-call index
//   contentBlockDelta text       -> delta.content
//   contentBlockDelta toolUse    -> delta.tool_calls[{index, function.arguments}]
//   contentBlockDelta reasoning  -> delta.reasoning_content
//   messageStop                  -> a chunk with finish_reason
//   metadata                     -> the usage chunk (choices: [])
//   exception / error messages   -> an error
// The stream is complete once messageStop has arrived and no frame is left half-read.

#include <cstdint>
#include <map>

#include "providers/bedrock_converse/event_stream.hpp"
#include "providers/provider.hpp"

namespace providers::bedrock {

class ConverseStreamDecoder final : public StreamDecoder {
 public:
  ConverseStreamDecoder();

  std::optional<ApiError> feed(std::string_view bytes, StreamChunks& chunks) override;
  std::optional<ApiError> finish() override;
  const Usage& usage() const override { return usage_; }

 private:
  std::optional<ApiError> on_message(const EventMessage& message, StreamChunks& chunks);
  void on_event(std::string_view type, const boost::json::object& event, StreamChunks& chunks);
  void on_block_delta(const boost::json::object& event, StreamChunks& chunks);
  int tool_index(std::int64_t block_index);
  boost::json::object chunk(boost::json::object&& delta) const;

  EventStreamDecoder frames_;
  std::vector<EventMessage> messages_;
  std::string id_;
  std::int64_t created_;
  std::map<std::int64_t, int> tool_index_by_block_;
  Usage usage_;
  bool stopped_ = false;
};

}  // namespace providers::bedrock
