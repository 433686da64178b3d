// StartGrpcServer's listening sockets, read from /proc as `ss -ltnp` would: a server on
// port 0 listens on the one port it reports and no other, and that port cannot be bound
// again by another server. With SetUnixSocketPath it also serves on that socket, and a
// restarted server rebinds the same path. Without credentials it listens on loopback only.
#include "services/common/server_runner.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <grpcpp/generic/generic_stub.h>

#include <chrono>
#include <cstring>

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

// A health check over `address`; true if SERVING.
bool Serving(const std::string& address) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::ByteBuffer request;
  grpc::ByteBuffer response;
  std::shared_ptr<grpc::Channel> channel = MakeChannel(address);
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue queue;
  // The health service's Check with an empty request (every field default).
  grpc::Slice empty("", 0);
  request = grpc::ByteBuffer(&empty, 1);
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> call =
      stub.PrepareUnaryCall(&context, "/grpc.health.v1.Health/Check", request, &queue);
  call->StartCall();
  grpc::Status status;
  call->Finish(&response, &status, reinterpret_cast<void*>(1));
  void* tag = nullptr;
  bool ok = false;
  queue.Next(&tag, &ok);
  queue.Shutdown();
  while (queue.Next(&tag, &ok)) {
  }
  return status.ok();
}

TEST(ServerRunnerTest, AlsoServesOnTheUnixSocketAndRebindsItsPathOnRestart) {
  const std::string socket =
      ::testing::TempDir() + "/server_runner_" + std::to_string(getpid()) + ".sock";
  SetUnixSocketPath(socket);
  for (int start = 0; start < 2; ++start) {
    if (start == 1) {
      // What a SIGKILLed server leaves behind: a socket file nobody listens on.
      std::filesystem::remove(socket);
      const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
      ASSERT_GE(fd, 0);
      sockaddr_un address{};
      address.sun_family = AF_UNIX;
      std::strncpy(address.sun_path, socket.c_str(), sizeof(address.sun_path) - 1);
      ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
      close(fd);
      ASSERT_TRUE(std::filesystem::is_socket(socket));
      EXPECT_FALSE(Serving("unix:" + socket));
    }
    absl::StatusOr<RunningServer> server = StartGrpcServer("127.0.0.1", 0, {}, "");
    ASSERT_TRUE(server.ok()) << server.status();
    EXPECT_TRUE(std::filesystem::is_socket(socket));
    EXPECT_TRUE(Serving("unix:" + socket)) << "start " << start;
    EXPECT_TRUE(Serving("127.0.0.1:" + std::to_string(server->port)));
    server->server->Shutdown();
    server->server->Wait();
  }
  const std::string too_long = "/tmp/" + std::string(kMaxUnixSocketPathBytes, 'x');
  SetUnixSocketPath(too_long);
  EXPECT_EQ(StartGrpcServer("127.0.0.1", 0, {}, "").status().code(),
            absl::StatusCode::kInvalidArgument);
  SetUnixSocketPath("");
  std::filesystem::remove(socket);
}

TEST(ServerRunnerTest, WithoutCredentialsOnlyLoopback) {
  absl::StatusOr<RunningServer> server = StartGrpcServer("0.0.0.0", 0, {}, "");
  EXPECT_EQ(server.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(server.status().message().find("0.0.0.0"), absl::string_view::npos);
}

}  // namespace
}  // namespace gridpilot
