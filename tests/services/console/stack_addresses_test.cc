// StackAddresses: the launcher's port files and the flags that override them.
#include "services/console/stack_addresses.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot {
namespace {

using ::testing::HasSubstr;

std::string RunDir(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "/" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(StackAddressesTest, ReadsEveryPortFile) {
  const std::string dir = RunDir("addresses-ok");
  int port = 40001;
  for (const char* name : {"gateway", "forecast", "response", "trader"}) {
    std::ofstream(dir + "/" + name + ".port") << port++ << "\n";
  }
  absl::StatusOr<StackAddresses> a = ReadStackAddresses(dir);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->gateway, "127.0.0.1:40001");
  EXPECT_EQ(a->trader, "127.0.0.1:40004");
  absl::StatusOr<StackAddresses> b = ApplyAddressOverrides(*a, {"", "", "", "10.0.0.2:7000"});
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->trader, "10.0.0.2:7000");
  EXPECT_EQ(b->forecast, "127.0.0.1:40002");
}

TEST(StackAddressesTest, PrefersTheStacksUnixSocketWhereThereIsOne) {
  const std::string dir = RunDir("addresses-sock");
  int port = 40001;
  for (const char* name : {"gateway", "forecast", "response", "trader"}) {
    std::ofstream(dir + "/" + name + ".port") << port++ << "\n";
  }
  std::filesystem::create_directories(dir + "/sock");
  // A regular file is not a socket: only a real one is used.
  std::ofstream(dir + "/sock/trader.sock") << "x";
  const std::string socket_path = dir + "/sock/gateway.sock";
  const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  ASSERT_LT(socket_path.size(), sizeof(address.sun_path));
  std::strncpy(address.sun_path, socket_path.c_str(), sizeof(address.sun_path) - 1);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  absl::StatusOr<StackAddresses> a = ReadStackAddresses(dir);
  close(fd);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->gateway, "unix:" + socket_path);
  EXPECT_EQ(a->forecast, "127.0.0.1:40002");
  EXPECT_EQ(a->trader, "127.0.0.1:40004");
  absl::StatusOr<StackAddresses> b = ApplyAddressOverrides(*a, {});
  EXPECT_TRUE(b.ok()) << b.status();
}

TEST(StackAddressesTest, MissingOrBadFilesAreNamed) {
  const std::string dir = RunDir("addresses-bad");
  absl::StatusOr<StackAddresses> a = ReadStackAddresses(dir);
  EXPECT_EQ(a.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(a.status().message()), HasSubstr("gateway.port"));
  for (const char* name : {"gateway", "forecast", "response"})
    std::ofstream(dir + "/" + name + ".port") << "1\n";
  std::ofstream(dir + "/trader.port") << "port\n";
  a = ReadStackAddresses(dir);
  EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(a.status().message()), HasSubstr("trader.port"));
}

TEST(StackAddressesTest, EveryAddressMustBeHostPort) {
  absl::StatusOr<StackAddresses> a =
      ApplyAddressOverrides({}, {"127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3", ""});
  EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(a.status().message()), HasSubstr("trader"));
  a = ApplyAddressOverrides({}, {"127.0.0.1:1", "127.0.0.1:2", "localhost", "127.0.0.1:4"});
  EXPECT_THAT(std::string(a.status().message()), HasSubstr("response address \"localhost\""));
}

TEST(StackAddressesTest, ResolvesFromTheRunDirThenTheOverrides) {
  const std::string dir = RunDir("addresses-resolve");
  int port = 40001;
  for (const char* name : {"gateway", "forecast", "response", "trader"}) {
    std::ofstream(dir + "/" + name + ".port") << port++ << "\n";
  }
  absl::StatusOr<StackAddresses> a = ResolveStackAddresses(dir, {"", "10.0.0.2:7000", "", ""});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->gateway, "127.0.0.1:40001");
  EXPECT_EQ(a->forecast, "10.0.0.2:7000");
  EXPECT_EQ(a->trader, "127.0.0.1:40004");
  // No run dir: the overrides alone, each required.
  a = ResolveStackAddresses("", {"127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3", "127.0.0.1:4"});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->response, "127.0.0.1:3");
  a = ResolveStackAddresses("", {"127.0.0.1:1", "", "127.0.0.1:3", "127.0.0.1:4"});
  EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(a.status().message()), HasSubstr("forecast"));
  // A run dir without its files is named, overrides or not.
  a = ResolveStackAddresses(RunDir("addresses-resolve-empty"),
                            {"127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3", "127.0.0.1:4"});
  EXPECT_EQ(a.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(a.status().message()), HasSubstr("gateway.port"));
}

// The MCP server's lookup: the agents may be missing (a stack started without one), the
// gateway and the forecast process may not, and sockets win over port files as for the console.
TEST(StackAddressesTest, AnAgentMayBeMissingWhereTheCallerAllowsIt) {
  const std::string dir = RunDir("addresses-optional");
  std::ofstream(dir + "/gateway.port") << "40001\n";
  std::ofstream(dir + "/forecast.port") << "40002\n";
  std::filesystem::create_directories(dir + "/sock");
  const std::string socket_path = dir + "/sock/response.sock";
  const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  ASSERT_LT(socket_path.size(), sizeof(address.sun_path));
  std::strncpy(address.sun_path, socket_path.c_str(), sizeof(address.sun_path) - 1);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  const StackAddresses no_overrides;
  absl::StatusOr<StackAddresses> a =
      ResolveStackAddresses(dir, no_overrides, AgentAddresses::kOptional);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->gateway, "127.0.0.1:40001");
  EXPECT_EQ(a->response, "unix:" + socket_path);
  EXPECT_EQ(a->trader, "");
  // The console's lookup needs every process.
  a = ResolveStackAddresses(dir, no_overrides);
  EXPECT_EQ(a.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(a.status().message()), HasSubstr("trader.port"));
  // An agent's override still wins and is still checked.
  a = ResolveStackAddresses(dir, {"", "", "", "10.0.0.2:7000"}, AgentAddresses::kOptional);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->trader, "10.0.0.2:7000");
  a = ResolveStackAddresses(dir, {"", "", "", "trader"}, AgentAddresses::kOptional);
  EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(a.status().message()), HasSubstr("trader address \"trader\""));
  // A port file that is there must hold a port, agent or not.
  std::ofstream(dir + "/trader.port") << "port\n";
  a = ResolveStackAddresses(dir, no_overrides, AgentAddresses::kOptional);
  EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(a.status().message()), HasSubstr("trader.port"));
  close(fd);
  // The gateway and the forecast process are never optional.
  std::filesystem::remove(dir + "/forecast.port");
  std::filesystem::remove(dir + "/trader.port");
  a = ResolveStackAddresses(dir, no_overrides, AgentAddresses::kOptional);
  EXPECT_EQ(a.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(a.status().message()), HasSubstr("forecast.port"));
  a = ResolveStackAddresses("", {"127.0.0.1:1", "", "", ""}, AgentAddresses::kOptional);
  EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(a.status().message()), HasSubstr("forecast"));
}

}  // namespace
}  // namespace gridpilot
