#pragma once
// What the places that hand out a role's temporary credentials answer, read into
// credentials and an expiry (role_credentials.hpp fetches them), and when to fetch again.

#include <chrono>
#include <string_view>

#include "core/result.hpp"
#include "providers/bedrock_converse/sigv4.hpp"

namespace providers::bedrock {

// Credentials and when they expire, from any of those places.
struct RoleCredentialsAnswer {
  AwsCredentials credentials;
  std::chrono::system_clock::time_point expires_at;
};

// {"AccessKeyId", "SecretAccessKey", "Token", "Expiration": "2026-11-26T12:00:00Z"} (the
// instance service also sends "Code": "Success"). Errors say what is missing.
core::Result<RoleCredentialsAnswer> parse_role_credentials(std::string_view json_text);

// An STS answer (XML) to `action` (AssumeRole, AssumeRoleWithWebIdentity) with its HTTP
// status: the credentials, or the error's Code and Message.
core::Result<RoleCredentialsAnswer> parse_sts_answer(std::string_view action, int status,
                                                     std::string_view xml);

// When to fetch again: five minutes before `expires_at`, but not sooner than a second from
// `now` (credentials that expire within five minutes are renewed at once, then every second
// until new ones come).
std::chrono::milliseconds refresh_delay(std::chrono::system_clock::time_point expires_at,
                                        std::chrono::system_clock::time_point now);

}  // namespace providers::bedrock
