// A gateway killed with SIGKILL mid-way through a lock-step replay and restarted with
// --resume finishes the same run: the store then holds every interval exactly once, and
// every row (telemetry, decisions, ledger, proposals) equals an uninterrupted run's. The
// real binary is started as a child process; a scripted agent answers every tick over
// gRPC, the same way each time. Also: a resume whose agent answers differently fails the
// run (named in GetClockStatus, exit 1, nothing written), and --resume with another
// replay window is refused naming what differs.
#include <signal.h>
#include <sqlite3.h>

#include <cmath>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/base/time_util.h"
#include "gmock/gmock.h"
#include "gridpilot/v1/asset.grpc.pb.h"
#include "gridpilot/v1/clock.grpc.pb.h"
#include "gridpilot/v1/ledger.grpc.pb.h"
#include "gridpilot/v1/telemetry.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/cli/child_process.h"
#include "services/common/proto_time.h"
#include "services/common/server_runner.h"
#include "tests/integration/grpc_call.h"
#include "tests/integration/test_env.h"

namespace gridpilot {
namespace {

using ::testing::HasSubstr;

// Hang detectors, not speed assertions.
constexpr absl::Duration kStartTimeout = absl::Seconds(60);
constexpr absl::Duration kRpcTimeout = absl::Seconds(60);
constexpr absl::Duration kExitTimeout = absl::Seconds(60);

// Five days: 240 ticks. The store commits every 256 records (about two per tick here),
// so a kill after tick kKillAfterTicks leaves a committed prefix and an open batch.
constexpr int kTicks = 240;
constexpr int kKillAfterTicks = 200;
const std::vector<std::string> kReplay = {"--from", "2023-03-01", "--to", "2023-03-05"};

std::vector<std::string> Concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Every row of `table` for run 1, without the run_id column, in the order written.
std::vector<std::string> Rows(const std::string& db_path, const std::string& table) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  const std::string sql = absl::StrCat("SELECT * FROM ", table, " WHERE run_id = 1 ORDER BY rowid");
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
  std::vector<std::string> rows;
  while (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW) {
    std::string row;
    for (int c = 1; c < sqlite3_column_count(stmt); ++c) {
      const int type = sqlite3_column_type(stmt, c);
      if (type == SQLITE_NULL) {
        absl::StrAppend(&row, "NULL|");
      } else if (type == SQLITE_FLOAT) {
        absl::StrAppend(&row, absl::StrFormat("%.17g|", sqlite3_column_double(stmt, c)));
      } else {
        absl::StrAppend(&row, reinterpret_cast<const char*>(sqlite3_column_text(stmt, c)), "|");
      }
    }
    rows.push_back(row);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return rows;
}

int64_t CountIntervals(const std::string& db_path) {
  return static_cast<int64_t>(Rows(db_path, "telemetry").size());
}

// One gateway process on `store` and the scripted agent that drives it.
class Gateway {
 public:
  // Starts the gateway with the replay, `store` and `extra_args`; its log goes to `log`.
  Gateway(const std::string& dir, const std::string& name, const std::string& store,
          const std::vector<std::string>& extra_args) {
    const std::string port_file = absl::StrCat(dir, "/", name, ".port");
    std::vector<std::string> args = kReplay;
    for (const std::string& a :
         {std::string("--store"), store, std::string("--port"), std::string("0"),
          std::string("--port_file"), port_file, std::string("--insecure"),
          std::string("--deadline_seconds"), std::string("120")}) {
      args.push_back(a);
    }
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    absl::StatusOr<ChildProcess> child = ChildProcess::Start(
        "gateway", testing::BinaryPath("gridpilot-gateway"), args, dir + "/" + name + ".log");
    EXPECT_TRUE(child.ok()) << child.status();
    if (!child.ok()) return;
    child_.emplace(*std::move(child));
    absl::StatusOr<int> port = child_->WaitForPort(port_file, kStartTimeout);
    EXPECT_TRUE(port.ok()) << port.status() << "\n" << testing::ReadFile(child_->log_path());
    if (!port.ok()) return;
    std::shared_ptr<grpc::Channel> channel = MakeChannel(testing::LoopbackAddress(*port));
    assets_ = v1::AssetService::NewStub(channel);
    clock_ = v1::ClockService::NewStub(channel);
    ledger_ = v1::LedgerService::NewStub(channel);
    telemetry_ = v1::TelemetryService::NewStub(channel);
  }

