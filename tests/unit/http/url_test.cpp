#include "http/client/url.hpp"

#include <gtest/gtest.h>

namespace http {
namespace {

Url parsed(std::string_view text) {
  auto url = parse_url(text);
  EXPECT_TRUE(url.ok()) << text << ": " << (url.ok() ? "" : url.error().message);
  return url.ok() ? *url : Url{};
}

std::string error_of(std::string_view text) {
  auto url = parse_url(text);
  EXPECT_FALSE(url.ok()) << text << " was accepted";
  if (url.ok()) return {};
  EXPECT_EQ(url.error().kind, core::ErrorKind::kBadRequest);
  return url.error().message;
}

TEST(ParseUrl, HttpDefaultsToPort80) {
  auto url = parsed("http://example.com");
  EXPECT_FALSE(url.tls);
  EXPECT_EQ(url.host, "example.com");
  EXPECT_EQ(url.port, 80);
  EXPECT_EQ(url.path, "");
  EXPECT_EQ(url.host_header(), "example.com");
  EXPECT_EQ(url.origin(), "http://example.com:80");
}

TEST(ParseUrl, HttpsDefaultsToPort443AndTrimsTrailingSlash) {
  auto url = parsed("https://api.openai.com/v1/");
  EXPECT_TRUE(url.tls);
  EXPECT_EQ(url.host, "api.openai.com");
  EXPECT_EQ(url.port, 443);
  EXPECT_EQ(url.path, "/v1");
  EXPECT_EQ(url.host_header(), "api.openai.com");
  EXPECT_EQ(url.origin(), "https://api.openai.com:443");
}

TEST(ParseUrl, RootPathIsEmpty) {
  EXPECT_EQ(parsed("https://example.com/").path, "");
  EXPECT_EQ(parsed("https://example.com//").path, "");
}

TEST(ParseUrl, ExplicitPortAppearsInHostHeader) {
  auto url = parsed("http://localhost:8080/v1");
  EXPECT_EQ(url.port, 8080);
  EXPECT_EQ(url.path, "/v1");
  EXPECT_EQ(url.host_header(), "localhost:8080");
  EXPECT_EQ(url.origin(), "http://localhost:8080");

  auto tls_on_80 = parsed("https://example.com:80/api/v1");
  EXPECT_TRUE(tls_on_80.tls);
  EXPECT_EQ(tls_on_80.port, 80);
  EXPECT_EQ(tls_on_80.path, "/api/v1");
  EXPECT_EQ(tls_on_80.host_header(), "example.com:80");
}

TEST(ParseUrl, ExplicitDefaultPortIsLeftOutOfHostHeader) {
  EXPECT_EQ(parsed("https://example.com:443/v1").host_header(), "example.com");
  EXPECT_EQ(parsed("http://example.com:80").host_header(), "example.com");
}

TEST(ParseUrl, Ipv6Literal) {
  auto url = parsed("http://[::1]:8000/v1/");
  EXPECT_EQ(url.host, "::1");  // the connector resolves the bare address
  EXPECT_EQ(url.port, 8000);
  EXPECT_EQ(url.path, "/v1");
  EXPECT_EQ(url.host_header(), "[::1]:8000");

  auto default_port = parsed("https://[2001:db8::1]/");
  EXPECT_EQ(default_port.host, "2001:db8::1");
  EXPECT_EQ(default_port.port, 443);
  EXPECT_EQ(default_port.host_header(), "[2001:db8::1]");
}

TEST(ParseUrl, Ipv4Literal) {
  auto url = parsed("http://127.0.0.1:11434/v1");
  EXPECT_EQ(url.host, "127.0.0.1");
  EXPECT_EQ(url.host_header(), "127.0.0.1:11434");
}

TEST(ParseUrl, RejectsOtherSchemes) {
  auto message = error_of("ftp://example.com/v1");
  EXPECT_NE(message.find("scheme"), std::string::npos) << message;
  EXPECT_NE(message.find("ftp://example.com/v1"), std::string::npos) << message;
  EXPECT_FALSE(error_of("ws://example.com").empty());
  EXPECT_FALSE(error_of("localhost:8080").empty());
}

TEST(ParseUrl, RejectsQueriesAndFragments) {
  auto message = error_of("https://example.com/v1?api-version=1");
  EXPECT_NE(message.find("query"), std::string::npos) << message;
  // The absolute-URI grammar has no fragment, so this is refused as not absolute.
  EXPECT_NE(error_of("https://example.com/v1#top").find("https://example.com/v1#top"),
            std::string::npos);
}

TEST(ParseUrl, RejectsWhatIsNotAnAbsoluteUrl) {
  EXPECT_NE(error_of("api.openai.com/v1").find("not an absolute URL"), std::string::npos);
  EXPECT_FALSE(error_of("").empty());
  EXPECT_FALSE(error_of("https://exa mple.com").empty());
}

TEST(ParseUrl, RejectsMissingHostAndBadPorts) {
  EXPECT_NE(error_of("http://").find("no host"), std::string::npos);
  EXPECT_NE(error_of("http:///v1").find("no host"), std::string::npos);
  EXPECT_NE(error_of("http://example.com:0").find("port"), std::string::npos);
  EXPECT_NE(error_of("http://example.com:").find("port"), std::string::npos);
  EXPECT_NE(error_of("http://example.com:65536").find("port"), std::string::npos);
  EXPECT_EQ(parsed("http://example.com:65535").port, 65535);
}

TEST(ParseUrl, PortAbove65535DoesNotWrapAround) {
  // Must not become 99999 % 65536 = 34463 and connect somewhere else.
  EXPECT_NE(error_of("http://example.com:99999").find("port"), std::string::npos);
  EXPECT_NE(error_of("http://example.com:131152").find("port"), std::string::npos);  // 80 + 2^17
}

}  // namespace
}  // namespace http
