#include "providers/openai_compatible/openai_compatible.hpp"

#include <algorithm>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "providers/config_reader.hpp"
#include "providers/error_mapping.hpp"
#include "providers/openai_compatible/openai_stream_decoder.hpp"
#include "providers/openai_compatible/openai_usage.hpp"

namespace providers {
namespace {

namespace json = boost::json;

class OpenAiCompatibleEndpoint final : public Endpoint {
 public:
  OpenAiCompatibleEndpoint(http::Url url, std::string upstream_model, http::Headers headers,
                           std::int64_t max_tokens)
      : url_(std::move(url)),
        upstream_model_(std::move(upstream_model)),
        headers_(std::move(headers)),
        max_tokens_(max_tokens) {}

  core::Result<UpstreamTarget> build_request(ChatRequest& request, int) const override {
    auto& body = request.body;
    body["model"] = upstream_model_;
    if (request.stream) {
      // Always ask for usage so that every streamed request is billed; the pipeline hides
      // the usage chunk from clients that did not ask for it.
      auto& options = body["stream_options"];
      if (!options.is_object()) options = json::object();
      options.get_object()["include_usage"] = true;
    }
    if (max_tokens_ > 0 && !body.contains("max_tokens") &&
        !body.contains("max_completion_tokens")) {
      body["max_tokens"] = max_tokens_;
    }
    UpstreamTarget target{url_, {}};
    target.request.method = "POST";
    target.request.target = "/chat/completions";
    target.request.headers = headers_;
    target.request.headers.set("content-type", "application/json");
    target.request.headers.set("accept", request.stream ? "text/event-stream" : "application/json");
    target.request.body = json::serialize(body);
    return target;
  }

  core::Result<Completion> parse_response(std::string_view body) const override {
    boost::system::error_code ec;
    // One arena for the whole document (it lives for one request) instead of an allocation
    // per key and string.
    auto arena = json::make_shared_resource<json::monotonic_resource>(
        std::clamp<std::size_t>(body.size() * 2, 1024, 64 * 1024));
    auto parsed = json::parse(body, ec, std::move(arena));
    if (ec || !parsed.is_object()) {
      return core::Error::internal("the upstream answer is not a JSON object");
    }
    // Move-constructed: the object keeps the arena (an assignment would copy the document).
    Completion completion{std::move(parsed.get_object())};
    completion.verbatim = true;
    if (auto* usage = completion.body.if_contains("usage"))
      completion.usage = read_openai_usage(*usage);
    return completion;
  }

  std::unique_ptr<StreamDecoder> stream_decoder() const override {
    return std::make_unique<OpenAiStreamDecoder>();
  }

  ApiError map_error(int status, const http::Headers& headers,
                     std::string_view body) const override {
    return map_upstream_status(status, openai_error_message(body), "openai-compatible", headers);
  }

  std::int64_t default_max_tokens() const override { return max_tokens_; }

 private:
  http::Url url_;
  std::string upstream_model_;
  http::Headers headers_;
  std::int64_t max_tokens_;
};

}  // namespace

core::Result<std::shared_ptr<const Endpoint>> OpenAiCompatibleProvider::configure(
    const json::object& config, std::string_view model_name) const {
  ConfigReader reader(config);
  auto base_url = reader.required_string("baseUrl");
  if (!base_url) return base_url.take_error();
  auto url = http::parse_url(*base_url);
  if (!url) return ConfigReader::error("baseUrl", url.error().message);
  auto api_key = reader.optional_string("apiKey");
  if (!api_key) return api_key.take_error();
  auto model = reader.optional_string("model");
  if (!model) return model.take_error();
  auto max_tokens = reader.optional_positive_int("maxTokens");
  if (!max_tokens) return max_tokens.take_error();
  auto extra_headers = reader.optional_object("headers");
  if (!extra_headers) return extra_headers.take_error();

  http::Headers headers;
  if (*extra_headers) {
    for (const auto& [name, value] : **extra_headers) {
      if (!value.is_string()) {
        return ConfigReader::error("headers." + std::string(name), "must be a string");
      }
      headers.set(std::string(name), std::string(value.get_string()));
    }
  }
  if (api_key->has_value() && !(*api_key)->empty()) {
    headers.set("authorization", "Bearer " + **api_key);
  }
  std::string upstream_model =
      model->has_value() && !(*model)->empty() ? **model : std::string(model_name);
  return std::shared_ptr<const Endpoint>(std::make_shared<OpenAiCompatibleEndpoint>(
      std::move(*url), std::move(upstream_model), std::move(headers), max_tokens->value_or(0)));
}

}  // namespace providers
