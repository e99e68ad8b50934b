#include "providers/bedrock_converse/bedrock_config.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

#include <cstdlib>
#include <fstream>

#include "providers/bedrock_converse/role_credentials.hpp"
#include "providers/config_reader.hpp"

namespace providers::bedrock {
namespace {

namespace json = boost::json;

constexpr std::string_view kRegionPlaceholder = "{region}";

bool valid_region(std::string_view region) {
  if (region.empty() || region.size() > 64) return false;
  for (char c : region) {
    bool allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!allowed) return false;
  }
  return true;
}

std::string default_endpoint(std::string_view region) {
  return "https://bedrock-runtime." + std::string(region) + ".amazonaws.com";
}

std::string substitute_region(std::string text, std::string_view region) {
  for (auto at = text.find(kRegionPlaceholder); at != std::string::npos;
       at = text.find(kRegionPlaceholder, at + region.size())) {
    text.replace(at, kRegionPlaceholder.size(), region);
  }
  return text;
}

std::optional<std::string> non_empty(const EnvironmentLookup& environment, std::string_view name) {
  auto value = environment(name);
  if (value && value->empty()) return std::nullopt;
  return value;
}

core::Result<std::vector<std::string>> read_regions(const json::object& config,
                                                    const EnvironmentLookup& environment) {
  ConfigReader reader(config);
  auto region = reader.optional_string("region");
  if (!region) return region.take_error();
  std::vector<std::string> regions;
  if (auto* list = config.if_contains("regions"); list && !list->is_null()) {
    if (region->has_value()) {
      return ConfigReader::error("regions", "give either region or regions, not both");
    }
    if (!list->is_array() || list->get_array().empty()) {
      return ConfigReader::error("regions", "must be a non-empty array of region names");
    }
    for (const auto& entry : list->get_array()) {
      if (!entry.is_string()) return ConfigReader::error("regions", "must hold strings");
      regions.emplace_back(entry.get_string());
    }
  } else if (region->has_value()) {
    regions.push_back(**region);
  } else if (auto from_env = non_empty(environment, "AWS_REGION")) {
    regions.push_back(*from_env);
  } else if (auto fallback = non_empty(environment, "AWS_DEFAULT_REGION")) {
    regions.push_back(*fallback);
  } else {
    return ConfigReader::error("region",
                               "required (or regions, or AWS_REGION in the gateway's environment)");
  }
  for (std::size_t i = 0; i < regions.size(); ++i) {
    if (valid_region(regions[i])) continue;
    bool single = !config.contains("regions") || config.at("regions").is_null();
    return ConfigReader::error(single ? "region" : "regions[" + std::to_string(i) + "]",
                               "'" + regions[i] + "' is not a region name such as us-east-1");
  }
  for (std::size_t i = 1; i < regions.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (regions[i] == regions[j]) {
        return ConfigReader::error("regions", "'" + regions[i] + "' is listed twice");
      }
    }
  }
  return regions;
}

// `endpoint` is a URL for every region ("{region}" replaced by each region's name) or an
// object that maps region names to URLs; a region without one uses AWS's public endpoint.
core::Result<std::vector<RegionEndpoint>> read_endpoints(const json::object& config,
                                                         std::vector<std::string> regions) {
  const json::value* endpoint = config.if_contains("endpoint");
  if (endpoint && endpoint->is_null()) endpoint = nullptr;
  if (endpoint && !endpoint->is_string() && !endpoint->is_object()) {
    return ConfigReader::error("endpoint", "must be a URL or an object of region: URL");
  }
  if (endpoint && endpoint->is_object()) {
    for (const auto& [name, value] : endpoint->get_object()) {
      bool known = false;
      for (const auto& region : regions) known = known || region == name;
      if (!known) {
        return ConfigReader::error("endpoint." + std::string(name),
                                   "is not one of the model's regions");
      }
      if (!value.is_string()) {
        return ConfigReader::error("endpoint." + std::string(name), "must be a URL");
      }
    }
  }
  std::vector<RegionEndpoint> endpoints;
  for (auto& region : regions) {
    std::string text = default_endpoint(region);
    std::string key = "endpoint";
    if (endpoint && endpoint->is_string()) {
      text = substitute_region(std::string(endpoint->get_string()), region);
    } else if (endpoint) {
      if (auto* own = endpoint->get_object().if_contains(region)) {
        text = std::string(own->get_string());
        key += "." + region;
      }
    }
    auto url = http::parse_url(text);
    if (!url) return ConfigReader::error(key, url.error().message);
    endpoints.push_back({std::move(region), std::move(*url)});
  }
  return endpoints;
}

std::string_view trimmed(std::string_view text) {
  const auto begin = text.find_first_not_of(" \t\r");
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(" \t\r") - begin + 1);
}

