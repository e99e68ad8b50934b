// The bedrock-converse provider: config validation (errors name the key), credentials from
// the config or the environment, and the upstream requests its endpoint builds.
#include "providers/bedrock_converse/bedrock_converse.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include <unistd.h>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "providers/bedrock_converse/bedrock_config.hpp"
#include "providers/registry.hpp"

namespace providers {
namespace {

namespace json = boost::json;

using Environment = std::map<std::string, std::string>;

BedrockConverseProvider provider_with(Environment environment) {
  return BedrockConverseProvider([environment](std::string_view name) {
    auto found = environment.find(std::string(name));
    return found == environment.end() ? std::nullopt : std::optional<std::string>(found->second);
  });
}

core::Result<std::shared_ptr<const Endpoint>> configure(std::string_view config,
                                                        Environment environment = {}) {
  return provider_with(std::move(environment)).configure(json::parse(config).as_object(), "gw");
}

std::shared_ptr<const Endpoint> endpoint(std::string_view config, Environment environment = {}) {
  auto configured = configure(config, std::move(environment));
  EXPECT_TRUE(configured.ok()) << (configured.ok() ? "" : configured.error().message);
  return configured.ok() ? *configured : nullptr;
}

void expect_config_error(std::string_view config, const std::string& field,
                         Environment environment = {}) {
  SCOPED_TRACE(std::string(config));
  auto configured = configure(config, std::move(environment));
  ASSERT_FALSE(configured.ok()) << "accepted";
  EXPECT_EQ(configured.error().kind, core::ErrorKind::kBadRequest);
  EXPECT_EQ(configured.error().field, field);
  EXPECT_TRUE(configured.error().message.starts_with(field + ": ")) << configured.error().message;
}

constexpr std::string_view kKeys = R"("accessKeyId":"AKIDEXAMPLE","secretAccessKey":"secret")";

std::string with_keys(std::string_view fields) {
  return "{" + std::string(kKeys) + (fields.empty() ? "" : ",") + std::string(fields) + "}";
}

UpstreamTarget build(const Endpoint& endpoint, std::string_view body, bool stream = false,
                     int attempt = 0) {
  ChatRequest request;
  request.body = json::parse(body).as_object();
  request.model = "gw";
  request.stream = stream;
  auto target = endpoint.build_request(request, attempt);
  EXPECT_TRUE(target.ok()) << (target.ok() ? "" : target.error().message);
  EXPECT_EQ(request.body.at("model"),
            json::value(json::parse(R"("anthropic.claude-3-haiku-20240307-v1:0")")))
      << "the recorded request names the upstream model";
  return target.ok() ? std::move(*target) : UpstreamTarget{};
}

constexpr std::string_view kHello = R"({"model":"gw","messages":[{"role":"user","content":"Hi"}]})";

TEST(BedrockConfigure, IsRegisteredWithItsSecrets) {
  auto registry = make_default_registry();
  const auto* provider = registry.find("bedrock-converse");
  ASSERT_NE(provider, nullptr);
  auto secrets = provider->secret_keys();
  for (std::string key : {"secretAccessKey", "sessionToken", "bearerToken"}) {
    EXPECT_NE(std::find(secrets.begin(), secrets.end(), key), secrets.end()) << key;
  }
}

TEST(BedrockConfigure, ErrorsNameTheKey) {
  expect_config_error(with_keys(R"("region":"us-east-1")"), "config.modelId");
  expect_config_error(with_keys(R"("modelId":"","region":"us-east-1")"), "config.modelId");
  expect_config_error(with_keys(R"("modelId":"m")"), "config.region");
  expect_config_error(with_keys(R"("modelId":"m","region":"US East")"), "config.region");
  expect_config_error(with_keys(R"("modelId":"m","regions":[])"), "config.regions");
  expect_config_error(with_keys(R"("modelId":"m","regions":"us-east-1")"), "config.regions");
  expect_config_error(with_keys(R"("modelId":"m","regions":["us-east-1","x y"])"),
                      "config.regions[1]");
  expect_config_error(with_keys(R"("modelId":"m","regions":["us-east-1","us-east-1"])"),
                      "config.regions");
  expect_config_error(with_keys(R"("modelId":"m","region":"us-east-1","regions":["us-west-2"])"),
                      "config.regions");
  expect_config_error(with_keys(R"("modelId":"m","region":"us-east-1","endpoint":"ftp://x")"),
                      "config.endpoint");
  expect_config_error(with_keys(R"("modelId":"m","region":"us-east-1","endpoint":42)"),
                      "config.endpoint");
  expect_config_error(
      with_keys(R"("modelId":"m","region":"us-east-1","endpoint":{"eu-west-1":"http://x"})"),
      "config.endpoint.eu-west-1");
  expect_config_error(with_keys(R"("modelId":"m","region":"us-east-1","maxTokens":0)"),
                      "config.maxTokens");
  expect_config_error(with_keys(R"("modelId":"m","region":"us-east-1","thinkingBudget":"a")"),
                      "config.thinkingBudget");
  expect_config_error(
      with_keys(R"("modelId":"m","region":"us-east-1","maxTokens":1000,"thinkingBudget":2000)"),
      "config.maxTokens");
}

TEST(BedrockConfigure, CredentialErrorsNameTheKey) {
  expect_config_error(R"({"modelId":"m","region":"us-east-1"})", "config.accessKeyId");
  expect_config_error(R"({"modelId":"m","region":"us-east-1","accessKeyId":"AKID"})",
                      "config.secretAccessKey");
  expect_config_error(R"({"modelId":"m","region":"us-east-1","secretAccessKey":"s"})",
                      "config.accessKeyId");
  expect_config_error(R"({"modelId":"m","region":"us-east-1","sessionToken":"t"})",
                      "config.sessionToken");
  expect_config_error(with_keys(R"("modelId":"m","region":"us-east-1","bearerToken":"b")"),
                      "config.bearerToken");
  expect_config_error(
      R"({"modelId":"m","region":"us-east-1","accessKeyId":7,"secretAccessKey":"s"})",
      "config.accessKeyId");
  // Half a key pair in the environment is no credential.
  expect_config_error(R"({"modelId":"m","region":"us-east-1"})", "config.accessKeyId",
                      {{"AWS_ACCESS_KEY_ID", "AKID"}});
}

TEST(BedrockConfigure, AssumingARoleNeedsItsArnAndAwsCredentials) {
  // Refused before anything is fetched: no STS call is made for these.
  expect_config_error(with_keys(R"("modelId":"m","region":"us-east-1","externalId":"x")"),
                      "config.externalId");
  expect_config_error(with_keys(R"("modelId":"m","region":"us-east-1","roleSessionName":"s")"),
                      "config.roleSessionName");
  expect_config_error(with_keys(R"("modelId":"m","region":"us-east-1","roleArn":"bedrock-role")"),
                      "config.roleArn");
  expect_config_error(with_keys(R"("modelId":"m","region":"us-east-1","roleArn":7)"),
                      "config.roleArn");
  expect_config_error(
      R"({"modelId":"m","region":"us-east-1","bearerToken":"b","roleArn":"arn:aws:iam::1:role/r"})",
      "config.roleArn");
  expect_config_error(
      with_keys(
          R"("modelId":"m","region":"us-east-1","roleArn":"arn:aws:iam::1:role/r","roleSessionName":"has space")"),
      "config.roleSessionName");
}

TEST(BedrockConfigure, ValidatingStartsNoFetcherAndFindsTheSameErrors) {
  auto provider = provider_with({});
  // An admin save only validates: no thread, no call to STS or the metadata service.
  EXPECT_TRUE(provider.validate(
      json::parse(
          with_keys(R"("modelId":"m","region":"us-east-1","roleArn":"arn:aws:iam::1:role/r")"))
          .as_object(),
      "gw"));
  auto parsed = bedrock::parse_bedrock_config(
      json::parse(R"({"modelId":"m","region":"us-east-1","instanceCredentials":true})").as_object(),
      [](std::string_view) { return std::nullopt; }, bedrock::Fetchers::kNone);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->role, nullptr);
  for (
      const char* fields :
      {R"("modelId":"m","region":"us-east-1","externalId":"x")",
       R"("modelId":"m","region":"us-east-1","roleArn":"arn:aws:iam::1:role/r","roleSessionName":"a b")"}) {
    auto refused = provider.validate(json::parse(with_keys(fields)).as_object(), "gw");
    ASSERT_FALSE(refused) << fields;
    EXPECT_TRUE(refused.error().field == "config.externalId" ||
                refused.error().field == "config.roleSessionName")
        << refused.error().field;
  }
}

TEST(BedrockConfigure, RegionAndCredentialsMayComeFromTheEnvironment) {
  auto configured = endpoint(R"({"modelId":"anthropic.claude-3-haiku-20240307-v1:0"})",
                             {{"AWS_REGION", "eu-central-1"},
                              {"AWS_ACCESS_KEY_ID", "AKIDENV"},
                              {"AWS_SECRET_ACCESS_KEY", "secret"},
                              {"AWS_SESSION_TOKEN", "token-from-env"}});
  ASSERT_TRUE(configured);
  auto target = build(*configured, kHello);
  EXPECT_EQ(target.url.host, "bedrock-runtime.eu-central-1.amazonaws.com");
  EXPECT_EQ(target.request.headers.get("x-amz-security-token"), "token-from-env");
  auto authorization = std::string(*target.request.headers.get("authorization"));
  EXPECT_TRUE(authorization.starts_with("AWS4-HMAC-SHA256 Credential=AKIDENV/")) << authorization;
  EXPECT_NE(authorization.find("/eu-central-1/bedrock/aws4_request"), std::string::npos);

  auto fallback = endpoint(
      R"({"modelId":"anthropic.claude-3-haiku-20240307-v1:0"})",
      {{"AWS_DEFAULT_REGION", "ap-northeast-1"}, {"AWS_BEARER_TOKEN_BEDROCK", "bedrock-api-key"}});
  ASSERT_TRUE(fallback);
  target = build(*fallback, kHello);
  EXPECT_EQ(target.url.host, "bedrock-runtime.ap-northeast-1.amazonaws.com");
  EXPECT_EQ(target.request.headers.get("authorization"), "Bearer bedrock-api-key");
  EXPECT_FALSE(target.request.headers.get("x-amz-date"));
}

// A shared credentials file as `aws configure` writes it, removed afterwards.
class CredentialsFile {
 public:
  CredentialsFile() {
    path_ = (std::filesystem::temp_directory_path() /
             ("llmgate-aws-credentials-" + std::to_string(::getpid())))
                .string();
    std::ofstream(path_) << "# written by aws configure\n"
                         << "[default]\n"
                         << "aws_access_key_id = AKIDDEFAULT\n"
                         << "aws_secret_access_key = default-secret\n"
                         << "\n"
                         << "[ team ]\n"
                         << "  aws_access_key_id=AKIDTEAM\n"
                         << "aws_secret_access_key =team-secret\r\n"
                         << "aws_session_token = team-token\n"
                         << "[half]\n"
                         << "aws_access_key_id = AKIDHALF\n";
  }
  ~CredentialsFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string signing_key_id(const Endpoint& endpoint) {
  auto target = build(endpoint, kHello);
  auto authorization = std::string(target.request.headers.get("authorization").value_or(""));
  const auto start = authorization.find("Credential=");
  if (start == std::string::npos) return authorization;
  const auto from = start + std::string_view("Credential=").size();
  return authorization.substr(from, authorization.find('/', from) - from);
}

TEST(BedrockConfigure, CredentialsMayComeFromTheSharedCredentialsFile) {
  CredentialsFile file;
  constexpr std::string_view kModel = R"("modelId":"anthropic.claude-3-haiku-20240307-v1:0")";
  Environment environment{{"AWS_SHARED_CREDENTIALS_FILE", file.path()},
                          {"AWS_REGION", "us-east-1"}};

  auto by_default = endpoint("{" + std::string(kModel) + "}", environment);
  ASSERT_TRUE(by_default);
  EXPECT_EQ(signing_key_id(*by_default), "AKIDDEFAULT");

  auto named = endpoint("{" + std::string(kModel) + R"(,"profile":"team"})", environment);
  ASSERT_TRUE(named);
  EXPECT_EQ(signing_key_id(*named), "AKIDTEAM");
  EXPECT_EQ(build(*named, kHello).request.headers.get("x-amz-security-token"), "team-token");

  auto from_env_profile = environment;
  from_env_profile["AWS_PROFILE"] = "team";
  auto chosen = endpoint("{" + std::string(kModel) + "}", from_env_profile);
  ASSERT_TRUE(chosen);
  EXPECT_EQ(signing_key_id(*chosen), "AKIDTEAM");

  // Keys in the environment come before the file, as in the AWS SDKs.
  auto with_env_keys = environment;
  with_env_keys["AWS_ACCESS_KEY_ID"] = "AKIDENV";
  with_env_keys["AWS_SECRET_ACCESS_KEY"] = "env-secret";
  auto env_first = endpoint("{" + std::string(kModel) + "}", with_env_keys);
  ASSERT_TRUE(env_first);
  EXPECT_EQ(signing_key_id(*env_first), "AKIDENV");

  // $HOME/.aws/credentials when no file is named.
  std::filesystem::path home = std::filesystem::path(file.path()).parent_path() /
                               ("llmgate-home-" + std::to_string(::getpid()));
  std::filesystem::create_directories(home / ".aws");
  std::filesystem::copy_file(file.path(), home / ".aws" / "credentials",
                             std::filesystem::copy_options::overwrite_existing);
  auto from_home = endpoint("{" + std::string(kModel) + "}",
                            {{"HOME", home.string()}, {"AWS_REGION", "us-east-1"}});
  std::filesystem::remove_all(home);
  ASSERT_TRUE(from_home);
  EXPECT_EQ(signing_key_id(*from_home), "AKIDDEFAULT");
}

TEST(BedrockConfigure, AProfileThatIsMissingOrHalfIsAnErrorNamingIt) {
  CredentialsFile file;
  Environment environment{{"AWS_SHARED_CREDENTIALS_FILE", file.path()},
                          {"AWS_REGION", "us-east-1"}};
  expect_config_error(R"({"modelId":"m","profile":"nobody"})", "config.profile", environment);
  expect_config_error(R"({"modelId":"m","profile":"half"})", "config.profile", environment);
  expect_config_error(R"({"modelId":"m","profile":7})", "config.profile", environment);
  // AWS_PROFILE naming a half profile, and nothing else: no credentials at all.
  environment["AWS_PROFILE"] = "half";
  expect_config_error(R"({"modelId":"m"})", "config.accessKeyId", environment);
}

TEST(BedrockConfigure, ConfigCredentialsWinOverTheEnvironment) {
  auto configured = endpoint(
      with_keys(R"("modelId":"anthropic.claude-3-haiku-20240307-v1:0","region":"us-east-1")"),
      {{"AWS_BEARER_TOKEN_BEDROCK", "env-key"}, {"AWS_REGION", "eu-west-1"}});
  ASSERT_TRUE(configured);
  auto target = build(*configured, kHello);
  EXPECT_EQ(target.url.host, "bedrock-runtime.us-east-1.amazonaws.com");
  EXPECT_TRUE(target.request.headers.get("authorization")->starts_with("AWS4-HMAC-SHA256 "));
}

TEST(BedrockEndpoint, BuildsASignedConverseRequest) {
  auto configured = endpoint(with_keys(
      R"("modelId":"anthropic.claude-3-haiku-20240307-v1:0","region":"us-west-2","maxTokens":512)"));
  ASSERT_TRUE(configured);
  EXPECT_EQ(configured->default_max_tokens(), 512);
  EXPECT_EQ(configured->max_attempts(), 1);
  auto target = build(*configured, kHello);
  EXPECT_TRUE(target.url.tls);
  EXPECT_EQ(target.url.host, "bedrock-runtime.us-west-2.amazonaws.com");
  EXPECT_EQ(target.request.method, "POST");
  EXPECT_EQ(target.request.target, "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse");
  EXPECT_EQ(target.request.headers.get("content-type"), "application/json");
  EXPECT_TRUE(target.request.headers.get("x-amz-date"));
  EXPECT_FALSE(target.request.headers.get("x-amz-security-token"));
  auto authorization = std::string(*target.request.headers.get("authorization"));
  EXPECT_NE(authorization.find("SignedHeaders=content-type;host;x-amz-date, "), std::string::npos)
      << authorization;
  EXPECT_EQ(json::parse(target.request.body),
            json::parse(R"({"messages":[{"role":"user","content":[{"text":"Hi"}]}],
                "inferenceConfig":{"maxTokens":512}})"));
}

TEST(BedrockEndpoint, StreamsUseConverseStreamAndArnsAreEncoded) {
  auto configured = endpoint(with_keys(
      R"("modelId":"arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0","region":"us-east-1")"));
  ASSERT_TRUE(configured);
  ChatRequest request;
  request.body = json::parse(kHello).as_object();
  request.stream = true;
  auto target = configured->build_request(request, 0);
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(target->request.target,
            "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2F"
            "us.anthropic.claude-3-7-sonnet-20250219-v1%3A0/converse-stream");
  EXPECT_FALSE(target->request.headers.get("accept"));
}

TEST(BedrockEndpoint, AttemptsWalkTheRegionsInOrder) {
  auto configured = endpoint(with_keys(
      R"("modelId":"anthropic.claude-3-haiku-20240307-v1:0","regions":["us-east-1","us-west-2","eu-west-1"],
         "endpoint":"http://127.0.0.1:9000/{region}")"));
  ASSERT_TRUE(configured);
  EXPECT_EQ(configured->max_attempts(), 3);
  std::vector<std::string> paths;
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto target = build(*configured, kHello, false, attempt);
    EXPECT_FALSE(target.url.tls);
    EXPECT_EQ(target.url.port, 9000);
    paths.push_back(target.url.path);
    std::string region = target.url.path.substr(1);
    EXPECT_NE(target.request.headers.get("authorization")->find("/" + region + "/bedrock/"),
              std::string::npos);
  }
  EXPECT_EQ(paths, (std::vector<std::string>{"/us-east-1", "/us-west-2", "/eu-west-1"}));
}

TEST(BedrockEndpoint, EndpointObjectsGiveRegionsTheirOwnUrls) {
  auto configured = endpoint(with_keys(
      R"("modelId":"anthropic.claude-3-haiku-20240307-v1:0","regions":["us-east-1","us-west-2"],
         "endpoint":{"us-east-1":"https://vpce-1.bedrock-runtime.us-east-1.vpce.amazonaws.com"})"));
  ASSERT_TRUE(configured);
  EXPECT_EQ(build(*configured, kHello, false, 0).url.host,
            "vpce-1.bedrock-runtime.us-east-1.vpce.amazonaws.com");
  EXPECT_EQ(build(*configured, kHello, false, 1).url.host,
            "bedrock-runtime.us-west-2.amazonaws.com");
}

TEST(BedrockEndpoint, TranslationErrorsAreBadRequests) {
  auto configured = endpoint(
      with_keys(R"("modelId":"anthropic.claude-3-haiku-20240307-v1:0","region":"us-east-1")"));
  ASSERT_TRUE(configured);
  ChatRequest request;
  request.body = json::parse(R"({"messages":[{"role":"user","content":[
      {"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]}]})")
                     .as_object();
  auto target = configured->build_request(request, 0);
  ASSERT_FALSE(target.ok());
  EXPECT_EQ(target.error().kind, core::ErrorKind::kBadRequest);
  EXPECT_EQ(target.error().field, "messages[0].content[0].image_url.url");
}

}  // namespace
}  // namespace providers
