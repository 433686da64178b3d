// The warning for a console on a reachable address without TLS.
#include "services/console/listen_address.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot {
namespace {

TEST(ListenAddressTest, LoopbackOrHttpsNeedsNoWarning) {
  for (const char* host : {"127.0.0.1", "127.0.1.1", "localhost", "::1"}) {
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
    EXPECT_FALSE(PlaintextExposureWarning(host, false).has_value()) << host;
  }
  EXPECT_FALSE(PlaintextExposureWarning("0.0.0.0", true).has_value());
}

TEST(ListenAddressTest, AReachableAddressWithoutTlsIsWarnedAbout) {
  for (const char* host : {"0.0.0.0", "::", "192.168.1.5", "1127.0.0.1", "localhost.example"}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
    std::optional<std::string> warning = PlaintextExposureWarning(host, false);
    ASSERT_TRUE(warning.has_value()) << host;
    EXPECT_THAT(*warning, ::testing::HasSubstr(std::string("listens on ") + host + " without TLS"));
  }
}

}  // namespace
}  // namespace gridpilot