// Where `aws configure` keeps keys: AWS_SHARED_CREDENTIALS_FILE, else $HOME/.aws/credentials.
std::string shared_credentials_path(const EnvironmentLookup& environment) {
  if (auto path = non_empty(environment, "AWS_SHARED_CREDENTIALS_FILE")) return *path;
  if (auto home = non_empty(environment, "HOME")) return *home + "/.aws/credentials";
  return {};
}

// The key pair of `profile` in the shared credentials file (an INI file: "[name]" sections
// of "aws_access_key_id = …" lines); nullopt when there is no such file or profile, or the
// profile lacks a key pair.
std::optional<AwsCredentials> credentials_from_file(const std::string& path,
                                                    std::string_view profile) {
  if (path.empty()) return std::nullopt;
  std::ifstream file(path);
  if (!file) return std::nullopt;
  AwsCredentials found;
  std::string section;
  std::string line;
  while (std::getline(file, line)) {
    auto text = trimmed(line);
    if (text.empty() || text.front() == '#' || text.front() == ';') continue;
    if (text.front() == '[' && text.back() == ']') {
      section = std::string(trimmed(text.substr(1, text.size() - 2)));
      continue;
    }
    const auto equals = text.find('=');
    if (section != profile || equals == std::string_view::npos) continue;
    const auto name = trimmed(text.substr(0, equals));
    const auto value = std::string(trimmed(text.substr(equals + 1)));
    if (name == "aws_access_key_id") found.access_key_id = value;
    if (name == "aws_secret_access_key") found.secret_access_key = value;
    if (name == "aws_session_token") found.session_token = value;
  }
  if (found.access_key_id.empty() || found.secret_access_key.empty()) return std::nullopt;
  return found;
}

core::Status read_base_credentials(const json::object& config, const EnvironmentLookup& environment,
                                   Fetchers fetchers, BedrockConfig& out) {
  ConfigReader reader(config);
  auto access_key = reader.optional_string("accessKeyId");
  if (!access_key) return access_key.take_error();
  auto secret = reader.optional_string("secretAccessKey");
  if (!secret) return secret.take_error();
  auto token = reader.optional_string("sessionToken");
  if (!token) return token.take_error();
  auto bearer = reader.optional_string("bearerToken");
  if (!bearer) return bearer.take_error();
  auto profile = reader.optional_string("profile");
  if (!profile) return profile.take_error();
  auto instance = reader.optional_bool("instanceCredentials");
  if (!instance) return instance.take_error();
  auto given = [](const std::optional<std::string>& value) {
    return value.has_value() && !value->empty();
  };

  if (instance->value_or(false)) {
    if (given(*bearer) || given(*access_key) || given(*secret) || given(*token) ||
        given(*profile)) {
      return ConfigReader::error("instanceCredentials",
                                 "give either instanceCredentials or keys, a bearerToken or a "
                                 "profile");
    }
    // Fetched by a thread of their own. Configuring never waits for them: it runs on an I/O
    // thread (an admin save) or the store worker (the catalog). A request waits for the
    // first fetch (Endpoint::waiting_for_credentials); after a failed one it is answered
    // 503 with the reason.
    if (fetchers == Fetchers::kStart) out.role = RoleCredentials::shared(environment);
    return core::Ok{};
  }
  if (given(*bearer)) {
    if (given(*access_key) || given(*secret)) {
      return ConfigReader::error("bearerToken",
                                 "give either bearerToken or accessKeyId + secretAccessKey");
    }
    out.bearer_token = **bearer;
    return core::Ok{};
  }
  if (given(*access_key) || given(*secret)) {
    if (!given(*access_key))
      return ConfigReader::error("accessKeyId", "required with secretAccessKey");
    if (!given(*secret)) return ConfigReader::error("secretAccessKey", "required with accessKeyId");
    out.credentials = {**access_key, **secret, token->value_or("")};
    return core::Ok{};
  }
  if (given(*token)) {
    return ConfigReader::error("sessionToken", "needs accessKeyId and secretAccessKey");
  }
  const std::string file = shared_credentials_path(environment);
  if (given(*profile)) {
    auto from_profile = credentials_from_file(file, **profile);
    if (!from_profile) {
      return ConfigReader::error(
          "profile", "no profile '" + **profile +
                         "' with aws_access_key_id and aws_secret_access_key in the shared "
                         "credentials file '" +
                         file + "' (AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials)");
    }
    out.credentials = std::move(*from_profile);
    return core::Ok{};
  }
  // Nothing in the config: the AWS SDKs' environment variables, the Bedrock API key first.
  if (auto env_bearer = non_empty(environment, "AWS_BEARER_TOKEN_BEDROCK")) {
    out.bearer_token = *env_bearer;
    return core::Ok{};
  }
  auto env_key = non_empty(environment, "AWS_ACCESS_KEY_ID");
  auto env_secret = non_empty(environment, "AWS_SECRET_ACCESS_KEY");
  if (env_key && env_secret) {
    out.credentials = {*env_key, *env_secret,
                       non_empty(environment, "AWS_SESSION_TOKEN").value_or("")};
    return core::Ok{};
  }
  // Then the shared credentials file, as the AWS SDKs do: profile AWS_PROFILE, else default.
  const std::string env_profile = non_empty(environment, "AWS_PROFILE").value_or("default");
  if (auto from_file = credentials_from_file(file, env_profile)) {
    out.credentials = std::move(*from_file);
    return core::Ok{};
  }
  return ConfigReader::error(
      "accessKeyId",
      "required: no credentials in the config (accessKeyId + secretAccessKey, bearerToken, or "
      "profile), none in the gateway's environment (AWS_ACCESS_KEY_ID + "
      "AWS_SECRET_ACCESS_KEY, or AWS_BEARER_TOKEN_BEDROCK) and no profile '" +
          env_profile + "' in the shared credentials file");
}

