#pragma once
// Turns a stream's decoded chunks into the SSE events the client gets: each chunk with the
// gateway's model name and, when the client did not ask for usage, without it. A chunk that
// came with its upstream text is relayed as that text with those fields spliced in, which
// costs a scan instead of a serialization; the parsed object is serialized only when the
// text cannot be edited safely, or when the decoder built the chunk itself.

#include <string>
#include <string_view>

#include "providers/provider.hpp"

namespace chat {

class ChunkRelay {
 public:
  ChunkRelay(std::string_view model_name, bool include_usage);

  // Appends "data: <chunk>\n\n" to `events`, or nothing for a usage-only chunk the client
  // did not ask for. `chunk.object` may be changed.
  void append_event(providers::StreamChunk& chunk, std::string& events) const;

 private:
  bool append_spliced(const providers::StreamChunk& chunk, std::string& events) const;

  std::string model_name_;
  std::string quoted_model_name_;  // as a JSON string
  bool include_usage_;
};

}  // namespace chat
