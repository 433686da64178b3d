// StartGrpcServer's listening sockets, read from /proc as `ss -ltnp` would: a server on
// port 0 listens on the one port it reports and no other, and that port cannot be bound
// again by another server.
#include "services/common/server_runner.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace gridpilot {
namespace {

// The inodes of this process's open sockets.
std::set<std::string> SocketInodes() {
  std::set<std::string> inodes;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code error;
    const std::string target = std::filesystem::read_symlink(entry.path(), error).string();
    if (!error && target.rfind("socket:[", 0) == 0) {
      inodes.insert(target.substr(8, target.size() - 9));
    }
  }
  return inodes;
}

// The local ports of this process's TCP sockets in LISTEN state (IPv4 and IPv6 tables).
std::multiset<int> ListeningPorts() {
  const std::set<std::string> inodes = SocketInodes();
  std::multiset<int> ports;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
      fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
          timeout >> inode;
      if (state != "0A" || !inodes.contains(inode)) continue;  // 0A: LISTEN
      ports.insert(std::stoi(local.substr(local.find(':') + 1), nullptr, 16));
    }
  }
  return ports;
}

TEST(ServerRunnerTest, APortZeroServerListensOnTheOnePortItReports) {
  const std::multiset<int> before = ListeningPorts();
  absl::StatusOr<RunningServer> server = StartGrpcServer("127.0.0.1", 0, {}, "");
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_GT(server->port, 0);
  std::multiset<int> added = ListeningPorts();
  for (int port : before) added.erase(added.find(port));
  EXPECT_EQ(added, std::multiset<int>({server->port}));

  // Not shared: a second server cannot bind the same port.
  absl::StatusOr<RunningServer> second = StartGrpcServer("127.0.0.1", server->port, {}, "");
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  ShutdownServer(server->server.get());
}

}  // namespace
}  // namespace gridpilot
