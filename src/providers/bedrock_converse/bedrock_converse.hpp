#pragma once
// Provider "bedrock-converse": Amazon Bedrock's Converse API (POST /model/{modelId}/converse
// and /converse-stream), signed with AWS Signature Version 4 or a Bedrock API key. Config:
// modelId, region | regions, accessKeyId + secretAccessKey (+ sessionToken) | bearerToken |
// profile | instanceCredentials (else the AWS_* environment, else the shared credentials
// file), endpoint?, maxTokens?, thinkingBudget?. See docs/providers.md.

#include "providers/bedrock_converse/bedrock_config.hpp"
#include "providers/provider.hpp"

namespace providers {

class BedrockConverseProvider final : public Provider {
 public:
  explicit BedrockConverseProvider(
      bedrock::EnvironmentLookup environment = bedrock::process_environment())
      : environment_(std::move(environment)) {}

  std::string_view name() const override { return "bedrock-converse"; }
  core::Result<std::shared_ptr<const Endpoint>> configure(
      const boost::json::object& config, std::string_view model_name) const override;
  core::Status validate(const boost::json::object& config,
                        std::string_view model_name) const override;
  std::vector<std::string> secret_keys() const override {
    return {"secretAccessKey", "sessionToken", "bearerToken"};
  }

 private:
  bedrock::EnvironmentLookup environment_;
};

}  // namespace providers
