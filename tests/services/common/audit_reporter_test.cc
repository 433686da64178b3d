// AuditReporter against a fake AuditService on loopback: events arrive in order with the
// process's name, refusals become REFUSAL events with their method, code and reason, and
// when the gateway cannot be reached every event is dropped and counted, never held.
#include "services/common/audit_reporter.h"

#include <grpcpp/grpcpp.h>

#include <vector>

#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/server_runner.h"

namespace gridpilot {
namespace {

using ::testing::HasSubstr;

class FakeAuditService final : public v1::AuditService::Service {
 public:
  grpc::Status RecordAuditEvent(grpc::ServerContext*, const v1::RecordAuditEventRequest* request,
                                v1::RecordAuditEventResponse* response) override {
    absl::MutexLock lock(&mu_);
    events_.push_back(*request);
    response->set_recorded(true);
    return grpc::Status::OK;
  }
  // Waits (a hang detector, not a speed bound) until `n` events arrived; returns them.
  std::vector<v1::RecordAuditEventRequest> WaitFor(size_t n) {
    const absl::Time give_up = absl::Now() + absl::Seconds(30);
    while (true) {
      {
        absl::MutexLock lock(&mu_);
        if (events_.size() >= n || absl::Now() > give_up) return events_;
      }
      absl::SleepFor(absl::Milliseconds(10));
    }
  }

 private:
  absl::Mutex mu_;
  std::vector<v1::RecordAuditEventRequest> events_ ABSL_GUARDED_BY(mu_);
};

TEST(AuditReporterTest, SendsActsAndRefusalsInOrder) {
  FakeAuditService gateway;
  absl::StatusOr<RunningServer> server = StartGrpcServer("127.0.0.1", 0, {&gateway}, "");
  ASSERT_TRUE(server.ok()) << server.status();
  {
    AuditReporter reporter("response", MakeChannel(absl::StrCat("127.0.0.1:", server->port)));
    reporter.Report(v1::AUDIT_EVENT_KIND_THRESHOLDS, "operator", "operator",
                    R"({"old":{"ramp_limit_mw":100},"new":{"ramp_limit_mw":90}})");
    reporter.Refused(security::RefusedCall{"/gridpilot.v1.ResponseService/SetThresholds", "viewer",
                                           "viewer", "PERMISSION_DENIED",
                                           "role \"viewer\" may not call it"});
    std::vector<v1::RecordAuditEventRequest> events = gateway.WaitFor(2);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].process(), "response");
    EXPECT_EQ(events[0].kind(), v1::AUDIT_EVENT_KIND_THRESHOLDS);
    EXPECT_EQ(events[0].identity(), "operator");
    EXPECT_THAT(events[0].detail_json(), HasSubstr("\"ramp_limit_mw\":90"));
    EXPECT_EQ(events[1].kind(), v1::AUDIT_EVENT_KIND_REFUSAL);
    EXPECT_EQ(events[1].role(), "viewer");
    EXPECT_THAT(events[1].detail_json(), HasSubstr("\"code\":\"PERMISSION_DENIED\""));
    EXPECT_THAT(events[1].detail_json(), HasSubstr("SetThresholds"));
    EXPECT_EQ(reporter.dropped_total(), 0);
  }
  ShutdownServer(server->server.get());
}

TEST(AuditReporterTest, WithTheGatewayDownEventsAreDroppedAndCountedNotHeld) {
  // A port that was bound and released: nothing listens there.
  int closed_port = 0;
  {
    FakeAuditService nobody;
    absl::StatusOr<RunningServer> gone = StartGrpcServer("127.0.0.1", 0, {&nobody}, "");
    ASSERT_TRUE(gone.ok());
    closed_port = gone->port;
    ShutdownServer(gone->server.get());
  }
  AuditReporter::Options options;
  options.queue_capacity = 4;
  options.send_deadline = absl::Seconds(1);
  AuditReporter reporter("trader", MakeChannel(absl::StrCat("127.0.0.1:", closed_port)), options);
  for (int i = 0; i < 10; ++i) {
    reporter.Report(v1::AUDIT_EVENT_KIND_REFUSAL, "", "", "{}");  // never blocks
  }
  // Each queued event gets one attempt; the rest never fit. All ten end up counted.
  const absl::Time give_up = absl::Now() + absl::Seconds(60);  // a hang detector
  while (reporter.dropped_total() < 10 && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(reporter.dropped_total(), 10);
}

}  // namespace
}  // namespace gridpilot
