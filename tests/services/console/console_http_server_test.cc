// ConsoleHttpServer on loopback with an in-memory ConsoleState and page: the page and
// assets are served, bad query parameters get 400 with a message, the snapshot is the
// state's JSON, and the event stream sends what is new after each change.
#include "services/console/console_http_server.h"

#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/proto_time.h"
#include "tests/services/console/console_test_assets.h"

namespace gridpilot {
namespace {

using ::testing::HasSubstr;

WebAssets Assets() {
  return MinimalWebAssets("/* page */", "/* css */", "/* uPlot */", "/* uPlot css */");
}

v1::Tick Tick(int i, double net_load_mw) {
  v1::Tick tick;
  *tick.mutable_time() = ToProtoTime(absl::FromUnixSeconds(1678233600 + 1800 * (i + 1)));
  *tick.mutable_measured_interval_start() =
      ToProtoTime(absl::FromUnixSeconds(1678233600 + 1800 * i));
  tick.set_net_load_mw(net_load_mw);
  tick.set_interval_boundary(true);
  return tick;
}

class ConsoleHttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ConsoleHttpOptions options;
    options.min_event_interval = absl::ZeroDuration();
    server_ = std::make_unique<ConsoleHttpServer>(&state_, Assets(), options);
    port_file_ = ::testing::TempDir() + "/console-http.port";
    std::filesystem::remove(port_file_);
    absl::StatusOr<int> port = server_->Start("127.0.0.1", 0, port_file_);
    ASSERT_TRUE(port.ok()) << port.status();
    port_ = *port;
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_read_timeout(10, 0);
  }
  void TearDown() override { server_->Stop(); }

  ConsoleState state_;
  std::unique_ptr<ConsoleHttpServer> server_;
  std::unique_ptr<httplib::Client> client_;
  std::string port_file_;
  int port_ = 0;
};

TEST_F(ConsoleHttpServerTest, ServesThePageAndWritesThePortFile) {
  std::ifstream in(port_file_);
  int written = 0;
  in >> written;
  EXPECT_EQ(written, port_);
  httplib::Result page = client_->Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_THAT(page->body, HasSubstr("<script src=\"/lib/uPlot.iife.min.js\">"));
  httplib::Result lib = client_->Get("/lib/uPlot.iife.min.js");
  ASSERT_TRUE(lib);
  EXPECT_EQ(lib->body, "/* uPlot */");
  EXPECT_EQ(client_->Get("/nothing-here")->status, 404);
}

TEST_F(ConsoleHttpServerTest, BadParametersGet400WithTheReason) {
  for (const char* path : {"/api/snapshot?from=noon", "/api/snapshot?after=-3",
                           "/api/snapshot?color=red", "/api/stream?to=x"}) {
    SCOPED_TRACE(path);
    httplib::Result r = client_->Get(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    const nlohmann::json body = nlohmann::json::parse(r->body);
    EXPECT_FALSE(body["error"].get<std::string>().empty());
  }
}

TEST_F(ConsoleHttpServerTest, SnapshotIsTheStatesJsonInRange) {
  for (int i = 0; i < 4; ++i) state_.AddTick(Tick(i, 200.0 + i));
  httplib::Result r = client_->Get("/api/snapshot?from=2023-03-08T01:00:00Z");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  const nlohmann::json s = nlohmann::json::parse(r->body);
  EXPECT_EQ(s["ticks"]["net_load_mw"], nlohmann::json({201.0, 202.0, 203.0}));
}

TEST_F(ConsoleHttpServerTest, StreamSendsOnlyWhatIsNew) {
  state_.AddTick(Tick(0, 200.0));
  std::vector<nlohmann::json> events;
  std::string buffer;
  std::thread feeder;
  httplib::Result r = client_->Get("/api/stream", [&](const char* data, size_t n) {
    buffer.append(data, n);
    size_t end;
    while ((end = buffer.find("\n\n")) != std::string::npos) {
      const std::string event = buffer.substr(0, end);
      buffer.erase(0, end + 2);
      const size_t at = event.find("data: ");
      if (at == std::string::npos) continue;
      events.push_back(nlohmann::json::parse(event.substr(at + 6)));
      if (events.size() == 1) {
        feeder = std::thread([this] { state_.AddTick(Tick(1, 250.0)); });
      }
    }
    return events.size() < 2;  // false ends the download
  });
  if (feeder.joinable()) feeder.join();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_TRUE(events[0]["reset"].get<bool>());
  EXPECT_EQ(events[0]["ticks"]["net_load_mw"], nlohmann::json({200.0}));
  EXPECT_FALSE(events[1]["reset"].get<bool>());
  EXPECT_EQ(events[1]["ticks"]["net_load_mw"], nlohmann::json({250.0}));
}

}  // namespace
}  // namespace gridpilot
