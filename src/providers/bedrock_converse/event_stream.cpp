#include "providers/bedrock_converse/event_stream.hpp"

#include <boost/crc.hpp>

namespace providers::bedrock {
namespace {

constexpr std::size_t kPreludeBytes = 12;  // total length, headers length, prelude CRC
constexpr std::size_t kMinMessageBytes = kPreludeBytes + 4;

std::uint64_t read_big_endian(std::string_view bytes, std::size_t offset, std::size_t width) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    value = (value << 8) | static_cast<unsigned char>(bytes[offset + i]);
  }
  return value;
}

// Reads headers from `block` (exactly the headers section), failing on any overrun.
class HeaderReader {
 public:
  explicit HeaderReader(std::string_view block) : block_(block) {}

  std::optional<std::string> read_all(std::vector<EventHeader>& headers) {
    while (offset_ < block_.size()) {
      EventHeader header;
      if (auto error = read_one(header)) return error;
      headers.push_back(std::move(header));
    }
    return std::nullopt;
  }

 private:
  bool take(std::size_t count, std::string_view& out) {
    if (count > block_.size() - offset_) return false;
    out = block_.substr(offset_, count);
    offset_ += count;
    return true;
  }

  bool take_integer(std::size_t width, std::uint64_t& out) {
    std::string_view bytes;
    if (!take(width, bytes)) return false;
    out = read_big_endian(bytes, 0, width);
    return true;
  }

  std::optional<std::string> read_one(EventHeader& header) {
    std::uint64_t name_length = 0;
    std::string_view name;
    if (!take_integer(1, name_length) || name_length == 0 || !take(name_length, name)) {
      return "an event header name is empty or runs past the headers";
    }
    header.name = std::string(name);
    std::uint64_t type = 0;
    if (!take_integer(1, type)) return "event header '" + header.name + "' has no type";
    if (type > static_cast<std::uint64_t>(HeaderType::kUuid)) {
      return "event header '" + header.name + "' has an unknown type " + std::to_string(type);
    }
    header.type = static_cast<HeaderType>(type);
    std::uint64_t number = 0;
    std::string_view bytes;
    bool complete = true;
    switch (header.type) {
      case HeaderType::kBoolTrue:
        header.value = true;
        break;
      case HeaderType::kBoolFalse:
        header.value = false;
        break;
      case HeaderType::kByte:
        complete = take_integer(1, number);
        header.value = static_cast<std::int64_t>(static_cast<std::int8_t>(number));
        break;
      case HeaderType::kShort:
        complete = take_integer(2, number);
        header.value = static_cast<std::int64_t>(static_cast<std::int16_t>(number));
        break;
      case HeaderType::kInteger:
        complete = take_integer(4, number);
        header.value = static_cast<std::int64_t>(static_cast<std::int32_t>(number));
        break;
      case HeaderType::kLong:
      case HeaderType::kTimestamp:
        complete = take_integer(8, number);
        header.value = static_cast<std::int64_t>(number);
        break;
      case HeaderType::kByteArray:
      case HeaderType::kString:
        complete = take_integer(2, number) && take(number, bytes);
        header.value = std::string(bytes);
        break;
      case HeaderType::kUuid:
        complete = take(16, bytes);
        header.value = std::string(bytes);
        break;
    }
    if (!complete) return "event header '" + header.name + "' runs past the headers";
    return std::nullopt;
  }

  std::string_view block_;
  std::size_t offset_ = 0;
};

}  // namespace

std::uint32_t crc32(std::string_view bytes) {
  boost::crc_32_type crc;
  crc.process_bytes(bytes.data(), bytes.size());
  return crc.checksum();
}

std::optional<std::string_view> EventMessage::string_header(std::string_view name) const {
  for (const auto& header : headers) {
    if (header.name == name && header.type == HeaderType::kString) {
      return std::string_view(std::get<std::string>(header.value));
    }
  }
  return std::nullopt;
}

std::optional<std::string> EventStreamDecoder::feed(std::string_view bytes,
                                                    std::vector<EventMessage>& messages) {
  if (failed_) return "the event stream is already corrupt";
  buffer_.append(bytes);
  std::size_t offset = 0;
  std::optional<std::string> error;
  while (buffer_.size() - offset >= kPreludeBytes) {
    std::string_view rest(buffer_.data() + offset, buffer_.size() - offset);
    // The prelude CRC is checked before either length is believed.
    auto prelude_crc = static_cast<std::uint32_t>(read_big_endian(rest, 8, 4));
    if (crc32(rest.substr(0, 8)) != prelude_crc) {
      error = "an event stream prelude has a wrong CRC";
      break;
    }
    std::uint64_t total = read_big_endian(rest, 0, 4);
    std::uint64_t headers_length = read_big_endian(rest, 4, 4);
    if (total < kMinMessageBytes || total > max_message_bytes_) {
      error = "an event stream message claims " + std::to_string(total) +
              " bytes (allowed: " + std::to_string(kMinMessageBytes) + " to " +
              std::to_string(max_message_bytes_) + ")";
      break;
    }
    if (headers_length > total - kMinMessageBytes) {
      error = "an event stream message's headers are longer than the message";
      break;
    }
    if (rest.size() < total) break;  // wait for the rest of this message
    std::string_view frame = rest.substr(0, total);
    EventMessage message;
    if (auto failure = decode_one(frame, message)) {
      error = std::move(failure);
      break;
    }
    messages.push_back(std::move(message));
    offset += total;
  }
  if (error) {
    failed_ = true;
    buffer_.clear();
    return error;
  }
  buffer_.erase(0, offset);
  return std::nullopt;
}

std::optional<std::string> EventStreamDecoder::decode_one(std::string_view frame,
                                                          EventMessage& message) const {
  auto message_crc = static_cast<std::uint32_t>(read_big_endian(frame, frame.size() - 4, 4));
  if (crc32(frame.substr(0, frame.size() - 4)) != message_crc) {
    return "an event stream message has a wrong CRC";
  }
  auto headers_length = static_cast<std::size_t>(read_big_endian(frame, 4, 4));
  std::string_view headers = frame.substr(kPreludeBytes, headers_length);
  if (auto error = HeaderReader(headers).read_all(message.headers)) return error;
  std::size_t payload_start = kPreludeBytes + headers_length;
  message.payload = std::string(frame.substr(payload_start, frame.size() - 4 - payload_start));
  return std::nullopt;
}

}  // namespace providers::bedrock
