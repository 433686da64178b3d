// Pending approvals survive a live gateway's restart (docs/decisions.md, "Approvals on the
// console and across gateway restarts"): a run holds two ai-agent proposals in a SQLite
// store; a second GatewayRun on the reopened, resumed store (Store::LoadApprovals) holds
// the one not yet expired with its id and expiry, records the one that expired while it was
// down as lapsed at its expiry, lets an operator approve the survivor, and numbers new
// approvals after the old ones. A resumed lock-step run, re-executed from its start, holds
// none and records each as lapsed ("Approvals across a lock-step resume"), and refuses a run
// in which an approval was approved. Also the row parsers' refusals.
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "core/base/clock.h"
#include "core/base/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/proto_time.h"
#include "services/gateway/gateway_config.h"
#include "services/gateway/gateway_run.h"
#include "services/gateway/grid_feed.h"
#include "services/gateway/sqlite_store.h"
#include "services/gateway/stored_approvals.h"
#include "tests/integration/sqlite_query.h"

namespace gridpilot {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const absl::Time kSeriesStart = *base::ParseUtcTimestamp("2023-01-01T00:00:00Z");
const absl::Time kWallStart = *base::ParseUtcTimestamp("2026-01-01T09:00:00Z");
const Requester kAiAgent{"ai-agent", "ai-agent"};
const Requester kOperator{"operator", "operator"};

data::GridSeries GbSeries() {
  std::vector<data::GridInterval> intervals;
  for (size_t i = 0; i < 100; ++i) {
    intervals.push_back(
        data::GridInterval{kSeriesStart + i * base::kHalfHour, 30000.0, 0.0, 2000.0, 60.0});
  }
  return *data::GridSeries::Create(std::move(intervals));
}

class ApprovalsRestartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "/approvals_restart_test_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    config_path_ = dir_ + "/gateway.json";
    std::ofstream(config_path_) << R"({"limits": {"approval_timeout_min": 15,
        "roles": {"ai-agent": {"max_abs_power_mw": 5}}}})";
    db_path_ = dir_ + "/store.db";
    options_.replay_from = kSeriesStart + base::kHalfHour;
    options_.replay_to = options_.replay_from + 10 * base::kHalfHour;
    options_.mode = v1::CLOCK_MODE_LIVE;  // the supervisor's restart of `gridpilot up`
  }
  void TearDown() override {
    run_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // A new gateway life: the store opened, begun (first) or resumed, and a run on it.
  void Start(bool resume) {
    run_.reset();
    store_.reset();
    absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(db_path_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    GatewayRunOptions options = options_;
    if (resume) {
      absl::StatusOr<ResumePoint> point =
          store_->ResumeRun(options.replay_from, options.replay_to, "{}");
      ASSERT_TRUE(point.ok()) << point.status();
      if (options.mode == v1::CLOCK_MODE_LOCK_STEP) {  // as the gateway's main does
        options.verified_through =
            std::min(point->last_interval_start, options.replay_to - base::kHalfHour);
      }
      absl::StatusOr<StoredApprovals> approvals = store_->LoadApprovals();
      ASSERT_TRUE(approvals.ok()) << approvals.status();
      options.restored_approvals = *std::move(approvals);
    } else {
      ASSERT_TRUE(store_->BeginRun(options.replay_from, options.replay_to, "{}").ok());
    }
    absl::StatusOr<GatewayConfig> config = LoadGatewayConfig(config_path_);
    ASSERT_TRUE(config.ok()) << config.status();
    data::GridSeries series = GbSeries();
    absl::StatusOr<std::unique_ptr<data::TelemetrySource>> feed =
        MakeGridFeed(*config, series, options);
    ASSERT_TRUE(feed.ok()) << feed.status();
    absl::StatusOr<std::unique_ptr<GatewayRun>> run =
        GatewayRun::Create(*std::move(config), std::move(series), options, *std::move(feed),
                           &wall_clock_, store_.get());
    created_ = run.status();
    if (expect_created_) {
      ASSERT_TRUE(run.ok()) << run.status();
    }
    if (run.ok()) run_ = *std::move(run);
  }

  // A held ai-agent proposal of `power_mw`; its approval id.
  int64_t Hold(double power_mw) {
    v1::SubmitDispatchRequest request;
    request.set_agent("ai-agent");
    v1::DispatchProposal* p = request.add_proposals();
    p->set_asset_id("battery-1");
    p->set_priority(v1::DISPATCH_PRIORITY_TRADING);
    p->set_power_mw(power_mw);
    *p->mutable_start() = ToProtoTime(options_.replay_from);
    *p->mutable_end() = ToProtoTime(options_.replay_to);
    p->set_reason("held");
    absl::StatusOr<std::vector<v1::ProposalResult>> results = run_->Submit(request, kAiAgent);
    EXPECT_TRUE(results.ok()) << results.status();
    if (!results.ok() || results->size() != 1) return 0;
    EXPECT_TRUE((*results)[0].pending());
    return (*results)[0].approval_id();
  }

  std::vector<std::string> Query(const std::string& sql) {
    EXPECT_TRUE(store_->Flush().ok());
    return testing::Column(db_path_, sql);
  }

  base::FakeClock wall_clock_{kWallStart};
  std::string dir_, config_path_, db_path_;
  GatewayRunOptions options_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<GatewayRun> run_;
  bool expect_created_ = true;
  absl::Status created_;
};

TEST_F(ApprovalsRestartTest, PendingApprovalsSurviveARestart) {
  Start(/*resume=*/false);
  const int64_t expires_while_down = Hold(8.0);  // expires 09:15
  wall_clock_.Advance(absl::Minutes(10));
  const int64_t survives = Hold(-9.0);  // expires 09:25
  ASSERT_EQ(expires_while_down, 1);
  ASSERT_EQ(survives, 2);
  ASSERT_TRUE(store_->Flush().ok());

  // Down from 09:10 to 09:20.
  wall_clock_.Advance(absl::Minutes(10));
  Start(/*resume=*/true);
  absl::StatusOr<std::vector<region::PendingApproval>> held = run_->PendingApprovals();
  ASSERT_TRUE(held.ok()) << held.status();
  ASSERT_EQ(held->size(), 1u);
  EXPECT_EQ((*held)[0].id, survives);
  EXPECT_EQ((*held)[0].identity, "ai-agent");
  EXPECT_EQ((*held)[0].proposal.power_mw, -9.0);
  EXPECT_EQ((*held)[0].expires_at, kWallStart + absl::Minutes(25));
  EXPECT_THAT((*held)[0].reason, HasSubstr("above its limit 5 MW"));

  // The ai-agent still cannot approve its own; an operator can.
  EXPECT_EQ(run_->Approve(survives, kAiAgent, "").status().code(),
            absl::StatusCode::kPermissionDenied);
  absl::StatusOr<v1::ProposalResult> approved =
      run_->Approve(survives, kOperator, "after the restart");
  ASSERT_TRUE(approved.ok()) << approved.status();
  EXPECT_GT(approved->proposal_id(), 0);
  EXPECT_EQ(run_->Approve(expires_while_down, kOperator, "").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Hold(7.0), 3);  // ids go on after the old ones

  EXPECT_THAT(Query("SELECT approval_id || ' ' || event || ' ' || at || ' ' || expires_at "
                    "FROM approvals ORDER BY rowid"),
              ElementsAre("1 pending 2026-01-01T09:00:00Z 2026-01-01T09:15:00Z",
                          "2 pending 2026-01-01T09:10:00Z 2026-01-01T09:25:00Z",
                          "1 lapsed 2026-01-01T09:15:00Z 2026-01-01T09:15:00Z",
                          "2 approved 2026-01-01T09:20:00Z 2026-01-01T09:25:00Z",
                          "3 pending 2026-01-01T09:20:00Z 2026-01-01T09:35:00Z"));
  EXPECT_THAT(Query(absl::StrCat("SELECT agent || ' ' || power_mw FROM proposals "
                                 "WHERE proposal_id = ",
                                 approved->proposal_id())),
              ElementsAre("ai-agent -9.0"));

  // A third life takes over only the newest.
  Start(/*resume=*/true);
  held = run_->PendingApprovals();
  ASSERT_TRUE(held.ok()) << held.status();
  ASSERT_EQ(held->size(), 1u);
  EXPECT_EQ((*held)[0].id, 3);
}

TEST_F(ApprovalsRestartTest, ALockStepResumeLapsesEveryPendingApprovalAndRecordsWhy) {
  options_.mode = v1::CLOCK_MODE_LOCK_STEP;
  Start(/*resume=*/false);
  const int64_t expires_while_down = Hold(8.0);  // expires 09:15
  wall_clock_.Advance(absl::Minutes(10));
  const int64_t unexpired = Hold(-9.0);  // expires 09:25
  ASSERT_EQ(expires_while_down, 1);
  ASSERT_EQ(unexpired, 2);
  ASSERT_TRUE(store_->Flush().ok());

  // Resumed at 09:20: the run starts again from replay_from, before either was made.
  wall_clock_.Advance(absl::Minutes(10));
  Start(/*resume=*/true);
  absl::StatusOr<std::vector<region::PendingApproval>> held = run_->PendingApprovals();
  ASSERT_TRUE(held.ok()) << held.status();
  EXPECT_TRUE(held->empty());
  EXPECT_EQ(run_->Approve(unexpired, kOperator, "").status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Query("SELECT approval_id || ' ' || event || ' ' || at FROM approvals "
                    "ORDER BY rowid"),
              ElementsAre("1 pending 2026-01-01T09:00:00Z", "2 pending 2026-01-01T09:10:00Z",
                          "1 lapsed 2026-01-01T09:15:00Z", "2 lapsed 2026-01-01T09:20:00Z"));
  EXPECT_THAT(Query("SELECT reason FROM approvals WHERE approval_id = 2 AND event = 'lapsed'"),
              ElementsAre(HasSubstr("lock-step run was resumed: it is re-executed from "
                                    "2023-01-01T00:30:00Z")));
  EXPECT_EQ(Hold(7.0), 3);  // ids still go on after the old ones

  // A further resume finds nothing pending but the new one, and lapses it too.
  wall_clock_.Advance(absl::Minutes(1));
  Start(/*resume=*/true);
  EXPECT_THAT(Query("SELECT approval_id || ' ' || event || ' ' || at FROM approvals "
                    "WHERE approval_id = 3 ORDER BY rowid"),
              ElementsAre("3 pending 2026-01-01T09:20:00Z", "3 lapsed 2026-01-01T09:21:00Z"));
}

// An approved proposal changed the run's intervals, and a lock-step re-execution cannot
// replay the operator's call: the resume is refused up front, naming the approval, rather
// than failing its verification at the first interval the approval changed (what it did
// before: "decisions[0] (battery-1).agent: stored ai-agent, recomputed \"\"").
TEST_F(ApprovalsRestartTest, ALockStepResumeRefusesARunWithAnApprovedApproval) {
  options_.mode = v1::CLOCK_MODE_LOCK_STEP;
  Start(/*resume=*/false);
  const int64_t approved = Hold(-9.0);
  wall_clock_.Advance(absl::Minutes(2));
  ASSERT_TRUE(run_->Approve(approved, kOperator, "charge now").ok());
  const int64_t still_pending = Hold(8.0);
  ASSERT_EQ(still_pending, 2);
  // The run settles every interval with the approved charge (no agent is waited for).
  ASSERT_TRUE(run_->Start().ok());
  ASSERT_TRUE(run_->WaitFinished(absl::Seconds(60)));
  ASSERT_TRUE(run_->Failure().ok()) << run_->Failure();
  const std::vector<std::string> events =
      Query("SELECT approval_id || ' ' || event FROM approvals ORDER BY rowid");
  ASSERT_THAT(events, ElementsAre("1 pending", "1 approved", "2 pending"));
  EXPECT_THAT(Query("SELECT COUNT(*) FROM decisions WHERE agent = 'ai-agent'"), ElementsAre("10"));

  wall_clock_.Advance(absl::Minutes(5));
  expect_created_ = false;
  Start(/*resume=*/true);
  EXPECT_EQ(run_, nullptr);
  EXPECT_EQ(created_.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(created_.message(),
              HasSubstr("resume: approval 1 of this run was approved by operator at "
                        "2026-01-01T09:02:00Z and applied to the run (1 approved in all)"));
  EXPECT_THAT(created_.message(), HasSubstr("re-executes the run from 2023-01-01T00:30:00Z"));
  EXPECT_THAT(created_.message(), HasSubstr("start a new run (without --resume)"));
  // Refused before anything is written: the pending one is not lapsed.
  EXPECT_EQ(Query("SELECT approval_id || ' ' || event FROM approvals ORDER BY rowid"), events);

  // A live restart of the same store continues with the approved one applied: not refused.
  options_.mode = v1::CLOCK_MODE_LIVE;
  expect_created_ = true;
  Start(/*resume=*/true);
  ASSERT_NE(run_, nullptr);
}

TEST(PendingApprovalFromRowTest, NamesTheBadColumn) {
  std::vector<std::optional<std::string>> row = {"4",
                                                 "2026-01-01T09:00:00Z",
                                                 "ai-agent",
                                                 "ai-agent",
                                                 "battery-1",
                                                 "1",
                                                 "8.0",
                                                 "2023-01-01T00:30:00Z",
                                                 "2023-01-01T05:30:00Z",
                                                 "",
                                                 "held",
                                                 "above",
                                                 "2026-01-01T09:15:00Z"};
  absl::StatusOr<region::PendingApproval> ok = PendingApprovalFromRow(7, row);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->id, 4);
  EXPECT_EQ(ok->proposal.priority, region::DispatchPriority::kTrading);
  EXPECT_EQ(ok->proposal.agent, "ai-agent");
  auto broken = [&](size_t column, std::optional<std::string> value) {
    std::vector<std::optional<std::string>> bad = row;
    bad[column] = value;
    return PendingApprovalFromRow(7, bad).status();
  };
  EXPECT_THAT(broken(6, std::nullopt).message(), HasSubstr("approval 4: power_mw \"NULL\""));
  EXPECT_THAT(broken(5, "3").message(), HasSubstr("priority \"3\""));
  EXPECT_THAT(broken(12, "2026-01-01T08:00:00Z").message(), HasSubstr("not after its creation"));
  EXPECT_THAT(broken(0, "0").message(), HasSubstr("run 7: approval_id \"0\""));
  EXPECT_THAT(broken(7, "soon").message(), HasSubstr("lease_start \"soon\""));
  row.pop_back();
  EXPECT_EQ(PendingApprovalFromRow(7, row).status().code(), absl::StatusCode::kInternal);
}

TEST(ReadFirstApprovedRowTest, ReadsTheRowAndNamesTheBadColumn) {
  const std::vector<std::optional<std::string>> row = {"3", "operator", "2026-01-01T09:02:00Z",
                                                       "2"};
  StoredApprovals stored;
  ASSERT_TRUE(ReadFirstApprovedRow(7, row, &stored).ok());
  ASSERT_TRUE(stored.first_approved.has_value());
  EXPECT_EQ(stored.first_approved->id, 3);
  EXPECT_EQ(stored.first_approved->decided_by, "operator");
  EXPECT_EQ(stored.first_approved->decided_at, kWallStart + absl::Minutes(2));
  EXPECT_EQ(stored.approved_count, 2);
  auto broken = [&](size_t column, std::optional<std::string> value) {
    std::vector<std::optional<std::string>> bad = row;
    bad[column] = value;
    StoredApprovals ignored;
    return ReadFirstApprovedRow(7, bad, &ignored);
  };
  EXPECT_THAT(broken(0, "x").message(), HasSubstr("run 7: approval_id \"x\""));
  EXPECT_THAT(broken(2, std::nullopt).message(), HasSubstr("at \"NULL\""));
  EXPECT_THAT(broken(3, "0").message(), HasSubstr("count \"0\""));
  EXPECT_EQ(ReadFirstApprovedRow(7, {"3"}, &stored).code(), absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace gridpilot
