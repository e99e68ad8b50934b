#pragma once
// Builds event stream frames for the Bedrock tests: headers and a payload, with correct (or
// deliberately wrong) lengths and CRCs.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "providers/bedrock_converse/event_stream.hpp"

namespace providers::bedrock::testing {

inline void put_big_endian(std::string& out, std::uint64_t value, int width) {
  for (int shift = (width - 1) * 8; shift >= 0; shift -= 8) {
    out += static_cast<char>((value >> shift) & 0xff);
  }
}

inline std::string string_header(std::string_view name, std::string_view value) {
  std::string out;
  out += static_cast<char>(name.size());
  out += name;
  out += static_cast<char>(7);
  put_big_endian(out, value.size(), 2);
  out += value;
  return out;
}

// A whole frame: prelude, prelude CRC, headers, payload, message CRC.
inline std::string frame(std::string_view headers, std::string_view payload) {
  std::string out;
  put_big_endian(out, 16 + headers.size() + payload.size(), 4);
  put_big_endian(out, headers.size(), 4);
  put_big_endian(out, crc32(out), 4);
  out += headers;
  out += payload;
  put_big_endian(out, crc32(out), 4);
  return out;
}

// A Bedrock event (":message-type" event) with a JSON payload.
inline std::string event_frame(std::string_view event_type, std::string_view json) {
  return frame(string_header(":event-type", event_type) +
                   string_header(":content-type", "application/json") +
                   string_header(":message-type", "event"),
               json);
}

inline std::string exception_frame(std::string_view exception_type, std::string_view json) {
  return frame(string_header(":exception-type", exception_type) +
                   string_header(":content-type", "application/json") +
                   string_header(":message-type", "exception"),
               json);
}

inline std::string from_hex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

}  // namespace providers::bedrock::testing
