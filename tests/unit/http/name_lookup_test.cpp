#include "http/client/name_lookup.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

namespace http {
namespace {

namespace net = boost::asio;

// Runs one lookup to its end on an io_context of its own.
NameLookup look_up_now(const std::string& host, std::uint16_t port) {
  net::io_context io;
  NameLookup result;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  net::co_spawn(
      io, [&]() -> net::awaitable<void> { result = co_await look_up(host, port, deadline, false); },
      net::detached);
  io.run();
  return result;
}

TEST(NameLookup, AnAddressIsItsOwnAnswer) {
  for (const char* address : {"127.0.0.1", "::1", "203.0.113.7"}) {
    auto result = look_up_now(address, 8080);
    EXPECT_FALSE(result.timed_out);
    EXPECT_FALSE(result.error) << result.error.message();
    ASSERT_EQ(result.endpoints.size(), 1u) << address;
    EXPECT_EQ(result.endpoints[0].address().to_string(), address);
    EXPECT_EQ(result.endpoints[0].port(), 8080);
  }
}

TEST(NameLookup, ANameIsLookedUpWithThePort) {
  auto result = look_up_now("localhost", 8443);
  EXPECT_FALSE(result.timed_out);
  EXPECT_FALSE(result.error) << result.error.message();
  ASSERT_FALSE(result.endpoints.empty());
  for (const auto& endpoint : result.endpoints) {
    EXPECT_TRUE(endpoint.address().is_loopback()) << endpoint.address().to_string();
    EXPECT_EQ(endpoint.port(), 8443);
  }
}

}  // namespace
}  // namespace http
