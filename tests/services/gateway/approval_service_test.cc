// The gateway's limits and pending approvals over real gRPC with mutual TLS and bearer
// tokens, in-process: an ai-agent within its limits is applied; beyond them it is held;
// an operator approves (applied under the agent's identity, both names in the store),
// rejects, or lets one lapse (FakeClock); a viewer cannot approve; a requester cannot
// approve its own; the actions-per-hour limit; the pending bound. The SQLite store is read
// back after each step.
#include <grpcpp/grpcpp.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "core/base/clock.h"
#include "core/base/time_util.h"
#include "gmock/gmock.h"
#include "gridpilot/v1/approval.grpc.pb.h"
#include "gridpilot/v1/asset.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/common/proto_time.h"
#include "services/common/server_runner.h"
#include "services/gateway/gateway_config.h"
#include "services/gateway/gateway_services.h"
#include "services/gateway/grid_feed.h"
#include "services/gateway/sqlite_store.h"
#include "services/security/credentials_init.h"
#include "services/security/transport_credentials.h"
#include "tests/integration/sqlite_query.h"

namespace gridpilot {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const absl::Time kSeriesStart = *base::ParseUtcTimestamp("2023-01-01T00:00:00Z");
const absl::Time kWallStart = *base::ParseUtcTimestamp("2026-01-01T09:00:00Z");

data::GridSeries GbSeries() {
  std::vector<data::GridInterval> intervals;
  for (size_t i = 0; i < 100; ++i) {
    intervals.push_back(
        data::GridInterval{kSeriesStart + i * base::kHalfHour, 30000.0, 0.0, 2000.0, 60.0});
  }
  return *data::GridSeries::Create(std::move(intervals));
}

class ApprovalServiceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string pattern = ::testing::TempDir() + "/approval_service_test_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = new std::filesystem::path(pattern);
    const std::string credentials = (*dir_ / "credentials").string();
    ASSERT_TRUE(security::InitCredentials(credentials).ok());
    // The test process serves as the gateway; its calls carry a person's token per call.
    ASSERT_TRUE(security::InstallProcessIdentity(credentials, "gateway").ok());
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }

  void SetUp() override {
    // Operators are limited too here, so that an operator's own proposal can be held.
    const std::string config_path = (*dir_ / "gateway.json").string();
    std::ofstream(config_path) << R"({"limits": {"approval_timeout_min": 15,
        "max_pending_per_identity": 3, "roles": {"operator": {"max_abs_power_mw": 20}}}})";
    absl::StatusOr<GatewayConfig> config = LoadGatewayConfig(config_path);
    ASSERT_TRUE(config.ok()) << config.status();
    GatewayRunOptions options;
    options.replay_from = kSeriesStart + base::kHalfHour;
    options.replay_to = options.replay_from + 10 * base::kHalfHour;
    db_path_ =
        (*dir_ /
         (std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + ".db"))
            .string();
    absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(db_path_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    ASSERT_TRUE(store_->BeginRun(options.replay_from, options.replay_to, "{}").ok());
    data::GridSeries series = GbSeries();
    absl::StatusOr<std::unique_ptr<data::TelemetrySource>> feed =
        MakeGridFeed(*config, series, options);
    ASSERT_TRUE(feed.ok()) << feed.status();
    absl::StatusOr<std::unique_ptr<GatewayRun>> run =
        GatewayRun::Create(*std::move(config), std::move(series), options, *std::move(feed),
                           &wall_clock_, store_.get());
    ASSERT_TRUE(run.ok()) << run.status();
    run_ = *std::move(run);
    assets_ = std::make_unique<AssetServiceImpl>(run_.get());
    approvals_ = std::make_unique<ApprovalServiceImpl>(run_.get());
    absl::StatusOr<RunningServer> server =
        StartGrpcServer("127.0.0.1", 0, {assets_.get(), approvals_.get()}, "");
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::make_unique<RunningServer>(*std::move(server));
    channel_ = MakeChannel(absl::StrCat("127.0.0.1:", server_->port));
    lease_start_ = options.replay_from;
  }

  void TearDown() override {
    if (server_ != nullptr) ShutdownServer(server_->server.get());
    run_.reset();
  }

  // A client context presenting `role`'s bearer token.
  static std::unique_ptr<grpc::ClientContext> As(const std::string& role) {
    std::ifstream in(*dir_ / "credentials" / (role + ".token"));
    std::string token;
    in >> token;
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata("authorization", "Bearer " + token);
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return context;
  }

  v1::SubmitDispatchRequest Request(const std::string& agent, double power_mw,
                                    v1::DispatchPriority priority = v1::DISPATCH_PRIORITY_TRADING,
                                    const std::string& key = "") const {
    v1::SubmitDispatchRequest request;
    request.set_agent(agent);
    v1::DispatchProposal* p = request.add_proposals();
    p->set_asset_id("battery-1");
    p->set_priority(priority);
    p->set_power_mw(power_mw);
    *p->mutable_start() = ToProtoTime(lease_start_);
    *p->mutable_end() = ToProtoTime(lease_start_ + absl::Hours(1));
    p->set_idempotency_key(key);
    p->set_reason("test");
    return request;
  }

  grpc::Status Submit(const std::string& role, const v1::SubmitDispatchRequest& request,
                      v1::SubmitDispatchResponse* response) {
    return v1::AssetService::NewStub(channel_)->SubmitDispatch(As(role).get(), request, response);
  }
  grpc::Status Approve(const std::string& role, int64_t id, v1::ApproveResponse* response,
                       const std::string& reason = "") {
    v1::ApproveRequest request;
    request.set_approval_id(id);
    request.set_reason(reason);
    return v1::ApprovalService::NewStub(channel_)->Approve(As(role).get(), request, response);
  }
  grpc::Status Reject(const std::string& role, int64_t id, const std::string& reason = "") {
    v1::RejectRequest request;
    request.set_approval_id(id);
    request.set_reason(reason);
    v1::RejectResponse response;
    return v1::ApprovalService::NewStub(channel_)->Reject(As(role).get(), request, &response);
  }
  std::vector<v1::PendingApproval> List(const std::string& role = "viewer") {
    v1::ListApprovalsResponse response;
    const grpc::Status status = v1::ApprovalService::NewStub(channel_)->ListApprovals(
        As(role).get(), v1::ListApprovalsRequest(), &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {response.approvals().begin(), response.approvals().end()};
  }
  // `sql`'s first column, after making the store's records visible.
  std::vector<std::string> Query(const std::string& sql) {
    EXPECT_TRUE(store_->Flush().ok());
    return testing::Column(db_path_, sql);
  }
  // A held ai-agent proposal of `power_mw`; its approval id.
  int64_t Hold(double power_mw) {
    v1::SubmitDispatchResponse response;
    const grpc::Status status = Submit("ai-agent", Request("ai-agent", power_mw), &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    if (!status.ok() || response.results_size() != 1) return 0;
    EXPECT_TRUE(response.results(0).pending());
    return response.results(0).approval_id();
  }

  static std::filesystem::path* dir_;
  base::FakeClock wall_clock_{kWallStart};
  std::string db_path_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<GatewayRun> run_;
  std::unique_ptr<AssetServiceImpl> assets_;
  std::unique_ptr<ApprovalServiceImpl> approvals_;
  std::unique_ptr<RunningServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  absl::Time lease_start_;
};

std::filesystem::path* ApprovalServiceTest::dir_ = nullptr;

TEST_F(ApprovalServiceTest, WithinLimitsAppliesBeyondIsHeldAndAnOperatorApproves) {
  v1::SubmitDispatchResponse within;
  ASSERT_TRUE(Submit("ai-agent", Request("ai-agent", 8.0), &within).ok());
  ASSERT_EQ(within.results_size(), 1);
  EXPECT_FALSE(within.results(0).pending());
  EXPECT_GT(within.results(0).proposal_id(), 0);

  v1::SubmitDispatchResponse beyond;
  ASSERT_TRUE(Submit("ai-agent", Request("ai-agent", -30.0), &beyond).ok());
  ASSERT_EQ(beyond.results_size(), 1);
  const v1::ProposalResult& held = beyond.results(0);
  EXPECT_TRUE(held.pending());
  EXPECT_EQ(held.proposal_id(), 0);
  EXPECT_GT(held.approval_id(), 0);
  EXPECT_THAT(held.pending_reason(), HasSubstr("|power_mw| 30 is above its limit 10 MW"));

  const std::vector<v1::PendingApproval> listed = List();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].approval_id(), held.approval_id());
  EXPECT_EQ(listed[0].identity(), "ai-agent");
  EXPECT_EQ(listed[0].role(), "ai-agent");
  EXPECT_EQ(listed[0].proposal().power_mw(), -30.0);
  EXPECT_EQ(FromProtoTime(listed[0].created_at()), kWallStart);
  EXPECT_EQ(FromProtoTime(listed[0].expires_at()), kWallStart + absl::Minutes(15));
  // Held proposals are not in the arbiter: only the first one is active.
  EXPECT_EQ(run_->RetainedCounts().proposals, 1u);

  v1::ApproveResponse approved;
  const grpc::Status viewer = Approve("viewer", held.approval_id(), &approved);
  EXPECT_EQ(viewer.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  const grpc::Status agent = Approve("ai-agent", held.approval_id(), &approved);
  EXPECT_EQ(agent.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_EQ(List().size(), 1u);

  wall_clock_.Advance(absl::Minutes(3));
  const grpc::Status ok = Approve("operator", held.approval_id(), &approved, "checked the SoC");
  ASSERT_TRUE(ok.ok()) << ok.error_message();
  EXPECT_GT(approved.proposal_id(), within.results(0).proposal_id());
  EXPECT_TRUE(List().empty());
  EXPECT_EQ(run_->RetainedCounts().proposals, 2u);
  // A second approval of the same id finds nothing.
  EXPECT_EQ(Approve("operator", held.approval_id(), &approved).error_code(),
            grpc::StatusCode::NOT_FOUND);

  EXPECT_THAT(Query("SELECT event || ' ' || requester || '/' || requester_role || ' ' || "
                    "decided_by || '/' || decided_by_role || ' ' || power_mw || ' ' || "
                    "proposal_id || ' ' || at FROM approvals ORDER BY rowid"),
              ElementsAre("pending ai-agent/ai-agent / -30.0 0 2026-01-01T09:00:00Z",
                          absl::StrCat("approved ai-agent/ai-agent operator/operator -30.0 ",
                                       approved.proposal_id(), " 2026-01-01T09:03:00Z")));
  EXPECT_THAT(Query(absl::StrCat("SELECT agent || ' ' || status || ' ' || detail FROM proposals "
                                 "WHERE proposal_id = ",
                                 approved.proposal_id())),
              ElementsAre(absl::StrCat("ai-agent accepted approval ", held.approval_id(),
                                       ": approved by operator (operator): checked the SoC")));
}

TEST_F(ApprovalServiceTest, RejectedAndLapsedApprovalsNeverApply) {
  const int64_t rejected = Hold(25.0);
  const int64_t lapses = Hold(40.0);
  ASSERT_GT(rejected, 0);
  ASSERT_GT(lapses, 0);
  ASSERT_TRUE(Reject("operator", rejected, "too large for this hour").ok());
  v1::ApproveResponse approved;
  EXPECT_EQ(Approve("operator", rejected, &approved).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Reject("viewer", lapses).error_code(), grpc::StatusCode::PERMISSION_DENIED);

  wall_clock_.Advance(absl::Minutes(15) - absl::Seconds(1));
  ASSERT_EQ(List().size(), 1u);
  wall_clock_.Advance(absl::Seconds(1));
  EXPECT_TRUE(List().empty());
  EXPECT_EQ(Approve("admin", lapses, &approved).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(run_->RetainedCounts().proposals, 0u);
  EXPECT_THAT(
      Query("SELECT approval_id || ' ' || event || ' ' || decided_by || ' ' || reason || ' ' "
            "|| at FROM approvals WHERE event != 'pending' ORDER BY rowid"),
      ElementsAre(absl::StrCat(rejected,
                               " rejected operator too large for this hour "
                               "2026-01-01T09:00:00Z"),
                  absl::StrCat(lapses,
                               " lapsed  not decided within the approval timeout (15m) "
                               "2026-01-01T09:15:00Z")));
  EXPECT_THAT(Query("SELECT COUNT(*) FROM proposals"), ElementsAre("0"));
}

TEST_F(ApprovalServiceTest, TheRequesterCannotApproveItsOwn) {
  v1::SubmitDispatchResponse response;
  ASSERT_TRUE(
      Submit("operator", Request("operator", 45.0, v1::DISPATCH_PRIORITY_RESILIENCE), &response)
          .ok());
  ASSERT_TRUE(response.results(0).pending());
  const int64_t id = response.results(0).approval_id();
  v1::ApproveResponse approved;
  const grpc::Status own = Approve("operator", id, &approved);
  EXPECT_EQ(own.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(own.error_message(), HasSubstr("another identity"));
  EXPECT_EQ(Reject("operator", id).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Approve("admin", id, &approved).ok());
  EXPECT_THAT(Query("SELECT requester || ' ' || decided_by FROM approvals WHERE event = "
                    "'approved'"),
              ElementsAre("operator admin"));
}

TEST_F(ApprovalServiceTest, AiAgentAtResilienceIsHeld) {
  v1::SubmitDispatchResponse response;
  ASSERT_TRUE(
      Submit("ai-agent", Request("ai-agent", 5.0, v1::DISPATCH_PRIORITY_RESILIENCE), &response)
          .ok());
  ASSERT_TRUE(response.results(0).pending());
  EXPECT_THAT(response.results(0).pending_reason(),
              HasSubstr("priority resilience is above its band (trading)"));
  // Asking as another agent is still refused outright.
  v1::SubmitDispatchResponse forged;
  EXPECT_EQ(Submit("ai-agent", Request("response", 5.0, v1::DISPATCH_PRIORITY_RESILIENCE), &forged)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ApprovalServiceTest, ActionsPerHourThenPendingBound) {
  // The default ai-agent limit: 6 actions an hour on the gateway's clock.
  for (int i = 0; i < 6; ++i) {
    v1::SubmitDispatchResponse response;
    ASSERT_TRUE(Submit("ai-agent", Request("ai-agent", 1.0 + i), &response).ok());
    EXPECT_FALSE(response.results(0).pending()) << i;
    wall_clock_.Advance(absl::Minutes(1));
  }
  v1::SubmitDispatchResponse seventh;
  ASSERT_TRUE(
      Submit("ai-agent", Request("ai-agent", 2.0, v1::DISPATCH_PRIORITY_TRADING, "k7"), &seventh)
          .ok());
  ASSERT_TRUE(seventh.results(0).pending());
  EXPECT_THAT(seventh.results(0).pending_reason(),
              HasSubstr("6 actions in the last hour reach its limit of 6 an hour"));
  // A retry with the same key is the same approval, not a second one.
  v1::SubmitDispatchResponse retry;
  ASSERT_TRUE(
      Submit("ai-agent", Request("ai-agent", 2.0, v1::DISPATCH_PRIORITY_TRADING, "k7"), &retry)
          .ok());
  EXPECT_EQ(retry.results(0).approval_id(), seventh.results(0).approval_id());
  EXPECT_EQ(List().size(), 1u);
  // Two more held reach the bound of 3; the next beyond limits is refused and audited.
  Hold(50.0);
  Hold(50.0);
  v1::SubmitDispatchResponse refused;
  const grpc::Status full = Submit("ai-agent", Request("ai-agent", 50.0), &refused);
  EXPECT_EQ(full.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(full.error_message(), HasSubstr("already holds 3 pending approvals"));
  EXPECT_THAT(Query("SELECT status FROM proposals WHERE detail LIKE '%pending approvals%'"),
              ElementsAre("rejected"));
  // An hour after the first action, one slot is free again.
  wall_clock_.Set(kWallStart + absl::Hours(1));
  v1::SubmitDispatchResponse later;
  ASSERT_TRUE(Submit("ai-agent", Request("ai-agent", 3.0), &later).ok());
  EXPECT_FALSE(later.results(0).pending()) << later.results(0).pending_reason();
}

}  // namespace
}  // namespace gridpilot
