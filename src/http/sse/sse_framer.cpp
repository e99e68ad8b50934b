#include "http/sse/sse_framer.hpp"

#include <cstring>

namespace http {

namespace {

// The first '\r' or '\n' at or after `from`, or npos. Two vectorised memchr scans: the
// string_view find_first_of("\r\n") it replaces calls memchr once per input byte.
std::size_t find_line_end(std::string_view bytes, std::size_t from) {
  const char* begin = bytes.data() + from;
  const std::size_t length = bytes.size() - from;
  const auto* lf = static_cast<const char*>(std::memchr(begin, '\n', length));
  const std::size_t before_lf = lf ? static_cast<std::size_t>(lf - begin) : length;
  if (const auto* cr = static_cast<const char*>(std::memchr(begin, '\r', before_lf))) {
    return from + static_cast<std::size_t>(cr - begin);
  }
  return lf ? from + before_lf : std::string_view::npos;
}

}  // namespace

bool SseFramer::feed(std::string_view bytes, std::vector<SseEvent>& out) {
  std::size_t position = 0;
  if (skip_lf_ && !bytes.empty()) {
    if (bytes.front() == '\n') position = 1;
    skip_lf_ = false;
  }
  while (position < bytes.size()) {
    auto end = find_line_end(bytes, position);
    if (end == std::string_view::npos) {
      line_.append(bytes.substr(position));
      break;
    }
    // A line that lies whole in `bytes` is read in place; only one that began in an earlier
    // piece was gathered in line_.
    std::string_view line = bytes.substr(position, end - position);
    if (!line_.empty()) {
      line_.append(line);
      line = line_;
    }
    if (bytes[end] == '\r') {
      if (end + 1 < bytes.size()) {
        if (bytes[end + 1] == '\n') ++end;
      } else {
        skip_lf_ = true;
      }
    }
    position = end + 1;
    finish_line(line, out);
    line_.clear();
    if (current_.data.size() + current_.event.size() > max_event_bytes_) return false;
  }
  return line_.size() + current_.data.size() <= max_event_bytes_;
}

void SseFramer::finish_line(std::string_view line, std::vector<SseEvent>& out) {
  if (line.empty()) {  // a blank line dispatches the event
    // As the SSE spec says, an event without a data line (e.g. a keep-alive "event: ping")
    // is not dispatched: decoders would otherwise see an event with empty data.
    if (has_data_) out.push_back(std::move(current_));
    current_ = SseEvent{};
    has_fields_ = false;
    has_data_ = false;
    return;
  }
  if (line.front() == ':') return;  // a comment, e.g. a keep-alive ": ping"
  auto colon = line.find(':');
  std::string_view field = line.substr(0, colon);
  std::string_view value =
      colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "data") {
    if (has_data_) current_.data.push_back('\n');
    current_.data.append(value);
    has_fields_ = true;
    has_data_ = true;
  } else if (field == "event") {
    current_.event = std::string(value);
    has_fields_ = true;
  }
}

}  // namespace http
