#pragma once
// AWS Signature Version 4 (header form), as the AWS SDKs compute it: canonical request,
// string to sign, a signing key derived from the secret by date, region and service, and
// the Authorization header. Pure functions of their inputs, so they are tested against
// AWS's published example requests.

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/message.hpp"

namespace providers::bedrock {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
};

// What one signature covers. Header names may have any case; every header listed is signed.
struct SignableRequest {
  std::string_view method;
  std::string_view path;   // as sent on the wire (already percent-encoded once)
  std::string_view query;  // canonical query string, "" for none
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view payload;
};

struct SigV4Result {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signed_headers;  // "content-type;host;x-amz-date"
  std::string signature;       // lowercase hex
  std::string authorization;   // the Authorization header value
};

std::string to_hex(std::string_view bytes);
std::string sha256_hex(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);

// "20150830T123600Z": the x-amz-date form of a UTC time.
std::string amz_date(std::chrono::system_clock::time_point time);

// RFC 3986 percent-encoding as AWS does it: everything but A-Z a-z 0-9 - _ . ~ becomes %XX
// (uppercase hex).
std::string uri_encode(std::string_view text);

// The canonical URI of a wire path for every service but S3: each segment encoded once more,
// so "/model/a%3Ab" signs as "/model/a%253Ab".
std::string canonical_uri(std::string_view wire_path);

// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
std::string derive_signing_key(std::string_view secret, std::string_view date,
                               std::string_view region, std::string_view service);

// Signs `request` at `amz_date_value` (which must also be the request's x-amz-date header).
SigV4Result sign_v4(const SignableRequest& request, const AwsCredentials& credentials,
                    std::string_view region, std::string_view service,
                    std::string_view amz_date_value);

// Adds x-amz-date, x-amz-security-token (with a session token) and Authorization to an
// upstream request, signing host, content-type and those x-amz headers. `host` is the Host
// header value the request is sent with, `path` the whole wire path.
void sign_outgoing_request(http::OutgoingRequest& request, std::string_view host,
                           std::string_view path, const AwsCredentials& credentials,
                           std::string_view region, std::string_view service,
                           std::chrono::system_clock::time_point now);

}  // namespace providers::bedrock
