#include "providers/bedrock_converse/bedrock_converse.hpp"

#include <chrono>

#include <boost/json/serialize.hpp>

#include "providers/bedrock_converse/bedrock_errors.hpp"
#include "providers/bedrock_converse/converse_request.hpp"
#include "providers/bedrock_converse/converse_response.hpp"
#include "providers/bedrock_converse/converse_stream.hpp"
#include "providers/bedrock_converse/role_credentials.hpp"
#include "providers/bedrock_converse/sigv4.hpp"

namespace providers {
namespace {

namespace json = boost::json;
using bedrock::BedrockConfig;

constexpr std::string_view kSigningService = "bedrock";

class BedrockConverseEndpoint final : public Endpoint {
 public:
  explicit BedrockConverseEndpoint(BedrockConfig config)
      : config_(std::move(config)),
        // Model ids, inference profile ids and ARNs hold ':' and '/', which must travel
        // encoded inside the one path segment.
        encoded_model_id_(bedrock::uri_encode(config_.model_id)) {}

  core::Result<UpstreamTarget> build_request(ChatRequest& request, int attempt) const override {
    bedrock::ConverseOptions options{config_.max_tokens, config_.thinking_budget};
    auto converse = bedrock::to_converse_request(request.body, options);
    if (!converse) return converse.take_error();
    request.body["model"] = config_.model_id;

    // Regions in the configured order: the first takes every request while it works.
    const auto& region =
        config_.regions[static_cast<std::size_t>(attempt) % config_.regions.size()];
    UpstreamTarget target{region.url, {}};
    auto& outgoing = target.request;
    outgoing.method = "POST";
    outgoing.target =
        "/model/" + encoded_model_id_ + (request.stream ? "/converse-stream" : "/converse");
    // Only content-type, as the AWS SDKs send: Converse needs no Accept header.
    outgoing.headers.set("content-type", "application/json");
    outgoing.body = json::serialize(*converse);
    if (!config_.bearer_token.empty()) {
      outgoing.headers.set("authorization", "Bearer " + config_.bearer_token);
    } else if (config_.role) {
      auto credentials = config_.role->current();
      if (!credentials) return credentials.take_error();
      bedrock::sign_outgoing_request(
          outgoing, region.url.host_header(), region.url.path + outgoing.target, **credentials,
          region.region, kSigningService, std::chrono::system_clock::now());
    } else {
      bedrock::sign_outgoing_request(
          outgoing, region.url.host_header(), region.url.path + outgoing.target,
          config_.credentials, region.region, kSigningService, std::chrono::system_clock::now());
    }
    return target;
  }

  int max_attempts() const override { return static_cast<int>(config_.regions.size()); }

  core::Result<Completion> parse_response(std::string_view body) const override {
    return bedrock::to_openai_completion(body);
  }

  std::unique_ptr<StreamDecoder> stream_decoder() const override {
    return std::make_unique<bedrock::ConverseStreamDecoder>();
  }

  ApiError map_error(int status, const http::Headers& headers,
                     std::string_view body) const override {
    return bedrock::map_bedrock_error_response(status, headers, body);
  }

  std::int64_t default_max_tokens() const override { return config_.max_tokens; }
  bool wants_image_bytes() const override { return true; }
  bool waiting_for_credentials() const override {
    return config_.role && !config_.role->first_fetch_done();
  }

 private:
  BedrockConfig config_;
  std::string encoded_model_id_;
};

}  // namespace

core::Result<std::shared_ptr<const Endpoint>> BedrockConverseProvider::configure(
    const json::object& config, std::string_view) const {
  auto parsed = bedrock::parse_bedrock_config(config, environment_);
  if (!parsed) return parsed.take_error();
  return std::shared_ptr<const Endpoint>(
      std::make_shared<BedrockConverseEndpoint>(std::move(*parsed)));
}

core::Status BedrockConverseProvider::validate(const json::object& config, std::string_view) const {
  auto parsed = bedrock::parse_bedrock_config(config, environment_, bedrock::Fetchers::kNone);
  if (!parsed) return parsed.take_error();
  return core::Ok{};
}

}  // namespace providers
