#pragma once
// The temporary credentials of the role the gateway runs under (a model configured with
// "instanceCredentials": true): from the container credentials endpoint (ECS, EKS Pod
// Identity: AWS_CONTAINER_CREDENTIALS_FULL_URI or _RELATIVE_URI, with
// AWS_CONTAINER_AUTHORIZATION_TOKEN or _TOKEN_FILE), else from the EC2 instance metadata
// service (IMDSv2 at AWS_EC2_METADATA_SERVICE_ENDPOINT, else 169.254.169.254). A thread of
// its own fetches them and fetches them again five minutes before they expire; the request
// path only reads the current ones, under a mutex, with no I/O.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "providers/bedrock_converse/bedrock_config.hpp"
#include "providers/bedrock_converse/sigv4.hpp"

namespace providers::bedrock {

// What the metadata service or container endpoint answered.
struct RoleCredentialsAnswer {
  AwsCredentials credentials;
  std::chrono::system_clock::time_point expires_at;
};

// {"AccessKeyId", "SecretAccessKey", "Token", "Expiration": "2026-11-26T12:00:00Z"} (the
// instance service also sends "Code": "Success"). Errors say what is missing.
core::Result<RoleCredentialsAnswer> parse_role_credentials(std::string_view json_text);

// When to fetch again: five minutes before `expires_at`, but not sooner than a second from
// `now` (credentials that expire within five minutes are renewed at once, then every second
// until new ones come).
std::chrono::milliseconds refresh_delay(std::chrono::system_clock::time_point expires_at,
                                        std::chrono::system_clock::time_point now);

class RoleCredentials {
 public:
  // One per process: every model configured for them shares it (and its thread). The
  // first call starts fetching; the thread stops when the last model lets go of it.
  static std::shared_ptr<RoleCredentials> shared(const EnvironmentLookup& environment);
  ~RoleCredentials();
  RoleCredentials(const RoleCredentials&) = delete;
  RoleCredentials& operator=(const RoleCredentials&) = delete;

  // The current credentials, or kUnavailable with the reason there are none (yet). Shared,
  // not copied: this is on every request of such a model.
  core::Result<std::shared_ptr<const AwsCredentials>> current() const;
  // Waits up to `timeout` for the first fetch to end, so that a model configured now finds
  // credentials on its first request.
  void wait_for_first_fetch(std::chrono::milliseconds timeout) const;

  struct State;

 private:
  explicit RoleCredentials(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace providers::bedrock
