#pragma once
// An incremental parser for text/event-stream. Bytes arrive in arbitrary pieces (a TCP read
// may end mid-line or mid-event); complete events come out. Bounded: an event larger than
// the limit is an error, so a broken upstream cannot grow memory without end.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace http {

struct SseEvent {
  std::string event;  // the "event:" field, empty for the default "message"
  std::string data;   // "data:" lines joined with '\n'
};

class SseFramer {
 public:
  explicit SseFramer(std::size_t max_event_bytes = 8 * 1024 * 1024)
      : max_event_bytes_(max_event_bytes) {}

  // Appends complete events to `out`. Returns false when an event exceeded the limit.
  bool feed(std::string_view bytes, std::vector<SseEvent>& out);
  // True when bytes of an unfinished event are pending (a stream cut mid-event).
  bool has_partial_event() const { return !line_.empty() || has_fields_; }

 private:
  // `line` may view line_, which the caller clears afterwards.
  void finish_line(std::string_view line, std::vector<SseEvent>& out);

  std::size_t max_event_bytes_;
  std::string line_;
  SseEvent current_;
  bool has_fields_ = false;
  bool has_data_ = false;
  bool skip_lf_ = false;  // the previous piece ended with '\r' of a "\r\n"
};

}  // namespace http