// The credentials found as above, or, with "roleArn", those of that role, assumed with them
// at STS (cross-account access): kept fresh by a thread of their own (role_credentials.hpp).
core::Status read_credentials(const json::object& config, const EnvironmentLookup& environment,
                              Fetchers fetchers, BedrockConfig& out) {
  ConfigReader reader(config);
  auto role_arn = reader.optional_string("roleArn");
  if (!role_arn) return role_arn.take_error();
  auto session_name = reader.optional_string("roleSessionName");
  if (!session_name) return session_name.take_error();
  auto external_id = reader.optional_string("externalId");
  if (!external_id) return external_id.take_error();
  if (auto status = read_base_credentials(config, environment, fetchers, out); !status) {
    return status;
  }
  if (!role_arn->has_value() || (*role_arn)->empty()) {
    if (session_name->has_value() || external_id->has_value()) {
      return ConfigReader::error(session_name->has_value() ? "roleSessionName" : "externalId",
                                 "needs roleArn");
    }
    return core::Ok{};
  }
  if (!(*role_arn)->starts_with("arn:")) {
    return ConfigReader::error("roleArn", "must be a role's ARN (arn:aws:iam::<account>:role/…)");
  }
  if (!out.bearer_token.empty()) {
    return ConfigReader::error("roleArn",
                               "is assumed with AWS credentials, not a Bedrock API key "
                               "(bearerToken or AWS_BEARER_TOKEN_BEDROCK)");
  }
  AssumeRoleRequest request;
  request.role_arn = **role_arn;
  request.session_name = session_name->value_or("");
  if (request.session_name.empty()) request.session_name = "llmgate";
  // STS's rule for a session name: 2 to 64 of letters, digits and + = , . @ _ -
  const bool name_ok =
      request.session_name.size() >= 2 && request.session_name.size() <= 64 &&
      std::all_of(request.session_name.begin(), request.session_name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) ||
               (c != '\0' && std::strchr("+=,.@_-", c) != nullptr);
      });
  if (!name_ok) {
    return ConfigReader::error("roleSessionName",
                               "must be 2 to 64 letters, digits or any of + = , . @ _ -");
  }
  if (fetchers == Fetchers::kNone) return core::Ok{};
  request.external_id = external_id->value_or("");
  request.region = out.regions.front().region;
  request.base_keys = out.credentials;
  request.base = std::move(out.role);
  out.credentials = {};
  out.role = RoleCredentials::assumed(std::move(request), environment);  // never waited for
  return core::Ok{};
}

}  // namespace

EnvironmentLookup process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (!value) return std::nullopt;
    return std::string(value);
  };
}

core::Result<BedrockConfig> parse_bedrock_config(const json::object& config,
                                                 const EnvironmentLookup& environment,
                                                 Fetchers fetchers) {
  ConfigReader reader(config);
  BedrockConfig parsed;
  auto model_id = reader.required_string("modelId");
  if (!model_id) return model_id.take_error();
  parsed.model_id = std::move(*model_id);

  auto regions = read_regions(config, environment);
  if (!regions) return regions.take_error();
  auto endpoints = read_endpoints(config, std::move(*regions));
  if (!endpoints) return endpoints.take_error();
  parsed.regions = std::move(*endpoints);

  if (auto status = read_credentials(config, environment, fetchers, parsed); !status) {
    return status.take_error();
  }

  auto max_tokens = reader.optional_positive_int("maxTokens");
  if (!max_tokens) return max_tokens.take_error();
  parsed.max_tokens = max_tokens->value_or(0);
  auto thinking = reader.optional_positive_int("thinkingBudget");
  if (!thinking) return thinking.take_error();
  parsed.thinking_budget = thinking->value_or(0);
  if (parsed.thinking_budget > 0 && parsed.max_tokens > 0 &&
      parsed.max_tokens <= parsed.thinking_budget) {
    return ConfigReader::error("maxTokens", "must be larger than thinkingBudget");
  }
  return parsed;
}

}  // namespace providers::bedrock
