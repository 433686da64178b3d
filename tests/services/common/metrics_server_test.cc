// MetricsServer: binds a free port, reports it through the port file, serves what is
// registered (and the process's own metrics) in Prometheus's text format over HTTP, and
// refuses a port that is taken or out of range.
#include "services/common/metrics_server.h"

#include <filesystem>
#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"
#include "services/common/metric_snapshot.h"
#include "tests/integration/http_get.h"

namespace gridpilot {
namespace {

TEST(MetricsServerTest, ServesRegisteredAndProcessMetricsOnTheReportedPort) {
  const std::string port_file = std::string(::testing::TempDir()) + "/metrics-server-test.port";
  std::filesystem::remove(port_file);
  absl::StatusOr<std::unique_ptr<MetricsServer>> server =
      MetricsServer::Start("127.0.0.1", 0, port_file);
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_GT((*server)->port(), 0);
  int written = 0;
  std::ifstream(port_file) >> written;
  EXPECT_EQ(written, (*server)->port());

  auto registry = std::make_shared<prometheus::Registry>();
  prometheus::BuildCounter()
      .Name("gridpilot_test_events_total")
      .Help("test")
      .Register(*registry)
      .Add({{"kind", "a"}})
      .Increment(3);
  (*server)->Register(registry);
  auto snapshot = std::make_shared<SnapshotCollector>([] {
    return std::vector<prometheus::MetricFamily>{
        SnapshotFamily::Gauge("gridpilot_test_level_mw", "test").Add({{"asset", "b"}}, 2.5).Take()};
  });
  (*server)->Register(snapshot);

  const std::string body = testing::HttpGet((*server)->port(), "/metrics");
  EXPECT_NE(body.find("200 OK"), std::string::npos) << body;
  EXPECT_NE(body.find("gridpilot_test_events_total{kind=\"a\"} 3"), std::string::npos) << body;
  EXPECT_NE(body.find("# TYPE gridpilot_test_level_mw gauge"), std::string::npos) << body;
  EXPECT_NE(body.find("gridpilot_test_level_mw{asset=\"b\"} 2.5"), std::string::npos) << body;
  EXPECT_NE(body.find("process_cpu_seconds_total"), std::string::npos) << body;
  EXPECT_NE(body.find("process_resident_memory_bytes"), std::string::npos) << body;
}

TEST(MetricsServerTest, RefusesATakenPort) {
  absl::StatusOr<std::unique_ptr<MetricsServer>> first = MetricsServer::Start("127.0.0.1", 0, "");
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<std::unique_ptr<MetricsServer>> second =
      MetricsServer::Start("127.0.0.1", (*first)->port(), "");
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
}

TEST(MetricsServerTest, RefusesAPortOutOfRange) {
  EXPECT_EQ(MetricsServer::Start("127.0.0.1", kMetricsPortOff, "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MetricsServer::Start("127.0.0.1", 70000, "").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace gridpilot
