#include "providers/openai_compatible/openai_compatible.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace providers {
namespace {

namespace json = boost::json;

core::Result<std::shared_ptr<const Endpoint>> configure(std::string_view config,
                                                        std::string_view model_name = "gw-model") {
  return OpenAiCompatibleProvider().configure(json::parse(config).as_object(), model_name);
}

std::shared_ptr<const Endpoint> endpoint(std::string_view config,
                                         std::string_view model_name = "gw-model") {
  auto configured = configure(config, model_name);
  EXPECT_TRUE(configured.ok()) << (configured.ok() ? "" : configured.error().message);
  return configured.ok() ? *configured : nullptr;
}

void expect_config_error(std::string_view config, const std::string& field) {
  SCOPED_TRACE(std::string(config));
  auto configured = configure(config);
  ASSERT_FALSE(configured.ok()) << "accepted";
  EXPECT_EQ(configured.error().kind, core::ErrorKind::kBadRequest);
  EXPECT_EQ(configured.error().field, field);
  EXPECT_TRUE(configured.error().message.starts_with(field + ": ")) << configured.error().message;
}

ChatRequest chat_request(std::string_view body, bool stream = false) {
  ChatRequest request;
  request.body = json::parse(body).as_object();
  request.model = "gw-model";
  request.stream = stream;
  return request;
}

struct Built {
  UpstreamTarget target;
  json::object body;
};

Built build(const Endpoint& endpoint, ChatRequest request) {
  auto target = endpoint.build_request(request, 0);
  EXPECT_TRUE(target.ok()) << (target.ok() ? "" : target.error().message);
  if (!target.ok()) return {};
  auto body = json::parse(target->request.body).as_object();
  return {std::move(*target), std::move(body)};
}

TEST(OpenAiCompatibleConfigure, ErrorsNameTheKey) {
  expect_config_error(R"({})", "config.baseUrl");
  expect_config_error(R"({"baseUrl":""})", "config.baseUrl");
  expect_config_error(R"({"baseUrl":42})", "config.baseUrl");
  expect_config_error(R"({"baseUrl":"ftp://example.com"})", "config.baseUrl");
  expect_config_error(R"({"baseUrl":"api.openai.com/v1"})", "config.baseUrl");
  expect_config_error(R"({"baseUrl":"https://x.com/v1","apiKey":123})", "config.apiKey");
  expect_config_error(R"({"baseUrl":"https://x.com/v1","model":["a"]})", "config.model");
  expect_config_error(R"({"baseUrl":"https://x.com/v1","headers":"X-A: b"})", "config.headers");
  expect_config_error(R"({"baseUrl":"https://x.com/v1","headers":{"X-Org":"a","X-Team":5}})",
                      "config.headers.X-Team");
  expect_config_error(R"({"baseUrl":"https://x.com/v1","maxTokens":-1})", "config.maxTokens");
  expect_config_error(R"({"baseUrl":"https://x.com/v1","maxTokens":0})", "config.maxTokens");
  expect_config_error(R"({"baseUrl":"https://x.com/v1","maxTokens":"100"})", "config.maxTokens");
}

TEST(OpenAiCompatibleConfigure, BadUrlErrorSaysWhatIsWrong) {
  auto configured = configure(R"({"baseUrl":"https://x.com/v1?key=abc"})");
  ASSERT_FALSE(configured.ok());
  EXPECT_NE(configured.error().message.find("query"), std::string::npos)
      << configured.error().message;
}

TEST(OpenAiCompatibleConfigure, ApiKeyIsASecret) {
  auto secrets = OpenAiCompatibleProvider().secret_keys();
  EXPECT_NE(std::find(secrets.begin(), secrets.end(), "apiKey"), secrets.end());
  EXPECT_EQ(OpenAiCompatibleProvider().name(), "openai-compatible");
}

TEST(OpenAiCompatibleEndpoint, BuildsTheUpstreamRequest) {
  auto configured = endpoint(
      R"({"baseUrl":"https://api.example.com/v1/","apiKey":"sk-test","model":"gpt-4o-mini",
          "headers":{"OpenAI-Organization":"org-1","X-Team":"ml"}})");
  ASSERT_TRUE(configured);
  auto built =
      build(*configured, chat_request(
                             R"({"model":"gw-model","messages":[{"role":"user","content":"hi"}],
                                          "temperature":0.5,"vendor_field":"kept"})"));
  const auto& request = built.target.request;
  EXPECT_EQ(built.target.url.host, "api.example.com");
  EXPECT_TRUE(built.target.url.tls);
  EXPECT_EQ(built.target.url.path, "/v1");
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/chat/completions");
  EXPECT_EQ(request.headers.get("authorization"), "Bearer sk-test");
  EXPECT_EQ(request.headers.get("openai-organization"), "org-1");
  EXPECT_EQ(request.headers.get("x-team"), "ml");
  EXPECT_EQ(request.headers.get("content-type"), "application/json");
  EXPECT_EQ(request.headers.get("accept"), "application/json");

  EXPECT_EQ(built.body.at("model"), json::value("gpt-4o-mini"));
  EXPECT_EQ(built.body.at("temperature"), json::value(0.5));
  EXPECT_EQ(built.body.at("vendor_field"), json::value("kept"));
  EXPECT_FALSE(built.body.contains("stream_options"));
  EXPECT_FALSE(built.body.contains("max_tokens"));
}

TEST(OpenAiCompatibleEndpoint, UpstreamModelDefaultsToTheGatewayName) {
  auto configured = endpoint(R"({"baseUrl":"http://localhost:8000/v1"})", "llama-local");
  ASSERT_TRUE(configured);
  auto built = build(*configured, chat_request(R"({"model":"llama-local","messages":[]})"));
  EXPECT_EQ(built.body.at("model"), json::value("llama-local"));
  EXPECT_EQ(built.target.request.headers.get("authorization"), std::nullopt);
  EXPECT_EQ(built.target.url.port, 8000);

  auto empty_model = endpoint(R"({"baseUrl":"http://localhost/v1","model":"","apiKey":""})", "gw");
  ASSERT_TRUE(empty_model);
  auto built_empty = build(*empty_model, chat_request(R"({"model":"gw"})"));
  EXPECT_EQ(built_empty.body.at("model"), json::value("gw"));
  EXPECT_EQ(built_empty.target.request.headers.get("authorization"), std::nullopt);
}

TEST(OpenAiCompatibleEndpoint, StreamsAlwaysAskForUsage) {
  auto configured = endpoint(R"({"baseUrl":"https://api.example.com/v1"})");
  ASSERT_TRUE(configured);

  auto plain = build(*configured, chat_request(R"({"model":"gw-model","stream":true})", true));
  EXPECT_EQ(plain.body.at("stream_options").at("include_usage"), json::value(true));
  EXPECT_EQ(plain.target.request.headers.get("accept"), "text/event-stream");

  auto declined = build(*configured, chat_request(R"({"model":"gw-model","stream":true,
      "stream_options":{"include_usage":false,"continuous_usage_stats":true}})",
                                                  true));
  const auto& options = declined.body.at("stream_options").as_object();
  EXPECT_EQ(options.at("include_usage"), json::value(true));
  EXPECT_EQ(options.at("continuous_usage_stats"), json::value(true));
}

TEST(OpenAiCompatibleEndpoint, ApiKeyWinsOverAConfiguredAuthorizationHeader) {
  auto configured = endpoint(
      R"({"baseUrl":"https://x.com","apiKey":"sk-real","headers":{"Authorization":"Bearer old"}})");
  ASSERT_TRUE(configured);
  auto built = build(*configured, chat_request(R"({"model":"m"})"));
  EXPECT_EQ(built.target.request.headers.get("authorization"), "Bearer sk-real");
  int authorization_headers = 0;
  for (const auto& [name, value] : built.target.request.headers.entries) {
    if (http::iequals(name, "authorization")) ++authorization_headers;
  }
  EXPECT_EQ(authorization_headers, 1);
}

TEST(OpenAiCompatibleEndpoint, MaxTokensIsADefaultNotAnOverride) {
  auto configured = endpoint(R"({"baseUrl":"https://x.com/v1","maxTokens":512})");
  ASSERT_TRUE(configured);
  EXPECT_EQ(configured->default_max_tokens(), 512);
  EXPECT_EQ(build(*configured, chat_request(R"({"model":"m"})")).body.at("max_tokens"),
            json::value(512));
  EXPECT_EQ(
      build(*configured, chat_request(R"({"model":"m","max_tokens":7})")).body.at("max_tokens"),
      json::value(7));
  auto completion_cap =
      build(*configured, chat_request(R"({"model":"m","max_completion_tokens":9})")).body;
  EXPECT_FALSE(completion_cap.contains("max_tokens"));
  EXPECT_EQ(completion_cap.at("max_completion_tokens"), json::value(9));
}

TEST(OpenAiCompatibleEndpoint, ParseResponseReadsUsage) {
  auto configured = endpoint(R"({"baseUrl":"https://x.com/v1"})");
  ASSERT_TRUE(configured);
  auto completion = configured->parse_response(R"({
    "id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-4o-2024-08-06",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi"},
                 "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 1200, "completion_tokens": 300, "total_tokens": 1500,
              "prompt_tokens_details": {"cached_tokens": 1024, "audio_tokens": 0},
              "completion_tokens_details": {"reasoning_tokens": 128}}
  })");
  ASSERT_TRUE(completion.ok()) << completion.error().message;
  EXPECT_TRUE(completion->usage.reported);
  EXPECT_EQ(completion->usage.prompt_tokens, 1200);
  EXPECT_EQ(completion->usage.completion_tokens, 300);
  EXPECT_EQ(completion->usage.cached_tokens, 1024);
  EXPECT_EQ(completion->usage.reasoning_tokens, 128);
  EXPECT_EQ(completion->body.at("choices").as_array().size(), 1u);
}

TEST(OpenAiCompatibleEndpoint, ParseResponseWithoutUsage) {
  auto configured = endpoint(R"({"baseUrl":"https://x.com/v1"})");
  ASSERT_TRUE(configured);
  auto completion = configured->parse_response(R"({"id":"x","choices":[]})");
  ASSERT_TRUE(completion.ok());
  EXPECT_FALSE(completion->usage.reported);
  EXPECT_EQ(completion->usage.prompt_tokens, 0);
}

TEST(OpenAiCompatibleEndpoint, ParseResponseRejectsWhatIsNotAJsonObject) {
  auto configured = endpoint(R"({"baseUrl":"https://x.com/v1"})");
  ASSERT_TRUE(configured);
  EXPECT_FALSE(configured->parse_response("<html>502 Bad Gateway</html>").ok());
  EXPECT_FALSE(configured->parse_response("[1,2]").ok());
  EXPECT_FALSE(configured->parse_response("").ok());
}

TEST(OpenAiCompatibleEndpoint, MapErrorUsesTheUpstreamMessage) {
  auto configured = endpoint(R"({"baseUrl":"https://x.com/v1"})");
  ASSERT_TRUE(configured);
  http::Headers headers;
  headers.add("retry-after", "3");
  auto limited = configured->map_error(
      429, headers, R"({"error":{"message":"Rate limit reached for gpt-4o","type":"requests"}})");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.retry_after, "3");
  EXPECT_NE(limited.message.find("Rate limit reached for gpt-4o"), std::string::npos);

  auto auth = configured->map_error(401, {}, R"({"error":{"message":"Incorrect API key"}})");
  EXPECT_EQ(auth.status, 502);
  EXPECT_NE(auth.message.find("Incorrect API key"), std::string::npos);

  auto bad = configured->map_error(400, {}, R"({"error":{"message":"Invalid 'temperature'"}})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.message, "Invalid 'temperature'");
}

}  // namespace
}  // namespace providers
