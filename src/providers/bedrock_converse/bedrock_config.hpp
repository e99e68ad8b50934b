#pragma once
// A bedrock-converse model's config, validated: which model, which regions (and where each
// region's endpoint is), which credentials. Credentials missing from the config come from
// the standard AWS environment variables, read when the model is configured.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "core/result.hpp"
#include "http/client/url.hpp"
#include "providers/bedrock_converse/sigv4.hpp"

namespace providers::bedrock {

class RoleCredentials;

// getenv, or a map in tests.
using EnvironmentLookup = std::function<std::optional<std::string>(std::string_view)>;
EnvironmentLookup process_environment();

struct RegionEndpoint {
  std::string region;
  http::Url url;
};

struct BedrockConfig {
  std::string model_id;
  std::vector<RegionEndpoint> regions;  // in order of preference; never empty
  AwsCredentials credentials;           // used when bearer_token is empty and role is null
  std::string bearer_token;             // a Bedrock API key
  // "instanceCredentials": true (the gateway's role) or "roleArn" (a role assumed with STS):
  // temporary credentials, current at each request.
  std::shared_ptr<RoleCredentials> role;
  std::int64_t max_tokens = 0;       // 0: let Bedrock decide
  std::int64_t thinking_budget = 0;  // 0: no extended thinking
};

// kStart: temporary credentials ("instanceCredentials", "roleArn") get their fetcher
// (role_credentials.hpp); kNone: the config is only checked, and `role` stays null.
enum class Fetchers { kStart, kNone };

core::Result<BedrockConfig> parse_bedrock_config(const boost::json::object& config,
                                                 const EnvironmentLookup& environment,
                                                 Fetchers fetchers = Fetchers::kStart);

}  // namespace providers::bedrock
