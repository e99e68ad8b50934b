#include "chat/chat_request.hpp"

#include <array>
#include <string>

namespace chat {
namespace {

namespace json = boost::json;
using core::Error;

Error invalid(const std::string& field, const std::string& reason) {
  return Error::bad_request(field + ": " + reason, field);
}

bool is_number(const json::value& value) {
  return value.is_int64() || value.is_uint64() || value.is_double();
}

double as_double(const json::value& value) {
  if (value.is_int64()) return static_cast<double>(value.get_int64());
  if (value.is_uint64()) return static_cast<double>(value.get_uint64());
  return value.get_double();
}

bool is_positive_integer(const json::value& value) {
  return (value.is_int64() && value.get_int64() > 0) ||
         (value.is_uint64() && value.get_uint64() > 0);
}

core::Status check_number_range(const json::object& body, std::string_view key, double low,
                                double high) {
  auto* value = body.if_contains(key);
  if (!value || value->is_null()) return core::Ok{};
  if (!is_number(*value)) return invalid(std::string(key), "must be a number");
  double number = as_double(*value);
  if (number < low || number > high) {
    return invalid(std::string(key), "must be between " + std::to_string(low).substr(0, 4) +
                                         " and " + std::to_string(high).substr(0, 4));
  }
  return core::Ok{};
}

core::Status check_content_part(const json::value& part, const std::string& field,
                                providers::ChatRequest& request) {
  if (!part.is_object()) return invalid(field, "must be an object");
  const auto& object = part.get_object();
  auto* type = object.if_contains("type");
  if (!type || !type->is_string()) return invalid(field + ".type", "required string");
  if (*type == "text") {
    auto* text = object.if_contains("text");
    if (!text || !text->is_string()) return invalid(field + ".text", "required string");
    request.prompt_chars += text->get_string().size();
    return core::Ok{};
  }
  if (*type == "image_url") {
    auto* image = object.if_contains("image_url");
    const json::value* url = nullptr;
    if (image && image->is_object()) url = image->get_object().if_contains("url");
    if (image && image->is_string()) url = image;
    if (!url || !url->is_string()) return invalid(field + ".image_url.url", "required string");
    std::string_view text = url->get_string();
    // SPEC 6: https or data: only; a plain http:// URL would have providers that fetch
    // images (Bedrock) make cleartext requests chosen by the client.
    if (!text.starts_with("https://") && !text.starts_with("data:")) {
      return invalid(field + ".image_url.url", "must be an https:// or data: URL");
    }
    request.has_images = true;
    ++request.image_count;
    return core::Ok{};
  }
  return invalid(field + ".type", "unsupported content part type '" +
                                      std::string(type->get_string()) +
                                      "' (supported: text, image_url)");
}

core::Status check_message(const json::value& message, std::size_t index,
                           providers::ChatRequest& request) {
  std::string field = "messages[" + std::to_string(index) + "]";
  if (!message.is_object()) return invalid(field, "must be an object");
  const auto& object = message.get_object();
  auto* role = object.if_contains("role");
  static constexpr std::array<std::string_view, 6> kRoles = {"system",    "developer", "user",
                                                             "assistant", "tool",      "function"};
  if (!role || !role->is_string() ||
      std::find(kRoles.begin(), kRoles.end(), std::string_view(role->get_string())) ==
          kRoles.end()) {
    return invalid(field + ".role", "must be one of system, developer, user, assistant, tool");
  }
  auto* content = object.if_contains("content");
  bool has_tool_calls = object.contains("tool_calls");
  if (!content || content->is_null()) {
    if (*role != "assistant" || !has_tool_calls) {
      if (*role != "assistant") return invalid(field + ".content", "required");
    }
  } else if (content->is_array()) {
    const auto& parts = content->get_array();
    for (std::size_t i = 0; i < parts.size(); ++i) {
      auto status =
          check_content_part(parts[i], field + ".content[" + std::to_string(i) + "]", request);
      if (!status) return status;
    }
  } else if (content->is_string()) {
    request.prompt_chars += content->get_string().size();
  } else {
    return invalid(field + ".content", "must be a string or an array of content parts");
  }
  if (*role == "tool") {
    auto* id = object.if_contains("tool_call_id");
    if (!id || !id->is_string())
      return invalid(field + ".tool_call_id", "required string for tool messages");
  }
  if (has_tool_calls && !object.at("tool_calls").is_array()) {
    return invalid(field + ".tool_calls", "must be an array");
  }
  if (has_tool_calls) {
    for (const auto& call : object.at("tool_calls").get_array()) {
      const auto* function = call.is_object() ? call.get_object().if_contains("function") : nullptr;
      const auto* arguments = function && function->is_object()
                                  ? function->get_object().if_contains("arguments")
                                  : nullptr;
      if (arguments && arguments->is_string())
        request.prompt_chars += arguments->get_string().size();
    }
  }
  return core::Ok{};
}

core::Status check_tools(const json::object& body) {
  auto* tools = body.if_contains("tools");
  if (!tools || tools->is_null()) return core::Ok{};
  if (!tools->is_array()) return invalid("tools", "must be an array");
  const auto& list = tools->get_array();
  for (std::size_t i = 0; i < list.size(); ++i) {
    std::string field = "tools[" + std::to_string(i) + "]";
    if (!list[i].is_object()) return invalid(field, "must be an object");
    auto* function = list[i].get_object().if_contains("function");
    if (!function || !function->is_object()) return invalid(field + ".function", "required object");
    auto* name = function->get_object().if_contains("name");
    if (!name || !name->is_string() || name->get_string().empty()) {
      return invalid(field + ".function.name", "required string");
    }
  }
  return core::Ok{};
}

core::Status check_stop(const json::object& body) {
  auto* stop = body.if_contains("stop");
  if (!stop || stop->is_null() || stop->is_string()) return core::Ok{};
  if (!stop->is_array()) return invalid("stop", "must be a string or an array of strings");
  for (const auto& entry : stop->get_array()) {
    if (!entry.is_string()) return invalid("stop", "must be a string or an array of strings");
  }
  return core::Ok{};
}

}  // namespace

core::Result<providers::ChatRequest> parse_chat_request(json::value parsed) {
  if (!parsed.is_object()) return Error::bad_request("the request body must be a JSON object");
  // Move-constructed so that the document keeps its memory resource (an assignment would
  // copy it into the default one).
  providers::ChatRequest request{std::move(parsed.get_object())};
  const auto& body = request.body;

  auto* model = body.if_contains("model");
  if (!model || !model->is_string() || model->get_string().empty()) {
    return invalid("model", "required string");
  }
  request.model = std::string(model->get_string());

  auto* messages = body.if_contains("messages");
  if (!messages || !messages->is_array()) return invalid("messages", "required array of messages");
  if (messages->get_array().empty()) return invalid("messages", "must not be empty");
  const auto& list = messages->get_array();
  for (std::size_t i = 0; i < list.size(); ++i) {
    auto status = check_message(list[i], i, request);
    if (!status) return status.take_error();
  }

  if (auto* stream = body.if_contains("stream"); stream && !stream->is_null()) {
    if (!stream->is_bool()) return invalid("stream", "must be a boolean");
    request.stream = stream->get_bool();
  }
  if (auto* options = body.if_contains("stream_options"); options && !options->is_null()) {
    if (!options->is_object()) return invalid("stream_options", "must be an object");
    if (auto* include = options->get_object().if_contains("include_usage");
        include && !include->is_null()) {
      if (!include->is_bool()) return invalid("stream_options.include_usage", "must be a boolean");
      request.include_usage = include->get_bool();
    }
  }
  if (auto* n = body.if_contains("n"); n && !n->is_null()) {
    if (!(n->is_int64() && n->get_int64() == 1) && !(n->is_uint64() && n->get_uint64() == 1)) {
      return invalid("n", "only n=1 is supported");
    }
  }
  for (std::string_view key : {"max_tokens", "max_completion_tokens"}) {
    if (auto* value = body.if_contains(key);
        value && !value->is_null() && !is_positive_integer(*value)) {
      return invalid(std::string(key), "must be a positive integer");
    }
  }
  for (auto status :
       {check_number_range(body, "temperature", 0, 2), check_number_range(body, "top_p", 0, 1),
        check_number_range(body, "presence_penalty", -2, 2),
        check_number_range(body, "frequency_penalty", -2, 2), check_tools(body),
        check_stop(body)}) {
    if (!status) return status.take_error();
  }
  if (auto* seed = body.if_contains("seed");
      seed && !seed->is_null() && !seed->is_int64() && !seed->is_uint64()) {
    return invalid("seed", "must be an integer");
  }
  if (auto* user = body.if_contains("user"); user && !user->is_null() && !user->is_string()) {
    return invalid("user", "must be a string");
  }
  if (auto* format = body.if_contains("response_format");
      format && !format->is_null() && !format->is_object()) {
    return invalid("response_format", "must be an object");
  }
  if (auto* choice = body.if_contains("tool_choice");
      choice && !choice->is_null() && !choice->is_string() && !choice->is_object()) {
    return invalid("tool_choice", "must be a string or an object");
  }
  return request;
}

}  // namespace chat
