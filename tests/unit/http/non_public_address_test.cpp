#include <gtest/gtest.h>

#include "http/client/upstream_call.hpp"

namespace http {
namespace {

// The guard behind image fetching: a client-chosen URL must not reach these.
TEST(NonPublicAddress, RefusesInternalRanges) {
  for (const char* address :
       {"127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
        "100.64.0.1", "0.0.0.0", "224.0.0.1", "::1", "::", "fe80::1", "fd00::1", "fc00::1",
        "::ffff:127.0.0.1", "::ffff:10.0.0.1"}) {
    EXPECT_TRUE(is_non_public_address(address)) << address;
  }
}

TEST(NonPublicAddress, AllowsPublicAddresses) {
  for (const char* address : {"8.8.8.8", "172.32.0.1", "192.169.0.1", "100.128.0.1",
                              "2606:4700:4700::1111", "::ffff:1.1.1.1"}) {
    EXPECT_FALSE(is_non_public_address(address)) << address;
  }
}

TEST(NonPublicAddress, TextThatIsNotAnAddressIsNotJudgedHere) {
  EXPECT_FALSE(is_non_public_address("example.com"));
}

}  // namespace
}  // namespace http