  bool ok() const { return telemetry_ != nullptr; }
  ChildProcess& child() { return *child_; }
  std::string Log() const { return testing::ReadFile(child_->log_path()); }

  v1::GetClockStatusResponse Status() {
    v1::GetClockStatusResponse response;
    const grpc::Status status = testing::UnaryCall(*clock_, &v1::ClockService::Stub::GetClockStatus,
                                                   {}, &response, kRpcTimeout);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  v1::GetPnlResponse Pnl() {
    v1::GetPnlResponse response;
    const grpc::Status status =
        testing::UnaryCall(*ledger_, &v1::LedgerService::Stub::GetPnl, {}, &response, kRpcTimeout);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  v1::ListAssetsResponse Assets() {
    v1::ListAssetsResponse response;
    const grpc::Status status = testing::UnaryCall(*assets_, &v1::AssetService::Stub::ListAssets,
                                                   {}, &response, kRpcTimeout);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  // Registers the scripted agent, starts the clock and answers ticks until the stream
  // ends or `stop_after` ticks are answered. Tick i's answer: battery-1 at a power that
  // cycles through discharge, charge and idle, under idempotency key "tick-i";
  // `twist_mw` is added at tick 0. Returns the number of ticks answered.
  int DriveScriptedAgent(int stop_after, double twist_mw = 0.0) {
    v1::RegisterAgentRequest register_request;
    register_request.set_agent("scripted");
    v1::RegisterAgentResponse registered;
    EXPECT_TRUE(testing::UnaryCall(*clock_, &v1::ClockService::Stub::RegisterAgent,
                                   register_request, &registered, kRpcTimeout)
                    .ok());
    v1::StartResponse started;
    EXPECT_TRUE(
        testing::UnaryCall(*clock_, &v1::ClockService::Stub::Start, {}, &started, kRpcTimeout)
            .ok());
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(10));
    v1::SubscribeRequest subscribe;
    subscribe.set_subscriber("scripted");
    std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader =
        telemetry_->Subscribe(&context, subscribe);
    v1::SubscribeResponse message;
    int answered = 0;
    while (answered < stop_after && reader->Read(&message)) {
      const v1::Tick& tick = message.tick();
      const int i = static_cast<int>(tick.sequence());
      const absl::Time t = FromProtoTime(tick.time());
      v1::SubmitDispatchRequest request;
      request.set_agent("scripted");
      *request.mutable_answers_tick() = tick.time();
      const double power_mw = (i % 3 == 0   ? 12.0
                               : i % 3 == 1 ? -9.0
                                            : 0.0) +
                              (i == 0 ? twist_mw : 0);
      if (power_mw != 0.0) {
        v1::DispatchProposal* p = request.add_proposals();
        p->set_asset_id("battery-1");
        p->set_priority(v1::DISPATCH_PRIORITY_TRADING);
        p->set_power_mw(power_mw);
        *p->mutable_start() = tick.time();
        *p->mutable_end() = ToProtoTime(t + base::kHalfHour);
        p->set_idempotency_key(absl::StrCat("tick-", i));
        p->set_reason("scripted");
      }
      request.set_note(absl::StrCat("tick ", i));
      v1::SubmitDispatchResponse response;
      const grpc::Status status = testing::UnaryCall(
          *assets_, &v1::AssetService::Stub::SubmitDispatch, request, &response, kRpcTimeout);
      if (!status.ok()) break;  // a failed run refuses answers; the caller checks Status()
      ++answered;
    }
    context.TryCancel();
    return answered;
  }

  // Waits for the run to finish (a hang detector, not a speed check).
  bool WaitFinished() {
    const absl::Time give_up = absl::Now() + kExitTimeout;
    while (absl::Now() < give_up) {
      if (Status().state() == v1::RUN_STATE_FINISHED) return true;
      absl::SleepFor(absl::Milliseconds(20));
    }
    return false;
  }

  // SIGTERM; returns the exit description ("exit 0").
  std::string Stop() {
    assets_.reset();
    clock_.reset();
    ledger_.reset();
    telemetry_.reset();
    EXPECT_TRUE(child_->Stop(absl::Seconds(30))) << "gateway ignored SIGTERM";
    return child_->exit_description();
  }

 private:
  std::optional<ChildProcess> child_;
  std::unique_ptr<v1::AssetService::Stub> assets_;
  std::unique_ptr<v1::ClockService::Stub> clock_;
  std::unique_ptr<v1::LedgerService::Stub> ledger_;
  std::unique_ptr<v1::TelemetryService::Stub> telemetry_;
};

TEST(GatewayResumeTest, AKilledRunResumedEqualsAnUninterruptedOne) {
  const std::string dir = testing::MakeTempDir("gateway_resume");
  const std::string whole_store = dir + "/whole.sqlite";
  const std::string store = dir + "/killed.sqlite";

  absl::Time began = absl::Now();
  {
    Gateway whole(dir, "whole", whole_store, {});
    ASSERT_TRUE(whole.ok());
    EXPECT_EQ(whole.DriveScriptedAgent(kTicks + 1), kTicks);
    ASSERT_TRUE(whole.WaitFinished());
    EXPECT_TRUE(whole.Status().failure().empty()) << whole.Status().failure();
    EXPECT_EQ(whole.Stop(), "exit 0");
  }
  const absl::Duration whole_wall = absl::Now() - began;
  ASSERT_EQ(CountIntervals(whole_store), kTicks);

  int64_t settled_when_killed = 0;
  {
    Gateway killed(dir, "killed", store, {});
    ASSERT_TRUE(killed.ok());
    EXPECT_EQ(killed.DriveScriptedAgent(kKillAfterTicks), kKillAfterTicks);
    settled_when_killed = killed.Status().ticks_done();
    ASSERT_EQ(kill(killed.child().pid(), SIGKILL), 0);
    const absl::Time give_up = absl::Now() + kExitTimeout;
    while (killed.child().Running() && absl::Now() < give_up) {
      absl::SleepFor(absl::Milliseconds(10));
    }
    EXPECT_EQ(killed.child().exit_description(), "signal 9");
  }
  const int64_t committed = CountIntervals(store);
  // The kill lost the open batch: fewer intervals held than were settled, a whole prefix.
  EXPECT_GT(committed, 0);
  EXPECT_LT(committed, settled_when_killed);

  {
    // An agent answering differently makes the re-execution diverge at tick 0: the run
    // fails naming the interval and field, writes nothing, and the process exits 1.
    Gateway diverging(dir, "diverging", store, {"--resume"});
    ASSERT_TRUE(diverging.ok());
    diverging.DriveScriptedAgent(kTicks + 1, /*twist_mw=*/1.0);
    ASSERT_TRUE(diverging.WaitFinished());
    const v1::GetClockStatusResponse status = diverging.Status();
    EXPECT_THAT(status.failure(), HasSubstr("INTERNAL: resume: interval 2023-03-01T00:00:00Z of "
                                            "run 1 differs from the stored one: decisions[0] "
                                            "(battery-1).requested_mw: stored 12, recomputed 13"));
    EXPECT_EQ(diverging.Stop(), "exit 1");
    EXPECT_THAT(diverging.Log(), HasSubstr(absl::StrCat("resuming run 1 from ")));
  }
  EXPECT_EQ(CountIntervals(store), committed);

  began = absl::Now();
  {
    Gateway resumed(dir, "resumed", store, {"--resume"});
    ASSERT_TRUE(resumed.ok());
    EXPECT_EQ(resumed.DriveScriptedAgent(kTicks + 1), kTicks);
    ASSERT_TRUE(resumed.WaitFinished());
    const v1::GetClockStatusResponse status = resumed.Status();
    EXPECT_TRUE(status.failure().empty()) << status.failure();
    EXPECT_EQ(status.ticks_done(), kTicks);
    EXPECT_EQ(resumed.Stop(), "exit 0");
    const std::string log = resumed.Log();
    EXPECT_THAT(log, HasSubstr(absl::StrCat(": ", committed, " intervals committed")));
    EXPECT_THAT(log, HasSubstr(absl::StrCat("resume: ", committed,
                                            " stored intervals re-executed and equal")));
  }
  const absl::Duration resumed_wall = absl::Now() - began;
  // Reported, never asserted: what the whole run and the resume took on the wall clock.
  std::cout << "uninterrupted run " << whole_wall << ", resume " << resumed_wall << " ("
            << committed << " of " << kTicks << " intervals re-executed)\n";

  // 0 settled intervals lost, 0 applied twice: every interval once, every row as in the
  // uninterrupted run.
  for (const char* table : {"telemetry", "decisions", "ledger", "proposals", "agent_notes"}) {
    SCOPED_TRACE(table);
    const std::vector<std::string> expected = Rows(whole_store, table);
    EXPECT_FALSE(expected.empty());
    EXPECT_EQ(Rows(store, table), expected);
  }
  EXPECT_EQ(CountIntervals(store), kTicks);
  if (!::testing::Test::HasFailure()) std::filesystem::remove_all(dir);
}

TEST(GatewayResumeTest, ResumeWithAnotherReplayWindowIsRefusedNamingIt) {
  const std::string dir = testing::MakeTempDir("gateway_resume_window");
  const std::string store = dir + "/s.sqlite";
  {
    Gateway first(dir, "first", store, {});
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(first.Stop(), "exit 0");
  }
  const std::string log_path = dir + "/refused.log";
  absl::StatusOr<ChildProcess> child =
      ChildProcess::Start("gateway", testing::BinaryPath("gridpilot-gateway"),
                          {"--from", "2023-03-01", "--to", "2023-03-06", "--store", store, "--port",
                           "0", "--resume", "--insecure"},
                          log_path);
  ASSERT_TRUE(child.ok()) << child.status();
  const absl::Time give_up = absl::Now() + kExitTimeout;
  while (child->Running() && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(20));
  EXPECT_EQ(child->exit_description(), "exit 2");
  EXPECT_THAT(testing::ReadFile(log_path),
              HasSubstr("no run in the store has this replay window and config; the latest, "
                        "run 1, differs in replay_to (stored 2023-03-06T00:00:00Z, this run "
                        "2023-03-07T00:00:00Z)"));
  if (!::testing::Test::HasFailure()) std::filesystem::remove_all(dir);
}

// The first value of the first row of `sql` on `db_path`, as a double.
double Number(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  double value = std::nan("");
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    value = sqlite3_column_double(stmt, 0);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

TEST(GatewayResumeTest, AKilledLiveGatewayContinuesFromItsLastStoredStep) {
  const std::string dir = testing::MakeTempDir("gateway_resume_live");
  const std::string store = dir + "/live.sqlite";
  const std::vector<std::string> live = {"--mode", "live", "--tick_seconds", "0.02"};
  {
    Gateway killed(dir, "killed", store, live);
    ASSERT_TRUE(killed.ok());
    EXPECT_EQ(killed.DriveScriptedAgent(60), 60);
    ASSERT_EQ(kill(killed.child().pid(), SIGKILL), 0);
    const absl::Time give_up = absl::Now() + kExitTimeout;
    while (killed.child().Running() && absl::Now() < give_up) {
      absl::SleepFor(absl::Milliseconds(10));
    }
    EXPECT_EQ(killed.child().exit_description(), "signal 9");
  }
  const int64_t stored = CountIntervals(store);
  ASSERT_GT(stored, 0);
  const double stored_net_gbp = Number(store, "SELECT SUM(amount_gbp) FROM ledger");
  const double stored_soc_mwh = Number(
      store,
      "SELECT soc_after_mwh FROM decisions WHERE asset_id = 'battery-1' ORDER BY interval_start "
      "DESC LIMIT 1");
  const absl::Time next_step =
      *base::ParseUtcTimestamp("2023-03-01T00:00:00Z") + stored * base::kHalfHour;

  Gateway resumed(dir, "resumed", store, Concat(live, {"--resume"}));
  ASSERT_TRUE(resumed.ok());
  EXPECT_THAT(resumed.Log(),
              HasSubstr(absl::StrCat("resuming run 1 from ", base::FormatUtcTimestamp(next_step),
                                     ": ", stored, " intervals committed")));
  // Before its first step the resumed run shows the carried state: P&L, battery, clock.
  EXPECT_NEAR(resumed.Pnl().net_gbp(), stored_net_gbp, 1e-6);
  const v1::ListAssetsResponse assets = resumed.Assets();
  int batteries_seen = 0;
  for (const v1::Asset& asset : assets.assets()) {
    if (asset.id() != "battery-1") continue;
    ++batteries_seen;
    EXPECT_DOUBLE_EQ(asset.battery().soc_mwh(), stored_soc_mwh);
  }
  EXPECT_EQ(batteries_seen, 1);
  EXPECT_EQ(FromProtoTime(resumed.Status().region().replay_start()), next_step);
  EXPECT_EQ(resumed.DriveScriptedAgent(20), 20);
  EXPECT_EQ(resumed.Stop(), "exit 0");

  // One run, every step once and none missing, P&L continued through the restart.
  EXPECT_EQ(Number(store, "SELECT COUNT(*) FROM runs"), 1);
  const int64_t total = CountIntervals(store);
  EXPECT_GT(total, stored);
  EXPECT_EQ(Number(store, "SELECT COUNT(DISTINCT interval_start) FROM telemetry"), total);
  const double span_steps =
      Number(store,
             "SELECT (julianday(MAX(interval_start)) - julianday(MIN(interval_start))) * 48 "
             "FROM telemetry");
  EXPECT_NEAR(span_steps, total - 1, 1e-6);
  if (!::testing::Test::HasFailure()) std::filesystem::remove_all(dir);
}

// With steps shorter than the settlement interval, a live run resumes at the first
// half-hour boundary after its last stored step: the steps in between are a stated gap,
// and no step is stored twice.
TEST(GatewayResumeTest, ALiveRunWithShortStepsResumesAtTheNextHalfHour) {
  const std::string dir = testing::MakeTempDir("gateway_resume_live_short");
  const std::string store = dir + "/live.sqlite";
  const std::vector<std::string> live = {"--mode", "live",           "--tick_seconds",
                                         "0.02",   "--step_seconds", "300"};
  {
    Gateway killed(dir, "killed", store, live);
    ASSERT_TRUE(killed.ok());
    EXPECT_EQ(killed.DriveScriptedAgent(40), 40);
    ASSERT_EQ(kill(killed.child().pid(), SIGKILL), 0);
    const absl::Time give_up = absl::Now() + kExitTimeout;
    while (killed.child().Running() && absl::Now() < give_up) {
      absl::SleepFor(absl::Milliseconds(10));
    }
  }
  const int64_t stored = CountIntervals(store);
  ASSERT_GT(stored, 0);
  const absl::Duration step = absl::Minutes(5);
  const absl::Time replay_start = *base::ParseUtcTimestamp("2023-03-01T00:00:00Z");
  const absl::Time after_last = replay_start + stored * step;
  const absl::Time boundary =
      absl::UnixEpoch() + absl::Ceil(after_last - absl::UnixEpoch(), base::kHalfHour);

  Gateway resumed(dir, "resumed", store, Concat(live, {"--resume"}));
  ASSERT_TRUE(resumed.ok());
  EXPECT_EQ(FromProtoTime(resumed.Status().region().replay_start()), boundary);
  if (boundary > after_last) {
    EXPECT_THAT(resumed.Log(), HasSubstr(absl::StrCat("(", (boundary - after_last) / step,
                                                      " steps): live resumes at a")));
  }
  EXPECT_EQ(resumed.DriveScriptedAgent(12), 12);
  EXPECT_EQ(resumed.Stop(), "exit 0");

  const int64_t total = CountIntervals(store);
  EXPECT_GT(total, stored);
  EXPECT_EQ(Number(store, "SELECT COUNT(DISTINCT interval_start) FROM telemetry"), total);
  EXPECT_EQ(Number(store, absl::StrCat("SELECT COUNT(*) FROM telemetry WHERE interval_start > '",
                                       base::FormatUtcTimestamp(after_last - step),
                                       "' AND interval_start < '",
                                       base::FormatUtcTimestamp(boundary), "'")),
            0);
  if (!::testing::Test::HasFailure()) std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace gridpilot
