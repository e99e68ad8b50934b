#include "http/client/proxy.hpp"

#include <gtest/gtest.h>

namespace http {
namespace {

ProxySettings must(const std::map<std::string, std::string>& env) {
  auto settings = proxy_settings_from(env);
  EXPECT_TRUE(settings) << settings.error().message;
  return settings ? std::move(*settings) : ProxySettings{};
}

std::string error_of(const std::map<std::string, std::string>& env) {
  auto settings = proxy_settings_from(env);
  return settings ? "" : settings.error().message;
}

TEST(ProxySettings, ReadsBothCasesAndTheLowerCaseWins) {
  auto settings = must({{"HTTPS_PROXY", "http://upper:3128"},
                        {"https_proxy", "http://lower:8080"},
                        {"HTTP_PROXY", "plain.example.com:3128"}});
  ASSERT_TRUE(settings.for_https);
  EXPECT_EQ(settings.for_https->host, "lower");
  EXPECT_EQ(settings.for_https->port, 8080);
  ASSERT_TRUE(settings.for_http);  // no scheme: http://
  EXPECT_EQ(settings.for_http->shown, "http://plain.example.com:3128");
  EXPECT_TRUE(settings.for_http->authorization.empty());
  EXPECT_FALSE(must({{"HTTPS_PROXY", ""}}).for_https);  // empty is unset
}

TEST(ProxySettings, CredentialsBecomeBasicAuthorizationAndAreNeverShown) {
  auto settings = must({{"HTTPS_PROXY", "http://al%40ice:p%3Ass@[::1]:3128/"}});
  ASSERT_TRUE(settings.for_https);
  EXPECT_EQ(settings.for_https->host, "::1");
  // base64("al@ice:p:ss")
  EXPECT_EQ(settings.for_https->authorization, "Basic YWxAaWNlOnA6c3M=");
  EXPECT_EQ(settings.for_https->shown, "http://[::1]:3128");
  EXPECT_EQ(must({{"HTTP_PROXY", "http://proxy"}}).for_http->port, 80);
  EXPECT_EQ(must({{"HTTP_PROXY", "HTTP://Proxy:3128"}}).for_http->port, 3128);
}

TEST(ProxySettings, WhatCannotBeUsedIsAnErrorNamingTheVariable) {
  EXPECT_NE(error_of({{"HTTPS_PROXY", "https://proxy:3128"}}).find("HTTPS_PROXY: only http://"),
            std::string::npos);
  EXPECT_NE(error_of({{"http_proxy", "http://proxy:0"}}).find("http_proxy: the proxy's port"),
            std::string::npos);
  EXPECT_NE(error_of({{"HTTP_PROXY", "http://proxy:3128/path"}}).find("no path"),
            std::string::npos);
  EXPECT_NE(error_of({{"NO_PROXY", "10.0.0.0/33"}}).find("NO_PROXY: an address block"),
            std::string::npos);
  EXPECT_NE(error_of({{"NO_PROXY", "host:http"}}).find("NO_PROXY: a port"), std::string::npos);
}

TEST(NoProxy, MatchesNamesTheirSubdomainsAddressesBlocksAndPorts) {
  auto no_proxy = must({{"NO_PROXY",
                         " example.com, .internal ,*.corp.test, 10.0.0.0/8,192.168.1.7, "
                         "[fd00::1]:8080, [fe80::]/10, svc:9000"}})
                      .no_proxy;
  ASSERT_EQ(no_proxy.size(), 8u);
  for (const auto& [host, port] :
       std::vector<std::pair<std::string, std::uint16_t>>{{"example.com", 443},
                                                          {"API.Example.com", 443},
                                                          {"db.internal", 5432},
                                                          {"internal", 80},
                                                          {"a.corp.test", 443},
                                                          {"10.1.2.3", 443},
                                                          {"192.168.1.7", 80},
                                                          {"fd00::1", 8080},
                                                          {"fe80::1", 80},
                                                          {"svc", 9000}}) {
    EXPECT_TRUE(bypasses_proxy(no_proxy, host, port)) << host << ":" << port;
  }
  for (const auto& [host, port] :
       std::vector<std::pair<std::string, std::uint16_t>>{{"notexample.com", 443},
                                                          {"example.com.evil.net", 443},
                                                          {"11.0.0.1", 443},
                                                          {"192.168.1.8", 80},
                                                          {"fd00::1", 443},
                                                          {"svc", 9001},
                                                          {"bedrock.amazonaws.com", 443}}) {
    EXPECT_FALSE(bypasses_proxy(no_proxy, host, port)) << host << ":" << port;
  }
  EXPECT_TRUE(bypasses_proxy(must({{"no_proxy", "*"}}).no_proxy, "anything", 1));
}

TEST(ProxyFor, ChoosesByTheUpstreamsSchemeAndSkipsLinkLocalAndNoProxy) {
  use_proxies(must({{"HTTPS_PROXY", "http://secure-proxy:3128"},
                    {"HTTP_PROXY", "http://plain-proxy:3128"},
                    {"NO_PROXY", "example.org"}}));
  Url https_target{.tls = true, .host = "bedrock-runtime.us-east-1.amazonaws.com", .port = 443};
  Url http_target{.tls = false, .host = "vllm.example.com", .port = 8000};
  ASSERT_NE(proxy_for(https_target), nullptr);
  EXPECT_EQ(proxy_for(https_target)->host, "secure-proxy");
  EXPECT_EQ(proxy_for(http_target)->host, "plain-proxy");
  // This machine and the instance and container metadata services: always direct.
  for (const char* host : {"169.254.169.254", "169.254.170.2", "fe80::a9fe:a9fe", "fd00:ec2::254",
                           "127.0.0.1", "127.1.2.3", "::1", "LocalHost", "api.localhost"}) {
    EXPECT_EQ(proxy_for(Url{.tls = false, .host = host, .port = 80}), nullptr) << host;
  }
  EXPECT_NE(proxy_for(Url{.tls = false, .host = "10.0.0.1", .port = 80}), nullptr);
  use_proxies({});
  EXPECT_EQ(proxy_for(https_target), nullptr);
}

}  // namespace
}  // namespace http
