#pragma once
// The answer's text and tool calls, collected for the chat record: from a whole
// chat.completion, or merged from stream deltas (tool calls arrive in pieces by index).

#include <cstddef>
#include <string>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace chat {

class AnswerText {
 public:
  // `keep_text` false: only the characters are counted (for estimates); the text and the
  // tool calls are not kept, for a gateway that does not store them
  // (LLMGATE_STORE_CONTENT=false).
  explicit AnswerText(bool keep_text = true) : keep_text_(keep_text) {}

  void add_chunk(const boost::json::object& chunk);
  void add_completion(const boost::json::object& completion);

  const std::string& text() const { return text_; }
  std::string take_text() { return std::move(text_); }
  // A JSON array of {"id", "type": "function", "function": {"name", "arguments"}}; ""
  // when the answer called no tool.
  std::string tool_calls_json() const;
  // Characters generated (text, reasoning, tool names and arguments), for estimates.
  std::size_t generated_chars() const { return generated_chars_; }

 private:
  void add_message(const boost::json::object& message, bool is_delta);

  bool keep_text_ = true;
  std::string text_;
  boost::json::array tool_calls_;
  std::size_t generated_chars_ = 0;
};

}  // namespace chat
