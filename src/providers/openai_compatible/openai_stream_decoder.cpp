#include "providers/openai_compatible/openai_stream_decoder.hpp"

#include "providers/openai_compatible/openai_usage.hpp"

namespace providers {
namespace {

ApiError stream_error(std::string message) {
  ApiError error;
  error.status = 502;
  error.type = "upstream_error";
  error.code = "upstream_stream_error";
  error.message = std::move(message);
  return error;
}

}  // namespace

std::optional<ApiError> OpenAiStreamDecoder::feed(std::string_view bytes, StreamChunks& chunks) {
  events_.clear();
  if (!framer_.feed(bytes, events_)) return stream_error("an upstream stream event is too large");
  for (auto& event : events_) {
    if (event.data == "[DONE]") {
      done_ = true;
      continue;
    }
    boost::system::error_code ec;
    parser_.reset(chunks.storage());
    parser_.write(event.data, ec);
    if (ec) return stream_error("the upstream sent an event that is not JSON");
    auto parsed = parser_.release();
    if (!parsed.is_object()) return stream_error("the upstream sent an event that is not JSON");
    auto& object = parsed.get_object();
    if (auto* error = object.if_contains("error")) {
      std::string message = "the upstream failed mid-stream";
      if (error->is_object()) {
        if (auto* text = error->get_object().if_contains("message"); text && text->is_string()) {
          message += ": " + std::string(text->get_string());
        }
      }
      return stream_error(std::move(message));
    }
    if (auto* usage = object.if_contains("usage"); usage && usage->is_object()) {
      usage_ = read_openai_usage(*usage);
    }
    if (auto* choices = object.if_contains("choices"); choices && choices->is_array()) {
      for (const auto& choice : choices->get_array()) {
        if (!choice.is_object()) continue;
        auto* reason = choice.get_object().if_contains("finish_reason");
        if (reason && reason->is_string()) saw_finish_reason_ = true;
      }
    }
    chunks.push_back(std::move(object), std::move(event.data));
  }
  return std::nullopt;
}

std::optional<ApiError> OpenAiStreamDecoder::finish() {
  // Some servers omit [DONE]; a finish_reason is enough to know the answer is whole.
  if (done_ || saw_finish_reason_) return std::nullopt;
  return stream_error("the upstream stream ended before the answer was complete");
}

}  // namespace providers
