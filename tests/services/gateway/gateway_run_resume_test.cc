// A resumed lock-step run (GatewayRunOptions::verified_through with SqliteStore::ResumeRun):
// a run "killed" mid-way (its database files copied while a batch is open, as a crash
// leaves them) and resumed with the same agent's answers ends with exactly the rows of
// an uninterrupted run, each interval once; an agent that answers differently on resume
// fails the run naming the interval and the field.
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/base/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/proto_time.h"
#include "services/gateway/gateway_run.h"
#include "services/gateway/grid_feed.h"
#include "services/gateway/sqlite_store.h"

namespace gridpilot {
namespace {

using ::testing::HasSubstr;

const absl::Time kSeriesStart = *base::ParseUtcTimestamp("2023-01-01T00:00:00Z");
constexpr int kTicks = 24;
constexpr int kKilledAfterTicks = 15;  // tick 15 is answered, interval 15 never settles
constexpr absl::Duration kWait = absl::Seconds(60);  // generous: only a hang reaches it

data::GridSeries GbSeries() {
  std::vector<data::GridInterval> intervals;
  for (int i = 0; i < kTicks + 2; ++i) {
    intervals.push_back(data::GridInterval{kSeriesStart + i * base::kHalfHour,
                                           30000.0 + 400.0 * (i % 5), 100.0 * (i % 7), 2000.0,
                                           50.0 + (i % 11)});
  }
  return *data::GridSeries::Create(std::move(intervals));
}

GatewayRunOptions Options() {
  GatewayRunOptions options;
  options.replay_from = kSeriesStart + base::kHalfHour;
  options.replay_to = options.replay_from + kTicks * base::kHalfHour;
  options.answer_deadline = kWait;
  return options;
}

std::unique_ptr<GatewayRun> MakeRun(const GatewayRunOptions& options, Store* store) {
  static base::SystemClock* const wall_clock = new base::SystemClock;
  GatewayConfig config;
  data::GridSeries series = GbSeries();
  absl::StatusOr<std::unique_ptr<data::TelemetrySource>> feed =
      MakeGridFeed(config, series, options);
  EXPECT_TRUE(feed.ok()) << feed.status();
  if (!feed.ok()) return nullptr;
  absl::StatusOr<std::unique_ptr<GatewayRun>> run = GatewayRun::Create(
      std::move(config), std::move(series), options, *std::move(feed), wall_clock, store);
  EXPECT_TRUE(run.ok()) << run.status();
  return run.ok() ? *std::move(run) : nullptr;
}

// The scripted agent's answer to tick `i`: charge, discharge or idle in turn, a plan and
// a note, so that every kind of audit row is written. `twist_mw` is added to tick 1's
// power (an agent that answers differently).
v1::SubmitDispatchRequest Answer(int i, absl::Time t, double twist_mw = 0.0) {
  v1::SubmitDispatchRequest request;
  request.set_agent("scripted");
  *request.mutable_answers_tick() = ToProtoTime(t);
  const double power_mw = (i % 3 == 0 ? 8.0 : i % 3 == 1 ? -6.0 : 0.0) + (i == 1 ? twist_mw : 0.0);
  if (power_mw != 0.0) {
    v1::DispatchProposal* p = request.add_proposals();
    p->set_asset_id("battery-1");
    p->set_priority(v1::DISPATCH_PRIORITY_TRADING);
    p->set_power_mw(power_mw);
    *p->mutable_start() = ToProtoTime(t);
    *p->mutable_end() = ToProtoTime(t + base::kHalfHour);
    p->set_idempotency_key(absl::StrCat("tick-", i));
    p->set_reason("scripted");
  }
  v1::AgentPlan* plan = request.mutable_plan();
  *plan->mutable_first_interval_start() = ToProtoTime(t);
  plan->add_power_mw(power_mw);
  plan->set_reason("scripted plan");
  request.set_note(absl::StrCat("note ", i));
  return request;
}

// Answers ticks [0, until) as the scripted agent; the run must be started.
void Drive(GatewayRun* run, int until, double twist_mw = 0.0) {
  for (int i = 0; i < until; ++i) {
    v1::Tick tick;
    if (run->WaitForTick(i, kWait, &tick) != GatewayRun::TickWait::kTick) return;
    const absl::StatusOr<std::vector<v1::ProposalResult>> answered =
        run->Submit(Answer(i, FromProtoTime(tick.time()), twist_mw));
    if (!answered.ok()) return;  // a failed run refuses; the test checks Failure()
  }
}

// Every row of `table` for `run_id`, without the run_id, in the order written.
std::vector<std::string> Rows(const std::string& db_path, const std::string& table,
                              int64_t run_id) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  const std::string sql =
      absl::StrCat("SELECT * FROM ", table, " WHERE run_id = ", run_id, " ORDER BY rowid");
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
  std::vector<std::string> rows;
  while (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW) {
    std::string row;
    for (int c = 1; c < sqlite3_column_count(stmt); ++c) {  // column 0 is run_id
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

class GatewayRunResumeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "/gateway_run_resume_test_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  // An uninterrupted run into `db`; returns its net GBP.
  double RunWhole(const std::string& db) {
    absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(db);
    EXPECT_TRUE(store.ok());
    if (!store.ok()) return 0;
    const GatewayRunOptions options = Options();
    EXPECT_TRUE((*store)->BeginRun(options.replay_from, options.replay_to, "{}").ok());
    std::unique_ptr<GatewayRun> run = MakeRun(options, store->get());
    if (run == nullptr) return 0;
    run->RegisterAgent("scripted");
    EXPECT_TRUE(run->Start().ok());
    Drive(run.get(), kTicks);
    EXPECT_TRUE(run->WaitFinished(kWait));
    EXPECT_TRUE(run->Failure().ok()) << run->Failure();
    return run->Pnl().net_gbp();
  }

  // A run into a store committing every 10 records, "killed" once intervals
  // [0, kKilledAfterTicks] have settled and the scripted agent has answered the next tick:
  // `crashed` gets copies of its database files taken then, with the write batch open,
  // which is what a SIGKILL leaves on disk. A second agent, "holder", answers the same
  // ticks but not the last, so that the run stands still while the files are copied.
  void RunKilled(const std::string& crashed) {
    const std::string db = Path("killed.db");
    absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(db, 10);
    ASSERT_TRUE(store.ok());
    const GatewayRunOptions options = Options();
    ASSERT_TRUE((*store)->BeginRun(options.replay_from, options.replay_to, "{}").ok());
    std::unique_ptr<GatewayRun> run = MakeRun(options, store->get());
    ASSERT_NE(run, nullptr);
    run->RegisterAgent("scripted");
    run->RegisterAgent("holder");
    ASSERT_TRUE(run->Start().ok());
    for (int i = 0; i <= kKilledAfterTicks + 1; ++i) {
      v1::Tick tick;
      ASSERT_EQ(run->WaitForTick(i, kWait, &tick), GatewayRun::TickWait::kTick);
      const absl::Time t = FromProtoTime(tick.time());
      ASSERT_TRUE(run->Submit(Answer(i, t)).ok());
      if (i <= kKilledAfterTicks) {
        v1::SubmitDispatchRequest empty;
        empty.set_agent("holder");
        *empty.mutable_answers_tick() = tick.time();
        ASSERT_TRUE(run->Submit(empty).ok());
      }
    }
    ASSERT_EQ(run->Status().ticks_done(), kKilledAfterTicks + 1);
    std::filesystem::copy_file(db, crashed);
    std::filesystem::copy_file(db + "-wal", crashed + "-wal");
    run->Stop();
  }
  std::filesystem::path dir_;
};

TEST_F(GatewayRunResumeTest, AResumedRunEndsWithTheRowsOfAnUninterruptedOne) {
  const std::string whole = Path("whole.db");
  const double whole_net_gbp = RunWhole(whole);
  const std::string crashed = Path("crashed.db");
  RunKilled(crashed);

  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(crashed);
  ASSERT_TRUE(store.ok());
  GatewayRunOptions options = Options();
  absl::StatusOr<ResumePoint> point =
      (*store)->ResumeRun(options.replay_from, options.replay_to, "{}");
  ASSERT_TRUE(point.ok()) << point.status();
  EXPECT_EQ(point->run_id, 1);
  // The crash lost the open batch: some settled intervals are missing, but what is held
  // is a whole prefix.
  EXPECT_GT(point->intervals_committed, 0);
  EXPECT_LT(point->intervals_committed, kKilledAfterTicks + 1);
  EXPECT_EQ(point->last_interval_start,
            options.replay_from + (point->intervals_committed - 1) * base::kHalfHour);
  options.verified_through = point->last_interval_start;
  std::unique_ptr<GatewayRun> run = MakeRun(options, store->get());
  ASSERT_NE(run, nullptr);
  run->RegisterAgent("scripted");
  ASSERT_TRUE(run->Start().ok());
  Drive(run.get(), kTicks);
  ASSERT_TRUE(run->WaitFinished(kWait));
  ASSERT_TRUE(run->Failure().ok()) << run->Failure();
  EXPECT_EQ(run->Pnl().net_gbp(), whole_net_gbp);
  store->reset();

  // Every interval exactly once, and every row equal to the uninterrupted run's.
  for (const char* table :
       {"telemetry", "decisions", "ledger", "proposals", "plans", "agent_notes"}) {
    SCOPED_TRACE(table);
    const std::vector<std::string> expected = Rows(whole, table, 1);
    EXPECT_FALSE(expected.empty());
    EXPECT_EQ(Rows(crashed, table, 1), expected);
  }
  EXPECT_EQ(Rows(crashed, "telemetry", 1).size(), static_cast<size_t>(kTicks));
}

TEST_F(GatewayRunResumeTest, AnAgentAnsweringDifferentlyFailsTheResumeNamingIntervalAndField) {
  const std::string crashed = Path("crashed.db");
  RunKilled(crashed);
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(crashed);
  ASSERT_TRUE(store.ok());
  GatewayRunOptions options = Options();
  absl::StatusOr<ResumePoint> point =
      (*store)->ResumeRun(options.replay_from, options.replay_to, "{}");
  ASSERT_TRUE(point.ok()) << point.status();
  options.verified_through = point->last_interval_start;
  std::unique_ptr<GatewayRun> run = MakeRun(options, store->get());
  ASSERT_NE(run, nullptr);
  run->RegisterAgent("scripted");
  ASSERT_TRUE(run->Start().ok());
  Drive(run.get(), kTicks, /*twist_mw=*/-1.0);
  ASSERT_TRUE(run->WaitFinished(kWait));
  const absl::Status failure = run->Failure();
  EXPECT_EQ(failure.code(), absl::StatusCode::kInternal);
  const std::string tick_1 = base::FormatUtcTimestamp(options.replay_from + base::kHalfHour);
  EXPECT_THAT(failure.message(), HasSubstr(absl::StrCat("interval ", tick_1, " of run 1")));
  EXPECT_THAT(failure.message(),
              HasSubstr("decisions[0] (battery-1).requested_mw: stored -6, recomputed -7"));
  EXPECT_THAT(run->Status().failure(), HasSubstr(tick_1));
  store->reset();
  // Nothing was written: the store holds what the killed run committed.
  EXPECT_EQ(Rows(crashed, "telemetry", 1).size(), static_cast<size_t>(point->intervals_committed));
}

TEST_F(GatewayRunResumeTest, VerifiedThroughMustBeATickOfTheWindow) {
  GatewayRunOptions options = Options();
  options.verified_through = options.replay_from + absl::Minutes(7);
  GatewayConfig config;
  data::GridSeries series = GbSeries();
  absl::StatusOr<std::unique_ptr<data::TelemetrySource>> feed =
      MakeGridFeed(config, series, options);
  ASSERT_TRUE(feed.ok());
  base::SystemClock wall_clock;
  absl::StatusOr<std::unique_ptr<GatewayRun>> run =
      GatewayRun::Create(config, series, options, *std::move(feed), &wall_clock, nullptr);
  EXPECT_EQ(run.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(run.status().message(), HasSubstr("verified_through: 2023-01-01T00:37:00Z"));
}

// What a resumed live run carries over, as Store::LastState gives it.
StoredRunState Carried() {
  StoredRunState state;
  state.intervals = 10;
  state.last_interval_start = kSeriesStart + 10 * base::kHalfHour;
  state.battery_soc_mwh = {{"battery-1", 61.0}};
  state.peakers["peaker-1"] = assets::PeakerState{assets::PeakerStatus::kOn, 30.0};
  state.ledger_totals_gbp[static_cast<int>(market::LedgerCause::kArbitrageSold)] = 500.0;
  state.ledger_totals_gbp[static_cast<int>(market::LedgerCause::kPeakerFuel)] = -120.0;
  return state;
}

TEST_F(GatewayRunResumeTest, ALiveRunContinuesFromTheCarriedAssetsAndLedger) {
  const std::string db = Path("live.db");
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(db);
  ASSERT_TRUE(store.ok());
  GatewayRunOptions options = Options();
  options.mode = v1::CLOCK_MODE_LIVE;
  options.live_tick_period = absl::Seconds(2);
  options.replay_from = kSeriesStart + 11 * base::kHalfHour;  // the step after the last stored
  options.replay_to = options.replay_from + 4 * base::kHalfHour;
  options.carried_state = Carried();
  ASSERT_TRUE((*store)->BeginRun(options.replay_from, options.replay_to, "{}").ok());
  base::FakeClock wall_clock(absl::FromUnixSeconds(1700000000));
  GatewayConfig config;
  data::GridSeries series = GbSeries();
  absl::StatusOr<std::unique_ptr<data::TelemetrySource>> feed =
      MakeGridFeed(config, series, options);
  ASSERT_TRUE(feed.ok()) << feed.status();
  absl::StatusOr<std::unique_ptr<GatewayRun>> run =
      GatewayRun::Create(config, series, options, *std::move(feed), &wall_clock, store->get());
  ASSERT_TRUE(run.ok()) << run.status();

  // Before the first step: the carried state is what the assets show and P&L starts at.
  for (const v1::Asset& asset : (*run)->Assets()) {
    if (asset.id() == "battery-1") {
      EXPECT_DOUBLE_EQ(asset.battery().soc_mwh(), 61.0);
    }
    if (asset.id() == "peaker-1") {
      EXPECT_EQ(asset.peaker().status(), v1::PEAKER_STATUS_ON);
      EXPECT_DOUBLE_EQ(asset.peaker().output_mw(), 30.0);
    }
  }
  EXPECT_DOUBLE_EQ((*run)->Pnl().net_gbp(), 380.0);

  ASSERT_TRUE((*run)->Start().ok());
  for (int k = 0; k < 4; ++k) {
    std::optional<absl::Time> sleeping_until = wall_clock.AwaitSleeper(kWait);
    ASSERT_TRUE(sleeping_until.has_value()) << "tick " << k;
    wall_clock.Set(*sleeping_until);
  }
  ASSERT_TRUE((*run)->WaitFinished(kWait));
  ASSERT_TRUE((*run)->Failure().ok()) << (*run)->Failure();
  store->reset();
  // The first stored step starts from the carried state of charge; P&L went on from 380.
  const std::vector<std::string> decisions = Rows(db, "decisions", 1);
  ASSERT_EQ(decisions.size(), 8u);
  EXPECT_THAT(decisions[0], HasSubstr("battery-1|"));
  EXPECT_THAT(decisions[0], HasSubstr("|61|"));  // soc_before_mwh
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(handle, "SELECT SUM(amount_gbp) FROM ledger", -1, &stmt, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_NEAR((*run)->Pnl().net_gbp(), 380.0 + sqlite3_column_double(stmt, 0), 1e-9);
  sqlite3_finalize(stmt);
  sqlite3_close(handle);
}

TEST_F(GatewayRunResumeTest, CarriedStateMustNameEveryAssetAndIsForLiveRunsOnly) {
  GatewayRunOptions options = Options();
  options.carried_state = Carried();
  GatewayConfig config;
  data::GridSeries series = GbSeries();
  base::SystemClock wall_clock;
  absl::StatusOr<std::unique_ptr<GatewayRun>> lock_step = GatewayRun::Create(
      config, series, options, *MakeGridFeed(config, series, options), &wall_clock, nullptr);
  EXPECT_EQ(lock_step.status().code(), absl::StatusCode::kInvalidArgument);

  options.mode = v1::CLOCK_MODE_LIVE;
  options.carried_state->peakers.clear();
  absl::StatusOr<std::unique_ptr<GatewayRun>> no_peaker = GatewayRun::Create(
      config, series, options, *MakeGridFeed(config, series, options), &wall_clock, nullptr);
  EXPECT_EQ(no_peaker.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(no_peaker.status().message(), HasSubstr("no state for peaker peaker-1"));
}

}  // namespace
}  // namespace gridpilot
