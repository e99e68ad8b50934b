#include "providers/bedrock_converse/converse_request.hpp"

#include <boost/json/parse.hpp>

#include "core/json_numbers.hpp"
#include "providers/bedrock_converse/image_source.hpp"

namespace providers::bedrock {
namespace {

namespace json = boost::json;
using core::Error;

Error invalid(const std::string& field, const std::string& reason) {
  return Error::bad_request(field + ": " + reason, field);
}

json::object text_block(std::string_view text) {
  json::object block;
  block["text"] = text;
  return block;
}

// Consecutive turns of one role become one turn.
class Turns {
 public:
  void add(std::string_view role, json::array&& blocks) {
    if (blocks.empty()) return;
    if (!messages_.empty()) {
      auto& last = messages_.back().as_object();
      if (last.at("role").as_string() == role) {
        auto& content = last.at("content").as_array();
        for (auto& block : blocks) content.push_back(std::move(block));
        return;
      }
    }
    json::object turn;
    turn["role"] = role;
    turn["content"] = std::move(blocks);
    messages_.push_back(std::move(turn));
  }
  json::array take() { return std::move(messages_); }

 private:
  json::array messages_;
};

core::Result<json::object> image_block(const json::object& part, const std::string& field) {
  const json::value* url = nullptr;
  if (auto* image = part.if_contains("image_url")) {
    if (image->is_object()) url = image->get_object().if_contains("url");
    if (image->is_string()) url = image;
  }
  if (!url || !url->is_string()) return invalid(field + ".image_url.url", "required string");
  auto image = image_from_url(url->get_string());
  if (!image) return invalid(field + ".image_url.url", image.error().message);
  // The (large) base64 text is copied once, straight from the client's URL.
  json::object source;
  source["bytes"] = image->base64;
  json::object body;
  body["format"] = image->format;
  body["source"] = std::move(source);
  json::object block;
  block["image"] = std::move(body);
  return block;
}

// Text and image parts of one message as Converse blocks. Empty texts are left out: Bedrock
// rejects blank text blocks, and clients send "" next to tool calls.
core::Result<json::array> content_blocks(const json::value* content, const std::string& field,
                                         bool images_allowed) {
  json::array blocks;
  if (!content || content->is_null()) return blocks;
  if (content->is_string()) {
    if (!content->get_string().empty()) blocks.push_back(text_block(content->get_string()));
    return blocks;
  }
  if (!content->is_array()) return invalid(field, "must be a string or an array of parts");
  const auto& parts = content->get_array();
  for (std::size_t i = 0; i < parts.size(); ++i) {
    std::string part_field = field + "[" + std::to_string(i) + "]";
    if (!parts[i].is_object()) return invalid(part_field, "must be an object");
    const auto& part = parts[i].get_object();
    auto* type = part.if_contains("type");
    if (type && *type == "text") {
      auto* text = part.if_contains("text");
      if (!text || !text->is_string()) return invalid(part_field + ".text", "required string");
      if (!text->get_string().empty()) blocks.push_back(text_block(text->get_string()));
    } else if (type && *type == "image_url") {
      if (!images_allowed) return invalid(part_field, "images are not allowed in this message");
      auto block = image_block(part, part_field);
      if (!block) return block.take_error();
      blocks.push_back(std::move(*block));
    } else {
      return invalid(part_field + ".type", "must be text or image_url");
    }
  }
  return blocks;
}

core::Status add_system_text(const json::value* content, const std::string& field,
                             json::array& system) {
  auto blocks = content_blocks(content, field, false);
  if (!blocks) return blocks.take_error();
  for (auto& block : *blocks) system.push_back(std::move(block));
  return core::Ok{};
}

core::Result<json::array> tool_use_blocks(const json::object& message, const std::string& field) {
  json::array blocks;
  auto* calls = message.if_contains("tool_calls");
  if (!calls || calls->is_null()) return blocks;
  if (!calls->is_array()) return invalid(field + ".tool_calls", "must be an array");
  const auto& list = calls->get_array();
  for (std::size_t i = 0; i < list.size(); ++i) {
    std::string call_field = field + ".tool_calls[" + std::to_string(i) + "]";
    if (!list[i].is_object()) return invalid(call_field, "must be an object");
    const auto& call = list[i].get_object();
    auto* id = call.if_contains("id");
    if (!id || !id->is_string()) return invalid(call_field + ".id", "required string");
    auto* function = call.if_contains("function");
    if (!function || !function->is_object())
      return invalid(call_field + ".function", "required object");
    auto* name = function->get_object().if_contains("name");
    if (!name || !name->is_string()) return invalid(call_field + ".function.name", "required");
    json::value input = json::object();
    auto* arguments = function->get_object().if_contains("arguments");
    if (arguments && arguments->is_string() && !arguments->get_string().empty()) {
      boost::system::error_code ec;
      input = json::parse(arguments->get_string(), ec);
      if (ec || !input.is_object()) {
        return invalid(call_field + ".function.arguments", "must be a JSON object");
      }
      if (core::non_finite_number_at(input)) {
        return invalid(call_field + ".function.arguments",
                       "holds a number out of range (a JSON number must fit a double)");
      }
    } else if (arguments && arguments->is_object()) {
      input = *arguments;
    }
    json::object use;
    use["toolUseId"] = *id;
    use["name"] = *name;
    use["input"] = std::move(input);
    json::object block;
    block["toolUse"] = std::move(use);
    blocks.push_back(std::move(block));
  }
  return blocks;
}

core::Result<json::object> tool_result_block(const json::object& message,
                                             const std::string& field) {
  auto* id = message.if_contains("tool_call_id");
  if (!id || !id->is_string()) return invalid(field + ".tool_call_id", "required string");
  auto content = content_blocks(message.if_contains("content"), field + ".content", true);
  if (!content) return content.take_error();
  // Bedrock needs at least one content block, even for a tool that returned nothing.
  if (content->empty()) content->push_back(text_block("(empty)"));
  json::object result;
  result["toolUseId"] = *id;
  result["content"] = std::move(*content);
  json::object block;
  block["toolResult"] = std::move(result);
  return block;
}

core::Status translate_messages(const json::array& messages, json::array& system, Turns& turns) {
  for (std::size_t i = 0; i < messages.size(); ++i) {
    std::string field = "messages[" + std::to_string(i) + "]";
    if (!messages[i].is_object()) return invalid(field, "must be an object");
    const auto& message = messages[i].get_object();
    auto* role_value = message.if_contains("role");
    std::string_view role =
        role_value && role_value->is_string() ? std::string_view(role_value->get_string()) : "";
    const auto* content = message.if_contains("content");
    if (role == "system" || role == "developer") {
      if (auto status = add_system_text(content, field + ".content", system); !status) {
        return status;
      }
    } else if (role == "user") {
      auto blocks = content_blocks(content, field + ".content", true);
      if (!blocks) return blocks.take_error();
      turns.add("user", std::move(*blocks));
    } else if (role == "assistant") {
      auto blocks = content_blocks(content, field + ".content", false);
      if (!blocks) return blocks.take_error();
      auto calls = tool_use_blocks(message, field);
      if (!calls) return calls.take_error();
      for (auto& call : *calls) blocks->push_back(std::move(call));
      turns.add("assistant", std::move(*blocks));
    } else if (role == "tool") {
      auto block = tool_result_block(message, field);
      if (!block) return block.take_error();
      turns.add("user", json::array{std::move(*block)});
    } else {
      return invalid(field + ".role", "'" + std::string(role) +
                                          "' messages are not supported by bedrock-converse "
                                          "(use system, developer, user, assistant, tool)");
    }
  }
  return core::Ok{};
}

std::int64_t integer_or(const json::object& body, std::string_view key, std::int64_t fallback) {
  auto* value = body.if_contains(key);
  if (value && value->is_int64()) return value->get_int64();
  if (value && value->is_uint64()) return static_cast<std::int64_t>(value->get_uint64());
  return fallback;
}

json::object inference_config(const json::object& body, const ConverseOptions& options) {
  json::object config;
  std::int64_t max_tokens = integer_or(body, "max_completion_tokens",
                                       integer_or(body, "max_tokens", options.default_max_tokens));
  if (max_tokens > 0) config["maxTokens"] = max_tokens;
  if (auto* temperature = body.if_contains("temperature");
      temperature && temperature->is_number()) {
    config["temperature"] = temperature->to_number<double>();
  }
  if (auto* top_p = body.if_contains("top_p"); top_p && top_p->is_number()) {
    config["topP"] = top_p->to_number<double>();
  }
  if (auto* stop = body.if_contains("stop")) {
    json::array sequences;
    if (stop->is_string()) sequences.push_back(stop->get_string());
    if (stop->is_array()) {
      for (const auto& entry : stop->get_array()) {
        if (entry.is_string()) sequences.push_back(entry.get_string());
      }
    }
    if (!sequences.empty()) config["stopSequences"] = std::move(sequences);
  }
  return config;
}

core::Result<json::array> tool_specs(const json::array& tools) {
  json::array specs;
  for (std::size_t i = 0; i < tools.size(); ++i) {
    std::string field = "tools[" + std::to_string(i) + "]";
    const auto* function =
        tools[i].is_object() ? tools[i].get_object().if_contains("function") : nullptr;
    if (!function || !function->is_object()) return invalid(field + ".function", "required");
    const auto& definition = function->get_object();
    auto* name = definition.if_contains("name");
    if (!name || !name->is_string()) return invalid(field + ".function.name", "required");
    json::object spec{{"name", *name}};
    if (auto* description = definition.if_contains("description");
        description && description->is_string() && !description->get_string().empty()) {
      spec["description"] = *description;
    }
    json::value schema = json::object{{"type", "object"}, {"properties", json::object()}};
    if (auto* parameters = definition.if_contains("parameters");
        parameters && parameters->is_object()) {
      schema = *parameters;
    }
    spec["inputSchema"] = json::object{{"json", std::move(schema)}};
    specs.push_back(json::object{{"toolSpec", std::move(spec)}});
  }
  return specs;
}

bool has_tool_blocks(const json::array& messages) {
  for (const auto& message : messages) {
    for (const auto& block : message.at("content").as_array()) {
      const auto& object = block.as_object();
      if (object.contains("toolUse") || object.contains("toolResult")) return true;
    }
  }
  return false;
}

// OpenAI "auto" / "required" / {"type":"function","function":{"name"}} as Converse's
// toolChoice. "none" has no Converse equivalent: the tools are left out unless the
// conversation already holds tool blocks (which Bedrock only accepts with a toolConfig).
core::Result<json::object> tool_config(const json::object& body, const json::array& messages) {
  auto* tools = body.if_contains("tools");
  if (!tools || !tools->is_array() || tools->get_array().empty()) return json::object();
  auto specs = tool_specs(tools->get_array());
  if (!specs) return specs.take_error();
  json::object config{{"tools", std::move(*specs)}};
  auto* choice = body.if_contains("tool_choice");
  if (!choice || choice->is_null()) return config;
  if (choice->is_string()) {
    std::string_view mode = choice->get_string();
    if (mode == "auto") {
      config["toolChoice"] = json::object{{"auto", json::object()}};
    } else if (mode == "required") {
      config["toolChoice"] = json::object{{"any", json::object()}};
    } else if (mode == "none") {
      if (!has_tool_blocks(messages)) return json::object();
    } else {
      return invalid("tool_choice", "must be none, auto, required or a function");
    }
    return config;
  }
  const json::value* name = nullptr;
  if (choice->is_object()) {
    if (auto* function = choice->get_object().if_contains("function");
        function && function->is_object()) {
      name = function->get_object().if_contains("name");
    }
  }
  if (!name || !name->is_string()) return invalid("tool_choice.function.name", "required string");
  config["toolChoice"] = json::object{{"tool", {{"name", *name}}}};
  return config;
}

}  // namespace

core::Result<json::object> to_converse_request(const json::object& openai,
                                               const ConverseOptions& options) {
  auto* messages = openai.if_contains("messages");
  if (!messages || !messages->is_array()) return invalid("messages", "required array");
  json::array system;
  Turns turns;
  if (auto status = translate_messages(messages->get_array(), system, turns); !status) {
    return status.take_error();
  }
  json::object converse;
  json::array converse_messages = turns.take();
  auto tools = tool_config(openai, converse_messages);
  if (!tools) return tools.take_error();
  converse["messages"] = std::move(converse_messages);
  if (!system.empty()) converse["system"] = std::move(system);
  if (auto config = inference_config(openai, options); !config.empty()) {
    converse["inferenceConfig"] = std::move(config);
  }
  if (!tools->empty()) converse["toolConfig"] = std::move(*tools);
  if (options.thinking_budget > 0) {
    converse["additionalModelRequestFields"] = json::object{
        {"thinking", {{"type", "enabled"}, {"budget_tokens", options.thinking_budget}}}};
  }
  return converse;
}

}  // namespace providers::bedrock
