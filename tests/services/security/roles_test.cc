// The role table and the proposal rule: every RPC in the protos is listed (deny by
// default would otherwise lock out a new RPC silently), writes are limited to their roles,
// and a caller proposes only as itself and only in its band.
#include "services/security/roles.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "gridpilot/v1/advice.pb.h"
#include "gridpilot/v1/anomaly.pb.h"
#include "gridpilot/v1/approval.pb.h"
#include "gridpilot/v1/asset.pb.h"
#include "gridpilot/v1/audit.pb.h"
#include "gridpilot/v1/clock.pb.h"
#include "gridpilot/v1/forecast.pb.h"
#include "gridpilot/v1/ledger.pb.h"
#include "gridpilot/v1/response.pb.h"
#include "gridpilot/v1/telemetry.pb.h"
#include "gridpilot/v1/trader.pb.h"

namespace gridpilot::security {
namespace {

std::vector<std::string> ProtoMethods() {
  const google::protobuf::FileDescriptor* files[] = {
      v1::ListAnomaliesRequest::descriptor()->file(),
      v1::ListAssetsRequest::descriptor()->file(),
      v1::StartRequest::descriptor()->file(),
      v1::GetAccuracyRequest::descriptor()->file(),
      v1::GetPnlRequest::descriptor()->file(),
      v1::ListEventsRequest::descriptor()->file(),
      v1::SubscribeRequest::descriptor()->file(),
      v1::GetScheduleRequest::descriptor()->file(),
      v1::RecordAuditEventRequest::descriptor()->file(),
      v1::ListApprovalsRequest::descriptor()->file(),
      v1::AdviseRequest::descriptor()->file()};
  std::vector<std::string> methods;
  for (const google::protobuf::FileDescriptor* file : files) {
    for (int s = 0; s < file->service_count(); ++s) {
      const google::protobuf::ServiceDescriptor* service = file->service(s);
      for (int m = 0; m < service->method_count(); ++m) {
        methods.push_back("/" + service->full_name() + "/" + service->method(m)->name());
      }
    }
  }
  std::sort(methods.begin(), methods.end());
  return methods;
}

TEST(RolesTest, TableListsExactlyTheProtoMethods) {
  std::vector<std::string> listed = ListedMethods();
  std::sort(listed.begin(), listed.end());
  EXPECT_EQ(listed, ProtoMethods());
}

TEST(RolesTest, ReadsAreOpenToEveryRole) {
  for (const std::string& role : PersonRoles()) {
    EXPECT_TRUE(AuthorizeMethod("/gridpilot.v1.AssetService/ListAssets", role).ok()) << role;
    EXPECT_TRUE(AuthorizeMethod("/gridpilot.v1.AssetService/ListDecisions", role).ok()) << role;
    EXPECT_TRUE(AuthorizeMethod("/gridpilot.v1.AuditService/ListAuditEvents", role).ok()) << role;
    EXPECT_TRUE(AuthorizeMethod("/grpc.health.v1.Health/Check", role).ok()) << role;
  }
}

TEST(RolesTest, WritesNeedTheirRoles) {
  struct Case {
    const char* method;
    const char* role;
    bool allowed;
  };
  const Case cases[] = {
      {"/gridpilot.v1.AssetService/SubmitDispatch", "viewer", false},
      {"/gridpilot.v1.TelemetryService/Publish", "telemetry", true},
      {"/gridpilot.v1.TelemetryService/Publish", "operator", true},
      {"/gridpilot.v1.TelemetryService/Publish", "viewer", false},
      {"/gridpilot.v1.TelemetryService/Publish", "trader", false},
      {"/gridpilot.v1.TelemetryService/Publish", "ai-agent", false},
      {"/gridpilot.v1.AssetService/SubmitDispatch", "telemetry", false},
      {"/gridpilot.v1.AssetService/SubmitDispatch", "ai-agent", true},
      {"/gridpilot.v1.ApprovalService/ListApprovals", "viewer", true},
      {"/gridpilot.v1.ApprovalService/ListApprovals", "ai-agent", true},
      {"/gridpilot.v1.ApprovalService/Approve", "viewer", false},
      {"/gridpilot.v1.ApprovalService/Approve", "ai-agent", false},
      {"/gridpilot.v1.ApprovalService/Approve", "trader", false},
      {"/gridpilot.v1.ApprovalService/Approve", "operator", true},
      {"/gridpilot.v1.ApprovalService/Approve", "admin", true},
      {"/gridpilot.v1.ApprovalService/Reject", "response", false},
      {"/gridpilot.v1.ApprovalService/Reject", "operator", true},
      {"/gridpilot.v1.AssetService/SubmitDispatch", "operator", true},
      {"/gridpilot.v1.AssetService/SubmitDispatch", "trader", true},
      {"/gridpilot.v1.AssetService/CancelDispatch", "trader", false},
      {"/gridpilot.v1.ClockService/RegisterAgent", "viewer", false},
      {"/gridpilot.v1.ClockService/RegisterAgent", "response", true},
      {"/gridpilot.v1.ClockService/AgentSession", "viewer", true},
      {"/gridpilot.v1.ClockService/AgentSession", "operator", false},
      {"/gridpilot.v1.ClockService/AgentSession", "trader", true},
      {"/gridpilot.v1.ClockService/Start", "trader", false},
      {"/gridpilot.v1.ClockService/Start", "admin", true},
      {"/gridpilot.v1.ForecastService/ReloadModel", "operator", false},
      {"/gridpilot.v1.ForecastService/ReloadModel", "admin", true},
      {"/gridpilot.v1.ResponseService/SetThresholds", "trader", false},
      {"/gridpilot.v1.ResponseService/SetThresholds", "operator", true},
  };
  for (const Case& c : cases) {
    const absl::Status status = AuthorizeMethod(c.method, c.role);
    EXPECT_EQ(status.ok(), c.allowed) << c.method << " " << c.role;
    if (!c.allowed) {
      EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
      EXPECT_NE(status.message().find(c.method), std::string::npos) << status;
    }
  }
}

TEST(RolesTest, UnlistedMethodIsDenied) {
  const absl::Status status = AuthorizeMethod("/gridpilot.v1.AssetService/Detonate", "admin");
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
}

TEST(RolesTest, OnlyTheReportingProcessesMayRecordAuditEvents) {
  constexpr char kRecord[] = "/gridpilot.v1.AuditService/RecordAuditEvent";
  for (const char* process : {"forecast", "response", "trader", "mcp"}) {
    const Caller certified{process, *RoleOfProcess(process), /*is_process=*/true};
    EXPECT_TRUE(AuthorizeCaller(kRecord, certified).ok()) << process;
  }
  // A token of the same role as a process is not that process; no role reaches the method.
  const Caller trader_token{"trader", "trader", /*is_process=*/false};
  EXPECT_EQ(AuthorizeCaller(kRecord, trader_token).code(), absl::StatusCode::kPermissionDenied);
  const Caller console{"console", "viewer", /*is_process=*/true};
  EXPECT_EQ(AuthorizeCaller(kRecord, console).code(), absl::StatusCode::kPermissionDenied);
  for (const std::string& role : PersonRoles()) {
    EXPECT_EQ(AuthorizeMethod(kRecord, role).code(), absl::StatusCode::kPermissionDenied) << role;
    // Reading the audit log is a read: open to every role, viewer included.
    EXPECT_TRUE(
        AuthorizeCaller("/gridpilot.v1.AuditService/ListAuditEvents", Caller{role, role}).ok())
        << role;
  }
}

TEST(RolesTest, ProcessCertificatesMapToRoles) {
  EXPECT_EQ(RoleOfProcess("trader"), "trader");
  EXPECT_EQ(RoleOfProcess("response"), "response");
  EXPECT_EQ(RoleOfProcess("console"), "viewer");
  EXPECT_EQ(RoleOfProcess("mcp"), "ai-agent");
  EXPECT_EQ(RoleOfProcess("launcher"), "admin");
  EXPECT_EQ(RoleOfProcess("mallory"), std::nullopt);
}

TEST(RolesTest, ProposalBandAndAgentComeFromTheCaller) {
  const Caller trader{"trader", "trader"};
  const Caller response{"response", "response"};
  const Caller operator_token{"operator", "operator"};
  EXPECT_TRUE(AuthorizeProposal(trader, "trader", v1::DISPATCH_PRIORITY_TRADING).ok());
  EXPECT_EQ(AuthorizeProposal(trader, "trader", v1::DISPATCH_PRIORITY_RESILIENCE).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(AuthorizeProposal(trader, "response", v1::DISPATCH_PRIORITY_TRADING).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(AuthorizeProposal(response, "response", v1::DISPATCH_PRIORITY_RESILIENCE).ok());
  EXPECT_EQ(AuthorizeProposal(response, "response", v1::DISPATCH_PRIORITY_TRADING).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(AuthorizeProposal(operator_token, "operator", v1::DISPATCH_PRIORITY_RESILIENCE).ok());
  EXPECT_EQ(AuthorizeProposal(operator_token, "response", v1::DISPATCH_PRIORITY_RESILIENCE).code(),
            absl::StatusCode::kPermissionDenied);
  // An AI agent may ask in either band (the gateway's limits hold resilience for approval)
  // but only as itself.
  const Caller mcp{"mcp", "ai-agent"};
  EXPECT_TRUE(AuthorizeProposal(mcp, "mcp", v1::DISPATCH_PRIORITY_TRADING).ok());
  EXPECT_TRUE(AuthorizeProposal(mcp, "mcp", v1::DISPATCH_PRIORITY_RESILIENCE).ok());
  EXPECT_EQ(AuthorizeProposal(mcp, "response", v1::DISPATCH_PRIORITY_RESILIENCE).code(),
            absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace gridpilot::security
