#include "providers/bedrock_converse/sigv4.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/ascii.hpp"

namespace providers::bedrock {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

bool is_unreserved(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

// Canonical header values: surrounding spaces trimmed, inner runs of spaces collapsed.
std::string canonical_value(std::string_view value) {
  std::string out;
  bool pending_space = false;
  for (char c : value) {
    bool space = c == ' ' || c == '\t' || c == '\r' || c == '\n';
    if (space) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

}  // namespace

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (unsigned char byte : bytes) {
    hex += kDigits[byte >> 4];
    hex += kDigits[byte & 0x0f];
  }
  return hex;
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  // SHA-256 over memory cannot fail short of memory exhaustion, which ends the process anyway.
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  return to_hex(std::string_view(reinterpret_cast<const char*>(digest), length));
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &length);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string amz_date(std::chrono::system_clock::time_point time) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[17];
  std::strftime(text, sizeof(text), "%Y%m%dT%H%M%SZ", &utc);
  return text;
}

std::string uri_encode(std::string_view text) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (is_unreserved(c)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kDigits[c >> 4];
      out += kDigits[c & 0x0f];
    }
  }
  return out;
}

std::string canonical_uri(std::string_view wire_path) {
  if (wire_path.empty()) return "/";
  std::string out;
  std::size_t start = 0;
  while (start <= wire_path.size()) {
    std::size_t slash = wire_path.find('/', start);
    std::size_t end = slash == std::string_view::npos ? wire_path.size() : slash;
    out += uri_encode(wire_path.substr(start, end - start));
    if (slash == std::string_view::npos) break;
    out += '/';
    start = slash + 1;
  }
  return out;
}

std::string derive_signing_key(std::string_view secret, std::string_view date,
                               std::string_view region, std::string_view service) {
  std::string key = hmac_sha256("AWS4" + std::string(secret), date);
  key = hmac_sha256(key, region);
  key = hmac_sha256(key, service);
  return hmac_sha256(key, "aws4_request");
}

SigV4Result sign_v4(const SignableRequest& request, const AwsCredentials& credentials,
                    std::string_view region, std::string_view service,
                    std::string_view amz_date_value) {
  // Lowercase names, sorted; repeated names joined by commas in the order given.
  std::map<std::string, std::string> headers;
  for (const auto& [name, value] : request.headers) {
    auto& joined = headers[core::ascii_lower(name)];
    if (!joined.empty()) joined += ',';
    joined += canonical_value(value);
  }
  SigV4Result result;
  std::string canonical_headers;
  for (const auto& [name, value] : headers) {
    canonical_headers += name + ":" + value + "\n";
    if (!result.signed_headers.empty()) result.signed_headers += ';';
    result.signed_headers += name;
  }
  result.canonical_request = std::string(request.method) + "\n" + canonical_uri(request.path) +
                             "\n" + std::string(request.query) + "\n" + canonical_headers + "\n" +
                             result.signed_headers + "\n" + sha256_hex(request.payload);

  std::string_view date = amz_date_value.substr(0, 8);
  std::string scope =
      std::string(date) + "/" + std::string(region) + "/" + std::string(service) + "/aws4_request";
  result.string_to_sign = std::string(kAlgorithm) + "\n" + std::string(amz_date_value) + "\n" +
                          scope + "\n" + sha256_hex(result.canonical_request);
  std::string key = derive_signing_key(credentials.secret_access_key, date, region, service);
  result.signature = to_hex(hmac_sha256(key, result.string_to_sign));
  result.authorization = std::string(kAlgorithm) + " Credential=" + credentials.access_key_id +
                         "/" + scope + ", SignedHeaders=" + result.signed_headers +
                         ", Signature=" + result.signature;
  return result;
}

void sign_outgoing_request(http::OutgoingRequest& request, std::string_view host,
                           std::string_view path, const AwsCredentials& credentials,
                           std::string_view region, std::string_view service,
                           std::chrono::system_clock::time_point now) {
  std::string date = amz_date(now);
  request.headers.set("x-amz-date", date);
  if (!credentials.session_token.empty()) {
    request.headers.set("x-amz-security-token", credentials.session_token);
  }
  SignableRequest signable{request.method, path, "", {}, request.body};
  signable.headers.emplace_back("host", std::string(host));
  for (std::string_view name : {"content-type", "x-amz-date", "x-amz-security-token"}) {
    if (auto value = request.headers.get(name)) {
      signable.headers.emplace_back(std::string(name), std::string(*value));
    }
  }
  auto signature = sign_v4(signable, credentials, region, service, date);
  request.headers.set("authorization", std::move(signature.authorization));
}

}  // namespace providers::bedrock
