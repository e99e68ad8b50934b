#pragma once
// AWS's binary event stream framing (`application/vnd.amazon.eventstream`), which Bedrock's
// streaming answers use. A message is
//   total length (4) | headers length (4) | prelude CRC32 (4) | headers | payload | CRC32 (4)
// all big-endian; the prelude CRC covers the first 8 bytes, the message CRC everything before
// it. Nothing read from the wire is trusted: every length is bounded before it is used, and
// both CRCs are checked before a message is handed on.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace providers::bedrock {

enum class HeaderType : std::uint8_t {
  kBoolTrue = 0,
  kBoolFalse = 1,
  kByte = 2,
  kShort = 3,
  kInteger = 4,
  kLong = 5,
  kByteArray = 6,
  kString = 7,
  kTimestamp = 8,  // milliseconds since the epoch
  kUuid = 9,
};

struct EventHeader {
  std::string name;
  HeaderType type = HeaderType::kString;
  // bool for the two bool types, int64 for every integer and the timestamp, bytes (as a
  // string) for byte arrays, strings and UUIDs (16 raw bytes).
  std::variant<bool, std::int64_t, std::string> value;
};

struct EventMessage {
  std::vector<EventHeader> headers;
  std::string payload;

  // The value of a string header, or nullopt when absent or of another type.
  std::optional<std::string_view> string_header(std::string_view name) const;
};

class EventStreamDecoder {
 public:
  // AWS caps a message at 16 MiB of payload and 128 KiB of headers.
  static constexpr std::size_t kDefaultMaxMessageBytes = 16 * 1024 * 1024 + 128 * 1024 + 16;

  explicit EventStreamDecoder(std::size_t max_message_bytes = kDefaultMaxMessageBytes)
      : max_message_bytes_(max_message_bytes) {}

  // Consumes `bytes` (any split of the stream) and appends each message completed by them.
  // Returns an error message when the stream is corrupt; the decoder then stays failed.
  std::optional<std::string> feed(std::string_view bytes, std::vector<EventMessage>& messages);

  // True when no partial message is buffered: the stream may end here.
  bool at_message_boundary() const { return buffer_.empty() && !failed_; }

 private:
  std::optional<std::string> decode_one(std::string_view frame, EventMessage& message) const;

  std::size_t max_message_bytes_;
  std::string buffer_;
  bool failed_ = false;
};

std::uint32_t crc32(std::string_view bytes);

}  // namespace providers::bedrock
