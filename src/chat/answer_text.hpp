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
  void add_chunk(const boost::json::object& chunk);
  void add_completion(const boost::json::object& completion);

  const std::string& text() const { return text_; }
  // A JSON array of {"id", "type": "function", "function": {"name", "arguments"}}; ""
  // when the answer called no tool.
  std::string tool_calls_json() const;
  // Characters generated (text, reasoning, tool names and arguments), for estimates.
  std::size_t generated_chars() const { return generated_chars_; }

 private:
  void add_message(const boost::json::object& message, bool is_delta);

  std::string text_;
  boost::json::array tool_calls_;
  std::size_t generated_chars_ = 0;
};

}  // namespace chat
