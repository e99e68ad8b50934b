#pragma once
// The temporary credentials of the role the gateway runs under (a model configured with
// "instanceCredentials": true), looked for in the AWS SDKs' order: a web identity (EKS IAM
// roles for service accounts: AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN, exchanged at STS
// by AssumeRoleWithWebIdentity at AWS_ENDPOINT_URL_STS, else the region's STS endpoint),
// else the container credentials endpoint (ECS, EKS Pod Identity:
// AWS_CONTAINER_CREDENTIALS_FULL_URI or _RELATIVE_URI, with AWS_CONTAINER_AUTHORIZATION_TOKEN
// or _TOKEN_FILE), else the EC2 instance metadata service (IMDSv2 at
// AWS_EC2_METADATA_SERVICE_ENDPOINT, else 169.254.169.254). Or the credentials of a role
// assumed with STS AssumeRole (a model's "roleArn": cross-account access), with a signature
// made with other credentials. A thread of its own fetches them and fetches them again five
// minutes before they expire; the request path only reads the current ones, under a mutex,
// with no I/O.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "providers/bedrock_converse/bedrock_config.hpp"
#include "providers/bedrock_converse/role_answers.hpp"
#include "providers/bedrock_converse/sigv4.hpp"

namespace providers::bedrock {

class RoleCredentials;

// What STS AssumeRole is asked for, and with which credentials the call is signed.
struct AssumeRoleRequest {
  std::string role_arn;
  std::string session_name;
  std::string external_id;   // empty: none sent
  std::string region;        // signs the call; the region's STS endpoint unless overridden
  AwsCredentials base_keys;  // signs the call, unless…
  std::shared_ptr<RoleCredentials> base;  // …given: its current credentials do
};

class RoleCredentials {
 public:
  // One per process: every model configured for them shares it (and its thread). The
  // first call starts fetching; the thread stops when the last model lets go of it.
  static std::shared_ptr<RoleCredentials> shared(const EnvironmentLookup& environment);
  // One per distinct request (models assuming the same role with the same credentials share
  // it). STS is AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL, else the request's region's.
  static std::shared_ptr<RoleCredentials> assumed(AssumeRoleRequest request,
                                                  const EnvironmentLookup& environment);
  ~RoleCredentials();
  RoleCredentials(const RoleCredentials&) = delete;
  RoleCredentials& operator=(const RoleCredentials&) = delete;

  // The current credentials, or kUnavailable with the reason there are none (yet). Shared,
  // not copied: this is on every request of such a model.
  core::Result<std::shared_ptr<const AwsCredentials>> current() const;
  // Whether the first fetch has ended (with credentials or an error). Nothing blocks on it:
  // a request polls it with a timer (chat::Pipeline::wait_for_credentials).
  bool first_fetch_done() const;

  struct State;

 private:
  explicit RoleCredentials(std::shared_ptr<State> state);
  // Starts the thread that keeps `state`'s credentials fresh.
  static std::shared_ptr<RoleCredentials> start(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace providers::bedrock
