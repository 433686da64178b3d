// GatewayRun driven in-process from the test thread, as an agent would over gRPC: tick
// contents and timing semantics, lock-step answering, settlement totals, the answer
// deadline and dropping a silent agent, History's no-look-ahead, all-or-nothing Submit,
// the store, Create's checks of the replay window, live pacing on a fake wall clock, and
// a failing audit log stopping the run, and memory staying bounded over a week live.
#include "services/gateway/gateway_run.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "core/base/clock.h"
#include "core/base/time_util.h"
#include "core/data/series_replay.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/proto_time.h"
#include "services/gateway/grid_feed.h"
#include "services/gateway/sqlite_store.h"

namespace gridpilot {
namespace {

using ::testing::HasSubstr;

const absl::Time kSeriesStart = *base::ParseUtcTimestamp("2023-01-01T00:00:00Z");
constexpr size_t kSeriesLength = 200;
constexpr absl::Duration kWait = absl::Seconds(60);  // generous: only a hang reaches it
constexpr double kDischargeMw = 5.0;                 // asked for on every other tick: 2.5 MWh each

// Region values of series interval i (the GB series is these x100; scale 0.01).
double RegionNetLoadMw(size_t i) { return 300.0 + static_cast<double>(i); }
double RegionSolarMw(size_t i) { return static_cast<double>(i % 7); }
constexpr double kRegionWindMw = 20.0;
double PriceGbpPerMwh(size_t i) { return 50.0 + static_cast<double>(i % 48); }

// `length` (200 by default) half-hours of a GB-wide ramp.
data::GridSeries GbSeries(size_t length = kSeriesLength) {
  std::vector<data::GridInterval> intervals;
  for (size_t i = 0; i < length; ++i) {
    intervals.push_back(data::GridInterval{kSeriesStart + i * base::kHalfHour,
                                           RegionNetLoadMw(i) * 100, RegionSolarMw(i) * 100,
                                           kRegionWindMw * 100, PriceGbpPerMwh(i)});
  }
  return *data::GridSeries::Create(std::move(intervals));
}

// Options replaying `ticks` intervals from series interval 1.
GatewayRunOptions Options(int ticks) {
  GatewayRunOptions options;
  options.replay_from = kSeriesStart + base::kHalfHour;
  options.replay_to = options.replay_from + ticks * base::kHalfHour;
  options.mode = v1::CLOCK_MODE_LOCK_STEP;
  options.answer_deadline = kWait;
  options.forecast_deadline = kWait;
  return options;
}

base::Clock* WallClock() {
  static base::SystemClock* const clock = new base::SystemClock;
  return clock;
}

// A run of the default config over GbSeries(), fed as the gateway process feeds it.
absl::StatusOr<std::unique_ptr<GatewayRun>> CreateRun(
    const GatewayRunOptions& options, Store* store,
    std::vector<data::DayAheadForecastRow> gb_day_ahead = {}, base::Clock* wall_clock = WallClock(),
    size_t series_length = kSeriesLength) {
  GatewayConfig config;
  data::GridSeries series = GbSeries(series_length);
  absl::StatusOr<std::unique_ptr<data::TelemetrySource>> feed =
      MakeGridFeed(config, series, options);
  if (!feed.ok()) return feed.status();
  return GatewayRun::Create(std::move(config), std::move(series), options, *std::move(feed),
                            wall_clock, store, std::move(gb_day_ahead));
}

std::unique_ptr<GatewayRun> MakeRun(GatewayRunOptions options, Store* store = nullptr) {
  absl::StatusOr<std::unique_ptr<GatewayRun>> run = CreateRun(options, store);
  EXPECT_TRUE(run.ok()) << run.status();
  return run.ok() ? *std::move(run) : nullptr;
}

// A started run with one registered agent, "agent", that has received tick 0, whose time
// goes to *first_tick. nullptr (and a test failure) when any step fails.
std::unique_ptr<GatewayRun> StartWithOneAgent(GatewayRunOptions options, Store* store,
                                              absl::Time* first_tick) {
  std::unique_ptr<GatewayRun> run = MakeRun(options, store);
  if (run == nullptr) return nullptr;
  run->RegisterAgent("agent");
  const absl::Status started = run->Start();
  EXPECT_TRUE(started.ok()) << started;
  v1::Tick tick;
  if (!started.ok() || run->WaitForTick(0, kWait, &tick) != GatewayRun::TickWait::kTick) {
    ADD_FAILURE() << "no tick 0";
    return nullptr;
  }
  *first_tick = FromProtoTime(tick.time());
  return run;
}

v1::DispatchProposal BatteryProposal(double power_mw, absl::Time start,
                                     absl::Duration lease = base::kHalfHour,
                                     const std::string& asset = "battery-1") {
  v1::DispatchProposal p;
  p.set_asset_id(asset);
  p.set_priority(v1::DISPATCH_PRIORITY_RESILIENCE);
  p.set_power_mw(power_mw);
  *p.mutable_start() = ToProtoTime(start);
  *p.mutable_end() = ToProtoTime(start + lease);
  p.set_reason("test");
  return p;
}

v1::SubmitDispatchRequest Answer(const std::string& agent, absl::Time tick_time,
                                 std::vector<v1::DispatchProposal> proposals) {
  v1::SubmitDispatchRequest request;
  request.set_agent(agent);
  *request.mutable_answers_tick() = ToProtoTime(tick_time);
  for (v1::DispatchProposal& p : proposals) *request.add_proposals() = std::move(p);
  return request;
}

const v1::Asset* FindAsset(const v1::Tick& tick, const std::string& id) {
  for (const v1::Asset& a : tick.assets()) {
    if (a.id() == id) return &a;
  }
  return nullptr;
}

int64_t Count(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  int64_t count = -1;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    count = sqlite3_column_int64(stmt, 0);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return count;
}

// An in-memory Store that counts what it is given and, when told, fails proposals or the
// steps from a given one on. Thread-safe, as the Store contract asks.
class MemoryStore final : public Store {
 public:
  absl::Status BeginRun(absl::Time, absl::Time, const std::string&) override {
    return absl::OkStatus();
  }
  absl::Status RecordProposal(const region::ProposalRecord&, ProposalStatus,
                              const std::string&) override {
    absl::MutexLock lock(&mu_);
    if (!proposal_error_.ok()) return proposal_error_;
    ++proposals_;
    return absl::OkStatus();
  }
  absl::Status RecordAgentNote(absl::Time, const std::string&, const std::string&) override {
    return absl::OkStatus();
  }
  absl::Status RecordRefusedCall(absl::Time, const security::RefusedCall&, int64_t) override {
    return absl::OkStatus();
  }
  absl::Status RecordPlan(absl::Time, const std::string&, const AgentPlanRecord&) override {
    return absl::OkStatus();
  }
  absl::Status RecordTelemetrySamples(const std::vector<StoredTelemetrySample>&) override {
    return absl::OkStatus();
  }
  absl::Status RecordInterval(const data::GridInterval&, const region::IntervalOutcome&) override {
    absl::MutexLock lock(&mu_);
    if (intervals_ >= fail_intervals_from_) return interval_error_;
    ++intervals_;
    return absl::OkStatus();
  }
  absl::Status Flush() override {
    absl::MutexLock lock(&mu_);
    ++flushes_;
    return absl::OkStatus();
  }

  void FailProposals(absl::Status error) {
    absl::MutexLock lock(&mu_);
    proposal_error_ = std::move(error);
  }
  // The step records after the first `count` fail with `error`.
  void FailIntervalsAfter(int count, absl::Status error) {
    absl::MutexLock lock(&mu_);
    fail_intervals_from_ = count;
    interval_error_ = std::move(error);
  }
  int proposals() const {
    absl::MutexLock lock(&mu_);
    return proposals_;
  }
  int intervals() const {
    absl::MutexLock lock(&mu_);
    return intervals_;
  }
  int flushes() const {
    absl::MutexLock lock(&mu_);
    return flushes_;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Status proposal_error_ ABSL_GUARDED_BY(mu_);
  int fail_intervals_from_ ABSL_GUARDED_BY(mu_) = std::numeric_limits<int>::max();
  absl::Status interval_error_ ABSL_GUARDED_BY(mu_);
  int proposals_ ABSL_GUARDED_BY(mu_) = 0;
  int intervals_ ABSL_GUARDED_BY(mu_) = 0;
  int flushes_ ABSL_GUARDED_BY(mu_) = 0;
};

class GatewayRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "/gateway_run_test_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(GatewayRunTest, LockStepTicksCarryTheIntervalJustEndedAndSettle) {
  constexpr int kTicks = 20;
  const std::string db_path = (dir_ / "run.db").string();
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(db_path);
  ASSERT_TRUE(store.ok()) << store.status();
  const GatewayRunOptions options = Options(kTicks);
  ASSERT_TRUE((*store)->BeginRun(options.replay_from, options.replay_to, "{}").ok());
  std::unique_ptr<GatewayRun> run = MakeRun(options, store->get());
  ASSERT_NE(run, nullptr);

  const v1::RegionInfo region = run->RegisterAgent("test-agent");
  EXPECT_DOUBLE_EQ(region.scale(), 0.01);
  EXPECT_DOUBLE_EQ(region.ramp_limit_mw(), 15);
  EXPECT_EQ(FromProtoDuration(region.interval()), base::kHalfHour);
  EXPECT_EQ(FromProtoTime(region.replay_start()), options.replay_from);
  EXPECT_EQ(FromProtoTime(region.replay_end()), options.replay_to);
  v1::GetClockStatusResponse status = run->Status();
  EXPECT_EQ(status.state(), v1::RUN_STATE_WAITING);
  EXPECT_EQ(status.ticks_total(), kTicks);
  ASSERT_EQ(status.registered_agents_size(), 1);
  EXPECT_EQ(status.registered_agents(0), "test-agent");

  ASSERT_TRUE(run->Start().ok());
  EXPECT_EQ(run->Start().code(), absl::StatusCode::kFailedPrecondition);

  for (int i = 0; i < kTicks; ++i) {
    SCOPED_TRACE(i);
    v1::Tick tick;
    ASSERT_EQ(run->WaitForTick(i, kWait, &tick), GatewayRun::TickWait::kTick);
    const absl::Time t = options.replay_from + i * base::kHalfHour;
    EXPECT_EQ(tick.sequence(), i);
    EXPECT_EQ(FromProtoTime(tick.time()), t);
    EXPECT_EQ(FromProtoTime(tick.measured_interval_start()), t - base::kHalfHour);
    // Tick i measures series interval i (the one ending at t), scaled to the region.
    ASSERT_TRUE(tick.has_net_load_mw());
    EXPECT_NEAR(tick.net_load_mw(), RegionNetLoadMw(i), 1e-9);
    EXPECT_NEAR(tick.embedded_solar_mw(), RegionSolarMw(i), 1e-9);
    EXPECT_NEAR(tick.embedded_wind_mw(), kRegionWindMw, 1e-9);
    EXPECT_NEAR(tick.gross_load_mw(), RegionNetLoadMw(i) + RegionSolarMw(i) + kRegionWindMw, 1e-9);
    EXPECT_DOUBLE_EQ(tick.price_gbp_per_mwh(), PriceGbpPerMwh(i));  // prices are not scaled
    // What we asked for in the previous tick was applied in the measured interval.
    EXPECT_NEAR(tick.dispatch_mw(), (i > 0 && (i - 1) % 2 == 0) ? kDischargeMw : 0.0, 1e-9);
    ASSERT_NE(FindAsset(tick, "battery-1"), nullptr);
    ASSERT_NE(FindAsset(tick, "peaker-1"), nullptr);

    // The run waits for our answer: exactly i intervals are settled, the clock is at t.
    status = run->Status();
    EXPECT_EQ(status.state(), v1::RUN_STATE_RUNNING);
    EXPECT_EQ(status.ticks_done(), i);
    EXPECT_EQ(FromProtoTime(status.now()), t);

    // History holds every interval that has ended by t, and nothing later.
    const std::vector<v1::Tick> history = run->History(kSeriesStart, absl::InfiniteFuture());
    ASSERT_EQ(history.size(), static_cast<size_t>(i + 1));
    for (const v1::Tick& h : history) {
      EXPECT_LE(FromProtoTime(h.measured_interval_start()) + base::kHalfHour, t);
    }
    EXPECT_EQ(FromProtoTime(history.back().measured_interval_start()), t - base::kHalfHour);
    EXPECT_TRUE(run->History(t, t + absl::Hours(2)).empty());

    std::vector<v1::DispatchProposal> proposals;
    if (i % 2 == 0) proposals.push_back(BatteryProposal(kDischargeMw, t));
    absl::StatusOr<std::vector<v1::ProposalResult>> results =
        run->Submit(Answer("test-agent", t, std::move(proposals)));
    ASSERT_TRUE(results.ok()) << results.status();
    EXPECT_EQ(results->size(), i % 2 == 0 ? 1u : 0u);
  }

  ASSERT_TRUE(run->WaitFinished(kWait));
  v1::Tick after_end;
  EXPECT_EQ(run->WaitForTick(kTicks, absl::Seconds(5), &after_end),
            GatewayRun::TickWait::kFinished);
  status = run->Status();
  EXPECT_EQ(status.state(), v1::RUN_STATE_FINISHED);
  EXPECT_EQ(status.ticks_done(), kTicks);
  EXPECT_EQ(status.missed_answers(), 0);
  EXPECT_EQ(FromProtoTime(status.now()), options.replay_to);

  // Once finished, the clock is at replay_to: history stops there even though the
  // series goes on.
  const std::vector<v1::Tick> history = run->History(kSeriesStart, absl::InfiniteFuture());
  ASSERT_EQ(history.size(), static_cast<size_t>(kTicks + 1));
  EXPECT_EQ(FromProtoTime(history.back().measured_interval_start()) + base::kHalfHour,
            options.replay_to);

  const v1::GetPnlResponse pnl = run->Pnl();
  EXPECT_EQ(pnl.intervals_settled(), kTicks);
  ASSERT_EQ(pnl.by_cause_size(), market::kLedgerCauseCount);
  double sum_gbp = 0;
  for (const v1::CauseTotal& c : pnl.by_cause()) sum_gbp += c.amount_gbp();
  EXPECT_NEAR(pnl.net_gbp(), sum_gbp, 1e-9);
  EXPECT_EQ(pnl.by_cause(static_cast<int>(market::LedgerCause::kArbitrageSold)).cause(),
            v1::LEDGER_CAUSE_ARBITRAGE_SOLD);
  EXPECT_GT(pnl.by_cause(static_cast<int>(market::LedgerCause::kArbitrageSold)).amount_gbp(), 0);
  ASSERT_EQ(pnl.dispatches_size(), 2);
  EXPECT_EQ(pnl.dispatches(0).asset_id(), "battery-1");
  EXPECT_EQ(pnl.dispatches(0).intervals_dispatched(), kTicks / 2);
  EXPECT_NEAR(pnl.dispatches(0).energy_mwh(), kTicks / 2 * kDischargeMw * 0.5, 1e-9);
  EXPECT_NEAR(pnl.battery_cycles(), kTicks / 2 * kDischargeMw * 0.5 / 200.0, 1e-12);

  const std::vector<v1::Decision> decisions = run->RecentDecisions(2);
  ASSERT_EQ(decisions.size(), 2u);
  EXPECT_EQ(FromProtoTime(decisions[0].interval_start()), options.replay_to - base::kHalfHour);

  // The store saw every interval and every accepted proposal, and the run's end
  // committed them (no Flush here).
  EXPECT_EQ(Count(db_path, "SELECT COUNT(*) FROM telemetry"), kTicks);
  EXPECT_EQ(Count(db_path, "SELECT COUNT(*) FROM decisions"), 2 * kTicks);
  EXPECT_EQ(Count(db_path, "SELECT COUNT(*) FROM proposals WHERE status = 'accepted'"), kTicks / 2);
}

// A region at 15 minutes (its data's resolution): the region's interval is 15 minutes,
// a lock-step replay ticks every 15 minutes, every tick is an interval boundary measuring
// the quarter-hour just ended, and a discharge settles MW x 0.25 h.
TEST_F(GatewayRunTest, AQuarterHourRegionTicksAndSettlesEveryQuarterHour) {
  constexpr absl::Duration kQuarter = absl::Minutes(15);
  constexpr int kTicks = 8;
  std::vector<data::GridInterval> intervals;
  for (size_t i = 0; i < 40; ++i) {
    intervals.push_back(data::GridInterval{kSeriesStart + i * kQuarter, RegionNetLoadMw(i) * 100,
                                           RegionSolarMw(i) * 100, kRegionWindMw * 100,
                                           PriceGbpPerMwh(i)});
  }
  absl::StatusOr<data::GridSeries> series =
      data::GridSeries::Create(std::move(intervals), kQuarter);
  ASSERT_TRUE(series.ok()) << series.status();
  GatewayRunOptions options = Options(kTicks);
  options.replay_from = kSeriesStart + kQuarter;
  options.replay_to = options.replay_from + kTicks * kQuarter;
  options.step = kQuarter;
  GatewayConfig config;
  absl::StatusOr<std::unique_ptr<data::TelemetrySource>> feed =
      MakeGridFeed(config, *series, options);
  ASSERT_TRUE(feed.ok()) << feed.status();
  absl::StatusOr<std::unique_ptr<GatewayRun>> created = GatewayRun::Create(
      std::move(config), *std::move(series), options, *std::move(feed), WallClock(), nullptr);
  ASSERT_TRUE(created.ok()) << created.status();
  GatewayRun& run = **created;
  const v1::RegionInfo region = run.RegisterAgent("test-agent");
  EXPECT_EQ(FromProtoDuration(region.interval()), kQuarter);
  ASSERT_TRUE(run.Start().ok());
  for (int i = 0; i < kTicks; ++i) {
    SCOPED_TRACE(i);
    v1::Tick tick;
    ASSERT_EQ(run.WaitForTick(i, kWait, &tick), GatewayRun::TickWait::kTick);
    const absl::Time t = options.replay_from + i * kQuarter;
    EXPECT_EQ(FromProtoTime(tick.time()), t);
    EXPECT_TRUE(tick.interval_boundary());
    EXPECT_EQ(FromProtoTime(tick.measured_interval_start()), t - kQuarter);
    EXPECT_NEAR(tick.net_load_mw(), RegionNetLoadMw(i), 1e-9);
    std::vector<v1::DispatchProposal> proposals;
    proposals.push_back(BatteryProposal(kDischargeMw, t, kQuarter));
    ASSERT_TRUE(run.Submit(Answer("test-agent", t, std::move(proposals))).ok());
  }
  ASSERT_TRUE(run.WaitFinished(kWait));
  const std::vector<v1::Tick> history = run.History(kSeriesStart, absl::InfiniteFuture());
  ASSERT_EQ(history.size(), static_cast<size_t>(kTicks + 1));
  EXPECT_EQ(FromProtoTime(history[1].measured_interval_start()), kSeriesStart + kQuarter);
  const v1::GetPnlResponse pnl = run.Pnl();
  EXPECT_EQ(pnl.intervals_settled(), kTicks);
  EXPECT_NEAR(pnl.dispatches(0).energy_mwh(), kTicks * kDischargeMw * 0.25, 1e-9);
}

TEST_F(GatewayRunTest, SilentAgentIsCountedThenNoLongerWaitedFor) {
  constexpr int kTicks = 100;
  GatewayRunOptions options = Options(kTicks);
  options.answer_deadline = absl::Milliseconds(50);
  options.max_consecutive_misses = 3;
  std::unique_ptr<GatewayRun> run = MakeRun(options);
  ASSERT_NE(run, nullptr);
  run->RegisterAgent("silent");
  ASSERT_TRUE(run->Start().ok());
  ASSERT_TRUE(run->WaitFinished(kWait));
  const v1::GetClockStatusResponse status = run->Status();
  EXPECT_EQ(status.state(), v1::RUN_STATE_FINISHED);
  EXPECT_EQ(status.ticks_done(), kTicks);
  // Three deadlines passed; after that the agent is not waited for, so no more misses.
  EXPECT_EQ(status.missed_answers(), 3);
}

TEST_F(GatewayRunTest, AnUnexpectedAgentIsNeverWaitedForButMaySubmit) {
  constexpr int kTicks = 12;
  GatewayRunOptions options = Options(kTicks);
  options.expected_agents = {"response"};
  // A deadline far beyond kWait: had the run waited for the silent agent even once,
  // WaitForTick below would time out.
  options.answer_deadline = absl::Hours(1);
  std::unique_ptr<GatewayRun> run = MakeRun(options);
  ASSERT_NE(run, nullptr);
  run->RegisterAgent("response");
  run->RegisterAgent("intruder");
  ASSERT_TRUE(run->Start().ok());
  for (int i = 0; i < kTicks; ++i) {
    SCOPED_TRACE(i);
    v1::Tick tick;
    ASSERT_EQ(run->WaitForTick(i, kWait, &tick), GatewayRun::TickWait::kTick);
    // The expected agent is waited for: nothing of tick i settles before it answers.
    EXPECT_EQ(run->Status().ticks_done(), i);
    const absl::Time t = FromProtoTime(tick.time());
    if (i == 3) {  // the unexpected agent may still submit
      absl::StatusOr<std::vector<v1::ProposalResult>> intruded =
          run->Submit(Answer("intruder", t, {BatteryProposal(kDischargeMw, t)}));
      ASSERT_TRUE(intruded.ok()) << intruded.status();
      EXPECT_EQ(intruded->size(), 1u);
    }
    ASSERT_TRUE(run->Submit(Answer("response", t, {})).ok());
  }
  ASSERT_TRUE(run->WaitFinished(kWait));
  const v1::GetClockStatusResponse status = run->Status();
  EXPECT_EQ(status.ticks_done(), kTicks);
  EXPECT_EQ(status.missed_answers(), 0);
  EXPECT_EQ(status.registered_agents_size(), 2);
  EXPECT_TRUE(status.failure().empty());
  EXPECT_EQ(run->Pnl().dispatches(0).intervals_dispatched(), 1);  // the intruder's proposal
}

TEST_F(GatewayRunTest, SubmitIsAllOrNothing) {
  const std::string db_path = (dir_ / "submit.db").string();
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(db_path);
  ASSERT_TRUE(store.ok()) << store.status();
  const GatewayRunOptions options = Options(5);
  ASSERT_TRUE((*store)->BeginRun(options.replay_from, options.replay_to, "{}").ok());
  absl::Time t;
  std::unique_ptr<GatewayRun> run = StartWithOneAgent(options, store->get(), &t);
  ASSERT_NE(run, nullptr);

  v1::DispatchProposal no_priority = BatteryProposal(5, t);
  no_priority.set_priority(v1::DISPATCH_PRIORITY_UNSPECIFIED);
  v1::DispatchProposal no_lease = BatteryProposal(5, t);
  no_lease.clear_end();
  struct Case {
    std::string name;
    v1::DispatchProposal bad;
    std::string want_part;
  };
  const std::vector<Case> cases = {
      {"unknown asset", BatteryProposal(5, t, base::kHalfHour, "battery-9"), "battery-9"},
      {"power beyond the asset's range", BatteryProposal(80, t), "power_mw"},
      {"NaN power", BatteryProposal(std::nan(""), t), "power_mw"},
      {"empty lease", BatteryProposal(5, t, absl::ZeroDuration()), "end"},
      {"unspecified priority", no_priority, "priority"},
      {"missing lease end", no_lease, "start and end"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<std::vector<v1::ProposalResult>> results =
        run->Submit(Answer("agent", t, {BatteryProposal(10, t), c.bad}));
    ASSERT_FALSE(results.ok());
    EXPECT_EQ(results.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(results.status().message()), HasSubstr("proposals[1]"));
    EXPECT_THAT(std::string(results.status().message()), HasSubstr(c.want_part));
    for (const v1::Asset& a : run->Assets()) EXPECT_EQ(a.scheduled_proposal_id(), 0) << a.id();
  }
  ASSERT_TRUE((*store)->Flush().ok());
  EXPECT_EQ(Count(db_path, "SELECT COUNT(*) FROM proposals WHERE status = 'accepted'"), 0);
  EXPECT_GE(Count(db_path, "SELECT COUNT(*) FROM proposals WHERE status = 'rejected'"), 4);
  EXPECT_EQ(run->Submit(v1::SubmitDispatchRequest()).status().code(),
            absl::StatusCode::kInvalidArgument);  // no agent name
  // A malformed plan refuses the whole answer, naming the field.
  for (const auto& [name, mutate] :
       std::vector<std::pair<std::string, std::function<void(v1::AgentPlan*)>>>{
           {"plan.power_mw[1]", [](v1::AgentPlan* p) { p->set_power_mw(1, std::nan("")); }},
           {"plan.price_forecast_gbp_per_mwh",
            [](v1::AgentPlan* p) { p->add_price_forecast_gbp_per_mwh(1); }},
           {"plan.first_interval_start",
            [](v1::AgentPlan* p) { p->clear_first_interval_start(); }}}) {
    SCOPED_TRACE(name);
    v1::SubmitDispatchRequest with_plan = Answer("agent", t, {BatteryProposal(10, t)});
    v1::AgentPlan* plan = with_plan.mutable_plan();
    *plan->mutable_first_interval_start() = ToProtoTime(t + base::kHalfHour);
    plan->add_power_mw(10);
    plan->add_power_mw(20);
    mutate(plan);
    absl::StatusOr<std::vector<v1::ProposalResult>> refused = run->Submit(with_plan);
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(refused.status().message()), HasSubstr(name));
  }
  ASSERT_TRUE((*store)->Flush().ok());
  EXPECT_EQ(Count(db_path, "SELECT COUNT(*) FROM plans"), 0);

  // Nothing was stored, so the first proposal accepted gets id 1; a retry is a duplicate.
  // These do not answer the tick, so the run keeps waiting and the clock stays at t.
  v1::DispatchProposal keyed = BatteryProposal(10, t);
  keyed.set_idempotency_key("k1");
  v1::SubmitDispatchRequest not_an_answer = Answer("agent", t, {keyed});
  not_an_answer.clear_answers_tick();
  absl::StatusOr<std::vector<v1::ProposalResult>> ok = run->Submit(not_an_answer);
  ASSERT_TRUE(ok.ok()) << ok.status();
  ASSERT_EQ(ok->size(), 1u);
  EXPECT_EQ((*ok)[0].proposal_id(), 1);
  EXPECT_FALSE((*ok)[0].duplicate());
  absl::StatusOr<std::vector<v1::ProposalResult>> retry = run->Submit(not_an_answer);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ((*retry)[0].proposal_id(), 1);
  EXPECT_TRUE((*retry)[0].duplicate());
  const std::vector<v1::Asset> assets = run->Assets();
  ASSERT_EQ(assets[0].id(), "battery-1");
  EXPECT_EQ(assets[0].scheduled_proposal_id(), 1);
  EXPECT_DOUBLE_EQ(assets[0].scheduled_power_mw(), 10);
}

// Hostile input: oversized strings, control characters in identifiers, timestamps out
// of range, leases far from the run's clock, powers beyond any asset, a peaker asked for
// less than its min stable load. Each is InvalidArgument naming the field and the bound;
// no proposal is accepted or scheduled, and what the refusals' audit rows keep is bounded.
TEST_F(GatewayRunTest, HostileRequestsAreRefusedNamingFieldAndBound) {
  const std::string db_path = (dir_ / "hostile.db").string();
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(db_path);
  ASSERT_TRUE(store.ok()) << store.status();
  const GatewayRunOptions options = Options(5);
  ASSERT_TRUE((*store)->BeginRun(options.replay_from, options.replay_to, "{}").ok());
  absl::Time t;
  std::unique_ptr<GatewayRun> run = StartWithOneAgent(options, store->get(), &t);
  ASSERT_NE(run, nullptr);
  const std::string megabyte(1 << 20, 'x');

  auto with = [&](std::function<void(v1::DispatchProposal*)> mutate) {
    v1::DispatchProposal p = BatteryProposal(10, t);
    mutate(&p);
    return Answer("agent", t, {p});
  };
  auto with_request = [&](std::function<void(v1::SubmitDispatchRequest*)> mutate) {
    v1::SubmitDispatchRequest request = Answer("agent", t, {BatteryProposal(10, t)});
    mutate(&request);
    return request;
  };
  auto plan_with = [&](std::function<void(v1::AgentPlan*)> mutate) {
    v1::SubmitDispatchRequest request = Answer("agent", t, {BatteryProposal(10, t)});
    v1::AgentPlan* plan = request.mutable_plan();
    *plan->mutable_first_interval_start() = ToProtoTime(t);
    plan->add_power_mw(10);
    mutate(plan);
    return request;
  };
  google::protobuf::Timestamp year_10000;
  year_10000.set_seconds(253402300800);
  google::protobuf::Timestamp bad_nanos = ToProtoTime(t);
  bad_nanos.set_nanos(-1);
  struct Case {
    std::string name;
    v1::SubmitDispatchRequest request;
    std::vector<std::string> want_parts;
  };
  const std::vector<Case> cases = {
      {"1 MB agent name", Answer(megabyte, t, {BatteryProposal(10, t)}), {"agent", "64 bytes"}},
      {"agent name with a newline",
       Answer("agent\nINFO: forged", t, {BatteryProposal(10, t)}),
       {"agent", "control character 0x0a"}},
      {"1 MB reason",
       with([&](v1::DispatchProposal* p) { p->set_reason(megabyte); }),
       {"proposals[0].reason", "1024 bytes"}},
      {"1 MB idempotency key",
       with([&](v1::DispatchProposal* p) { p->set_idempotency_key(megabyte); }),
       {"proposals[0].idempotency_key", "128 bytes"}},
      {"key with a control character",
       with([&](v1::DispatchProposal* p) { p->set_idempotency_key("k\x01"); }),
       {"proposals[0].idempotency_key", "control character 0x01"}},
      {"asset id with a carriage return",
       with([&](v1::DispatchProposal* p) { p->set_asset_id("battery-1\r"); }),
       {"proposals[0].asset_id", "control character 0x0d"}},
      {"1 MB note",
       with_request([&](v1::SubmitDispatchRequest* r) { r->set_note(megabyte); }),
       {"note", "2048 bytes"}},
      {"lease in 1900",
       with([&](v1::DispatchProposal* p) {
         *p->mutable_start() = ToProtoTime(*base::ParseUtcTimestamp("1900-01-01T00:00:00Z"));
         *p->mutable_end() = ToProtoTime(*base::ParseUtcTimestamp("1900-01-01T00:30:00Z"));
       }),
       {"proposals[0].start", "before the run's clock"}},
      {"lease to 9999",
       with([&](v1::DispatchProposal* p) {
         *p->mutable_end() = ToProtoTime(*base::ParseUtcTimestamp("9999-01-01T00:00:00Z"));
       }),
       {"proposals[0].end", "after the run's clock"}},
      {"lease 8 days long",
       with(
           [&](v1::DispatchProposal* p) { *p->mutable_end() = ToProtoTime(t + absl::Hours(192)); }),
       {"proposals[0].end", "168h"}},
      {"timestamp past year 9999",
       with([&](v1::DispatchProposal* p) { *p->mutable_end() = year_10000; }),
       {"proposals[0].end", "Timestamp range"}},
      {"negative nanos",
       with([&](v1::DispatchProposal* p) { *p->mutable_start() = bad_nanos; }),
       {"proposals[0].start", "nanos"}},
      {"invalid answers_tick",
       with_request([&](v1::SubmitDispatchRequest* r) { *r->mutable_answers_tick() = year_10000; }),
       {"answers_tick"}},
      {"power 1e308",
       with([&](v1::DispatchProposal* p) { p->set_power_mw(1e308); }),
       {"proposals[0]", "power_mw", "outside [-50, 50] MW"}},
      {"infinite power",
       with([&](v1::DispatchProposal* p) {
         p->set_power_mw(std::numeric_limits<double>::infinity());
       }),
       {"proposals[0].power_mw", "not finite"}},
      {"peaker below min stable load",
       with([&](v1::DispatchProposal* p) {
         p->set_asset_id("peaker-1");
         p->set_power_mw(1e-9);
       }),
       {"proposals[0]", "min stable load 20 MW", "[20, 60] MW"}},
      {"plan power 1e308",
       plan_with([](v1::AgentPlan* p) { p->set_power_mw(0, 1e308); }),
       {"plan.power_mw[0]", "outside"}},
      {"plan price 1e308",
       plan_with([](v1::AgentPlan* p) { p->add_price_forecast_gbp_per_mwh(1e308); }),
       {"plan.price_forecast_gbp_per_mwh[0]", "[-10000, 10000]"}},
      {"1 MB plan reason",
       plan_with([&](v1::AgentPlan* p) { p->set_reason(megabyte); }),
       {"plan.reason", "1024 bytes"}},
      {"plan start past year 9999",
       plan_with([&](v1::AgentPlan* p) { *p->mutable_first_interval_start() = year_10000; }),
       {"plan.first_interval_start"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<std::vector<v1::ProposalResult>> results = run->Submit(c.request);
    ASSERT_FALSE(results.ok());
    EXPECT_EQ(results.status().code(), absl::StatusCode::kInvalidArgument);
    const std::string message(results.status().message());
    EXPECT_LT(message.size(), 400u);
    for (const std::string& part : c.want_parts) EXPECT_THAT(message, HasSubstr(part));
    for (const v1::Asset& a : run->Assets()) EXPECT_EQ(a.scheduled_proposal_id(), 0) << a.id();
  }
  ASSERT_TRUE((*store)->Flush().ok());
  EXPECT_EQ(Count(db_path, "SELECT COUNT(*) FROM proposals WHERE status != 'rejected'"), 0);
  EXPECT_EQ(Count(db_path, "SELECT COUNT(*) FROM plans"), 0);
  EXPECT_EQ(Count(db_path, "SELECT COUNT(*) FROM agent_notes"), 0);
  // A refusal's audit row keeps at most the bound of each field (and says it was cut).
  EXPECT_LE(Count(db_path, "SELECT MAX(LENGTH(agent)) FROM proposals"), 64 + 32);
  EXPECT_LE(Count(db_path, "SELECT MAX(LENGTH(reason)) FROM proposals"), 1024 + 32);
  EXPECT_LE(Count(db_path, "SELECT MAX(LENGTH(detail)) FROM proposals"), 400);

  // At the bounds, the same kinds of request are accepted: a 64-byte name, a 1024-byte
  // reason, a 128-byte key, a 2048-byte note, a lease ending 7 days out, the peaker at its
  // min stable load.
  v1::DispatchProposal at_bounds = BatteryProposal(50, t, absl::Hours(7 * 24));
  at_bounds.set_reason(std::string(1024, 'r'));
  at_bounds.set_idempotency_key(std::string(128, 'k'));
  v1::DispatchProposal peaker = BatteryProposal(20, t, base::kHalfHour, "peaker-1");
  v1::SubmitDispatchRequest accepted = Answer(std::string(64, 'a'), t, {at_bounds, peaker});
  accepted.clear_answers_tick();
  accepted.set_note(std::string(2048, 'n'));
  absl::StatusOr<std::vector<v1::ProposalResult>> ok = run->Submit(accepted);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->size(), 2u);
}

TEST_F(GatewayRunTest, SubmitRejectsAKeyReusedWithinOneRequestAndStoresNothing) {
  absl::Time t;
  std::unique_ptr<GatewayRun> run = StartWithOneAgent(Options(3), nullptr, &t);
  ASSERT_NE(run, nullptr);
  // The same key for two different proposals in one request: the second is a key reuse,
  // which the arbiter rejects, so the request must fail and nothing be stored.
  v1::DispatchProposal first = BatteryProposal(10, t);
  first.set_idempotency_key("same");
  v1::DispatchProposal second = BatteryProposal(-10, t);
  second.set_idempotency_key("same");
  absl::StatusOr<std::vector<v1::ProposalResult>> results =
      run->Submit(Answer("agent", t, {first, second}));
  EXPECT_FALSE(results.ok());
  EXPECT_EQ(results.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(results.status().message()), HasSubstr("idempotency_key"));
  for (const v1::Asset& a : run->Assets()) {
    EXPECT_EQ(a.scheduled_proposal_id(), 0) << a.id() << ": part of a failed request was stored";
  }
}

TEST_F(GatewayRunTest, CreateChecksTheReplayWindowAgainstTheData) {
  struct Case {
    std::string name;
    absl::Time from;
    absl::Time to;
    std::string want_part;  // empty: OK
  };
  const absl::Time end = kSeriesStart + kSeriesLength * base::kHalfHour;
  const std::vector<Case> cases = {
      {"whole series after its first interval", kSeriesStart + base::kHalfHour, end, ""},
      {"start with no prior interval", kSeriesStart, kSeriesStart + absl::Hours(2),
       "needs data for the interval before"},
      {"start before the data", kSeriesStart - absl::Hours(1), kSeriesStart + absl::Hours(2),
       "needs data for the interval before"},
      {"start off the half-hour grid", kSeriesStart + absl::Minutes(45),
       kSeriesStart + absl::Hours(2), "needs data for the interval before"},
      {"end after the data", kSeriesStart + base::kHalfHour, end + base::kHalfHour,
       "after the data's end"},
      {"end before start", kSeriesStart + absl::Hours(2), kSeriesStart + absl::Hours(1),
       "after its start"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    GatewayRunOptions options;
    options.replay_from = c.from;
    options.replay_to = c.to;
    absl::StatusOr<std::unique_ptr<GatewayRun>> run = CreateRun(options, nullptr);
    if (c.want_part.empty()) {
      EXPECT_TRUE(run.ok()) << run.status();
      continue;
    }
    ASSERT_FALSE(run.ok());
    EXPECT_EQ(run.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(run.status().message()), HasSubstr(c.want_part));
  }
}

// The injected feed must fit the run: its step, and a first reading of the step just
// before the replay; a feed that ends early stops the run with the feed's error.
TEST_F(GatewayRunTest, TheFeedMustFitTheReplay) {
  const GatewayRunOptions options = Options(4);
  auto replay = [&](absl::Time from, absl::Time to) -> std::unique_ptr<data::TelemetrySource> {
    absl::StatusOr<std::unique_ptr<data::SeriesReplay>> feed =
        data::SeriesReplay::Create(GbSeries(), from, to);
    EXPECT_TRUE(feed.ok()) << feed.status();
    return feed.ok() ? *std::move(feed) : nullptr;
  };
  auto create = [&](GatewayRunOptions o, std::unique_ptr<data::TelemetrySource> feed) {
    return GatewayRun::Create(GatewayConfig(), GbSeries(), o, std::move(feed), WallClock(),
                              nullptr);
  };
  GatewayRunOptions faster = options;
  faster.step = absl::Minutes(5);
  absl::StatusOr<std::unique_ptr<GatewayRun>> run =
      create(faster, replay(options.replay_from - base::kHalfHour, options.replay_to));
  EXPECT_EQ(run.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(run.status().message()), HasSubstr("feed's step"));

  run = create(options, replay(options.replay_from, options.replay_to));
  EXPECT_EQ(run.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(run.status().message()), HasSubstr("skipped the step"));

  run = create(options,
               replay(options.replay_from - base::kHalfHour, options.replay_to - base::kHalfHour));
  ASSERT_TRUE(run.ok()) << run.status();
  ASSERT_TRUE((*run)->Start().ok());
  ASSERT_TRUE((*run)->WaitFinished(kWait));
  EXPECT_EQ((*run)->Failure().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ((*run)->Status().ticks_done(), 3);
}

TEST_F(GatewayRunTest, OperatorForecastsArePublishedOnlyOnceTheyAreOut) {
  const GatewayRunOptions options = Options(4);  // ticks at t0, t0 + 30 min, ... (GB MW in)
  const absl::Time t0 = options.replay_from;
  const std::vector<data::DayAheadForecastRow> gb = {
      {t0 + absl::Hours(3), t0 + absl::Minutes(45), 31000.0},        // out between ticks 1 and 2
      {t0, t0 - absl::Minutes(15), 30000.0},                         // out before the replay
      {t0 + base::kHalfHour, t0 - absl::Minutes(15), std::nullopt},  // no value: never sent
      {t0, t0 - absl::Hours(20), 29000.0}};                          // an older vintage
  absl::StatusOr<std::unique_ptr<GatewayRun>> run = CreateRun(options, nullptr, gb);
  ASSERT_TRUE(run.ok()) << run.status();

  // Before the run: only what was published before the clock (t0), oldest first, in
  // region MW; and never past the time asked for.
  std::vector<v1::DayAheadDemandForecast> known = (*run)->DayAheadForecasts(absl::InfiniteFuture());
  ASSERT_EQ(known.size(), 2u);
  EXPECT_EQ(FromProtoTime(known[0].published()), t0 - absl::Hours(20));
  EXPECT_DOUBLE_EQ(known[0].demand_mw(), 290.0);
  EXPECT_EQ(FromProtoTime(known[1].published()), t0 - absl::Minutes(15));
  EXPECT_EQ(FromProtoTime(known[1].target_start()), t0);
  EXPECT_DOUBLE_EQ(known[1].demand_mw(), 300.0);
  EXPECT_EQ((*run)->DayAheadForecasts(t0 - absl::Minutes(15)).size(), 1u);

  // Each tick at t carries what was published in [t - 30 min, t).
  ASSERT_TRUE((*run)->Start().ok());  // no agent registered: nothing is waited for
  ASSERT_TRUE((*run)->WaitFinished(kWait));
  std::vector<int> published_on_tick;
  for (int i = 0; i < 4; ++i) {
    v1::Tick tick;
    ASSERT_EQ((*run)->WaitForTick(i, kWait, &tick), GatewayRun::TickWait::kTick);
    published_on_tick.push_back(tick.day_ahead_forecasts_size());
    if (i == 2) {
      ASSERT_EQ(tick.day_ahead_forecasts_size(), 1);
      EXPECT_EQ(FromProtoTime(tick.day_ahead_forecasts(0).target_start()), t0 + absl::Hours(3));
      EXPECT_DOUBLE_EQ(tick.day_ahead_forecasts(0).demand_mw(), 310.0);
    }
  }
  EXPECT_EQ(published_on_tick, (std::vector<int>{1, 0, 1, 0}));
  EXPECT_EQ((*run)->DayAheadForecasts(absl::InfiniteFuture()).size(), 3u);
}

// With a forecaster connected, an interval tick reaches the agents only after the
// forecaster has answered it, and carries what it answered; an answer to another tick is
// ignored; once the forecaster is gone, ticks are released without waiting.
TEST_F(GatewayRunTest, AForecasterSeesEachTickFirstAndItsForecastRidesOnTheTick) {
  std::unique_ptr<GatewayRun> run = MakeRun(Options(3));
  ASSERT_NE(run, nullptr);
  run->RegisterAgent("agent");
  run->ForecasterConnected(true);
  ASSERT_TRUE(run->Start().ok());
  v1::Tick tick;
  ASSERT_EQ(run->WaitForTick(0, kWait, &tick, GatewayRun::TickAudience::kForecaster),
            GatewayRun::TickWait::kTick);
  const absl::Time t0 = FromProtoTime(tick.time());
  ASSERT_TRUE(tick.interval_boundary());
  // The agents do not see it yet (the deadline is kWait, far beyond this wait).
  EXPECT_EQ(run->WaitForTick(0, absl::Milliseconds(50), &tick), GatewayRun::TickWait::kTimeout);
  v1::GetNetLoadChangeResponse other;
  *other.mutable_issue_time() = ToProtoTime(t0 + base::kHalfHour);
  other.add_forecasts()->set_change_mw(99.0);
  run->AttachForecast(other);  // not the tick awaited: ignored
  EXPECT_EQ(run->WaitForTick(0, absl::Milliseconds(50), &tick), GatewayRun::TickWait::kTimeout);
  v1::GetNetLoadChangeResponse forecast;
  *forecast.mutable_issue_time() = ToProtoTime(t0);
  forecast.add_forecasts()->set_change_mw(12.5);
  forecast.mutable_verdict()->set_suspect(true);
  run->AttachForecast(forecast);
  ASSERT_EQ(run->WaitForTick(0, kWait, &tick), GatewayRun::TickWait::kTick);
  ASSERT_TRUE(tick.has_forecast());
  ASSERT_EQ(tick.forecast().forecasts_size(), 1);
  EXPECT_EQ(tick.forecast().forecasts(0).change_mw(), 12.5);
  EXPECT_TRUE(tick.forecast().verdict().suspect());
  ASSERT_TRUE(run->Submit(Answer("agent", t0, {})).ok());
  // An answer with no forecasts releases the tick without attaching anything.
  ASSERT_EQ(run->WaitForTick(1, kWait, &tick, GatewayRun::TickAudience::kForecaster),
            GatewayRun::TickWait::kTick);
  const absl::Time t1 = FromProtoTime(tick.time());
  v1::GetNetLoadChangeResponse none;
  *none.mutable_issue_time() = ToProtoTime(t1);
  run->AttachForecast(none);
  ASSERT_EQ(run->WaitForTick(1, kWait, &tick), GatewayRun::TickWait::kTick);
  EXPECT_FALSE(tick.has_forecast());
  // The forecaster goes away: the next tick is released without a forecast.
  run->ForecasterConnected(false);
  ASSERT_TRUE(run->Submit(Answer("agent", t1, {})).ok());
  ASSERT_EQ(run->WaitForTick(2, kWait, &tick), GatewayRun::TickWait::kTick);
  EXPECT_FALSE(tick.has_forecast());
  ASSERT_TRUE(run->Submit(Answer("agent", FromProtoTime(tick.time()), {})).ok());
  EXPECT_TRUE(run->WaitFinished(kWait));
}

// A connected forecaster that does not answer holds each interval tick for the forecast
// deadline only, and after max_consecutive_misses such ticks none at all; once it answers
// the newest tick again it is waited for again.
TEST_F(GatewayRunTest, ASilentForecasterIsWaitedForUpToItsDeadlineThenNoLonger) {
  GatewayRunOptions options = Options(8);
  options.forecast_deadline = absl::Seconds(1);
  options.max_consecutive_misses = 2;
  std::unique_ptr<GatewayRun> run = MakeRun(options);
  ASSERT_NE(run, nullptr);
  run->RegisterAgent("agent");
  run->ForecasterConnected(true);
  ASSERT_TRUE(run->Start().ok());
  v1::Tick tick;
  // Ticks 0 and 1: released without a forecast once the deadline has passed.
  for (size_t k = 0; k < 2; ++k) {
    ASSERT_EQ(run->WaitForTick(k, kWait, &tick, GatewayRun::TickAudience::kForecaster),
              GatewayRun::TickWait::kTick);
    EXPECT_EQ(run->WaitForTick(k, absl::Milliseconds(50), &tick), GatewayRun::TickWait::kTimeout)
        << "tick " << k << " was released before the forecaster's deadline";
    ASSERT_EQ(run->WaitForTick(k, kWait, &tick), GatewayRun::TickWait::kTick);
    EXPECT_FALSE(tick.has_forecast());
    ASSERT_TRUE(run->Submit(Answer("agent", FromProtoTime(tick.time()), {})).ok());
  }
  // Tick 2: two misses in a row, so it is released at once; the forecast that comes now
  // is too late for it, but makes the forecaster waited for again.
  ASSERT_EQ(run->WaitForTick(2, kWait, &tick, GatewayRun::TickAudience::kForecaster),
            GatewayRun::TickWait::kTick);
  const absl::Time t2 = FromProtoTime(tick.time());
  ASSERT_EQ(run->WaitForTick(2, absl::Milliseconds(200), &tick), GatewayRun::TickWait::kTick)
      << "a forecaster that missed twice in a row still held the tick";
  v1::GetNetLoadChangeResponse late;
  *late.mutable_issue_time() = ToProtoTime(t2);
  late.add_forecasts()->set_change_mw(7.0);
  run->AttachForecast(late);
  ASSERT_TRUE(run->Submit(Answer("agent", t2, {})).ok());
  ASSERT_EQ(run->WaitForTick(2, kWait, &tick), GatewayRun::TickWait::kTick);
  EXPECT_FALSE(tick.has_forecast());
  // Tick 3 waits for the forecaster again and carries its forecast.
  ASSERT_EQ(run->WaitForTick(3, kWait, &tick, GatewayRun::TickAudience::kForecaster),
            GatewayRun::TickWait::kTick);
  const absl::Time t3 = FromProtoTime(tick.time());
  EXPECT_EQ(run->WaitForTick(3, absl::Milliseconds(50), &tick), GatewayRun::TickWait::kTimeout);
  v1::GetNetLoadChangeResponse forecast;
  *forecast.mutable_issue_time() = ToProtoTime(t3);
  forecast.add_forecasts()->set_change_mw(3.0);
  run->AttachForecast(forecast);
  ASSERT_EQ(run->WaitForTick(3, kWait, &tick), GatewayRun::TickWait::kTick);
  ASSERT_TRUE(tick.has_forecast());
  EXPECT_EQ(tick.forecast().forecasts(0).change_mw(), 3.0);
  run->Stop();
}

TEST_F(GatewayRunTest, StopEndsAWaitingRun) {
  std::unique_ptr<GatewayRun> run = MakeRun(Options(50));
  ASSERT_NE(run, nullptr);
  run->RegisterAgent("agent");
  ASSERT_TRUE(run->Start().ok());
  v1::Tick tick;
  ASSERT_EQ(run->WaitForTick(0, kWait, &tick), GatewayRun::TickWait::kTick);
  run->Stop();  // the run is waiting for our answer to tick 0 (deadline 60 s)
  EXPECT_EQ(run->WaitForTick(1, kWait, &tick), GatewayRun::TickWait::kFinished);
  run.reset();  // joins the loop thread
}

// The tick listener pushes a released tick to the agents' sessions before any other
// follower (Subscribe) is woken for it: inside the listener the agents' view has the tick
// and the followers' does not yet; once the listener returns, the followers see it too.
TEST_F(GatewayRunTest, TheAgentsAreSentATickBeforeTheOtherFollowersSeeIt) {
  std::unique_ptr<GatewayRun> run = MakeRun(Options(3));
  ASSERT_NE(run, nullptr);
  run->RegisterAgent("agent");
  absl::Mutex mu;
  int calls_with_agents_tick = 0;
  GatewayRun* raw = run.get();
  run->SetTickListener([&] {
    v1::Tick tick;
    const bool agents =
        raw->WaitForTick(0, absl::ZeroDuration(), &tick, GatewayRun::TickAudience::kAgents) ==
        GatewayRun::TickWait::kTick;
    const bool followers =
        raw->WaitForTick(0, absl::ZeroDuration(), &tick, GatewayRun::TickAudience::kFollowers) ==
        GatewayRun::TickWait::kTick;
    absl::MutexLock lock(&mu);
    if (agents && calls_with_agents_tick++ == 0) {
      EXPECT_FALSE(followers) << "a follower saw tick 0 before the agents' sessions were sent it";
    }
  });
  ASSERT_TRUE(run->Start().ok());
  v1::Tick tick;
  ASSERT_EQ(run->WaitForTick(0, kWait, &tick), GatewayRun::TickWait::kTick);
  EXPECT_EQ(tick.sequence(), 0);
  run->SetTickListener(nullptr);
  run->Stop();
  run.reset();
  absl::MutexLock lock(&mu);
  EXPECT_GE(calls_with_agents_tick, 1);
}

// Live mode on a fake wall clock: 30 minutes of simulated time in 10 s steps, paced at
// 2 s of wall time a tick, run through in a fraction of a second of real time. Each time
// the run sleeps, the test checks that the tick just published came when it was due, the
// next has not come early, and every step before it is settled; then it wakes the run.
TEST_F(GatewayRunTest, LiveModePacesTicksOnTheInjectedWallClock) {
  constexpr absl::Duration kStep = absl::Seconds(10);
  constexpr absl::Duration kPeriod = absl::Seconds(2);
  constexpr int kTicks = 180;  // one half-hour
  const absl::Time wall_start = absl::FromUnixSeconds(1'800'000'000);
  GatewayRunOptions options = Options(1);
  options.mode = v1::CLOCK_MODE_LIVE;
  options.step = kStep;
  options.live_tick_period = kPeriod;
  base::FakeClock wall(wall_start);
  MemoryStore store;
  absl::StatusOr<std::unique_ptr<GatewayRun>> created = CreateRun(options, &store, {}, &wall);
  ASSERT_TRUE(created.ok()) << created.status();
  std::unique_ptr<GatewayRun> run = *std::move(created);
  // However the test ends, the run is stopped and woken before it is destroyed.
  struct Release {
    GatewayRun* run;
    base::FakeClock* wall;
    ~Release() {
      run->Stop();
      wall->Set(absl::InfiniteFuture());
    }
  } release{run.get(), &wall};
  EXPECT_EQ(run->Status().ticks_total(), kTicks);
  EXPECT_EQ(wall.AwaitSleeper(absl::ZeroDuration()), std::nullopt);  // not started
  ASSERT_TRUE(run->Start().ok());

  for (int k = 0; k < kTicks; ++k) {
    SCOPED_TRACE(k);
    const std::optional<absl::Time> due = wall.AwaitSleeper(kWait);
    ASSERT_TRUE(due.has_value());
    EXPECT_EQ(*due, wall_start + (k + 1) * kPeriod);
    EXPECT_EQ(wall.Now(), wall_start + k * kPeriod);
    const absl::Time t = options.replay_from + k * kStep;
    v1::Tick tick;
    ASSERT_EQ(run->WaitForTick(k, absl::ZeroDuration(), &tick), GatewayRun::TickWait::kTick);
    EXPECT_EQ(FromProtoTime(tick.time()), t);
    EXPECT_EQ(FromProtoTime(tick.step().start()), t - kStep);
    EXPECT_EQ(FromProtoDuration(tick.step().duration()), kStep);
    // The step before was applied with the discharge asked for at tick 0 (10 minutes).
    EXPECT_NEAR(tick.step().dispatch_mw(), (k >= 1 && k <= 60) ? kDischargeMw : 0.0, 1e-9);
    v1::Tick next;
    EXPECT_EQ(run->WaitForTick(k + 1, absl::ZeroDuration(), &next), GatewayRun::TickWait::kTimeout);
    const v1::GetClockStatusResponse status = run->Status();
    EXPECT_EQ(status.ticks_done(), k);
    EXPECT_EQ(FromProtoTime(status.now()), t);
    if (k == 0) {
      absl::StatusOr<std::vector<v1::ProposalResult>> results =
          run->Submit(Answer("agent", t, {BatteryProposal(kDischargeMw, t, absl::Minutes(10))}));
      ASSERT_TRUE(results.ok()) << results.status();
    }
    wall.Set(*due);
  }
  ASSERT_TRUE(run->WaitFinished(kWait));
  const v1::GetClockStatusResponse status = run->Status();
  EXPECT_EQ(status.state(), v1::RUN_STATE_FINISHED);
  EXPECT_EQ(status.ticks_done(), kTicks);
  EXPECT_EQ(FromProtoTime(status.now()), options.replay_to);
  EXPECT_EQ(wall.Now(), wall_start + kTicks * kPeriod);
  const v1::GetPnlResponse pnl = run->Pnl();
  ASSERT_EQ(pnl.dispatches(0).asset_id(), "battery-1");
  EXPECT_EQ(pnl.dispatches(0).intervals_dispatched(), 60);
  EXPECT_NEAR(pnl.dispatches(0).energy_mwh(), kDischargeMw / 6.0, 1e-9);
  EXPECT_TRUE(run->Failure().ok()) << run->Failure();
  // Live mode commits every step: an operator may be reading the store.
  EXPECT_EQ(store.intervals(), kTicks);
  EXPECT_GE(store.flushes(), kTicks);
  EXPECT_EQ(store.proposals(), 1);
}

// The process's resident set size in MB, from /proc/self/statm.
double ResidentMb() {
  std::ifstream statm("/proc/self/statm");
  long size_pages = 0, resident_pages = 0;
  statm >> size_pages >> resident_pages;
  return static_cast<double>(resident_pages) * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1e6;
}

// docs/decisions.md, "Memory bounds": a simulated week live, one-minute steps, with an
// agent that answers every tick with fresh idempotency keys (and retries each answer
// once). The ticks and keys the run holds stay flat after the first windows, and so does
// the process's resident size.
TEST_F(GatewayRunTest, AWeekLiveKeepsTicksKeysAndMemoryBounded) {
  constexpr absl::Duration kStep = absl::Minutes(1);
  constexpr absl::Duration kPeriod = absl::Seconds(5);
  constexpr int kTicks = 7 * 24 * 60;
  constexpr absl::Duration kTickWindow = absl::Hours(2);
  constexpr absl::Duration kKeyWindow = absl::Hours(1);
  const absl::Time wall_start = absl::FromUnixSeconds(1'800'000'000);
  GatewayRunOptions options = Options(kTicks * kStep / base::kHalfHour);
  options.mode = v1::CLOCK_MODE_LIVE;
  options.step = kStep;
  options.live_tick_period = kPeriod;
  options.tick_window = kTickWindow;
  options.idempotency_key_window = kKeyWindow;
  base::FakeClock wall(wall_start);
  absl::StatusOr<std::unique_ptr<GatewayRun>> created = CreateRun(
      options, nullptr, {}, &wall, /*series_length=*/kTicks * kStep / base::kHalfHour + 2);
  ASSERT_TRUE(created.ok()) << created.status();
  std::unique_ptr<GatewayRun> run = *std::move(created);
  struct Release {
    GatewayRun* run;
    base::FakeClock* wall;
    ~Release() {
      run->Stop();
      wall->Set(absl::InfiniteFuture());
    }
  } release{run.get(), &wall};
  ASSERT_EQ(run->Status().ticks_total(), kTicks);
  ASSERT_TRUE(run->Start().ok());

  // Held at tick k once warm: the ticks of the last two hours, and the keys of leases
  // that ended less than an hour before the last step applied, or have not ended.
  const size_t kTicksKept = kTickWindow / kStep + 1;
  // Per tick: one key for a one-step lease and one for a half-hour lease.
  const size_t kKeysBound = (kKeyWindow + kStep) / kStep + (kKeyWindow + base::kHalfHour) / kStep;
  size_t max_ticks = 0, min_ticks = SIZE_MAX, max_keys = 0, min_keys = SIZE_MAX;
  double quarter_mb = 0.0;
  for (int k = 0; k < kTicks; ++k) {
    const std::optional<absl::Time> due = wall.AwaitSleeper(kWait);
    ASSERT_TRUE(due.has_value()) << k;
    const absl::Time t = options.replay_from + k * kStep;
    v1::Tick tick;
    ASSERT_EQ(run->WaitForTick(k, absl::ZeroDuration(), &tick), GatewayRun::TickWait::kTick);
    ASSERT_EQ(tick.sequence(), k);
    v1::DispatchProposal now = BatteryProposal(k % 2 == 0 ? 2.0 : -2.0, t, kStep);
    now.set_idempotency_key(absl::StrCat("now/", k));
    v1::DispatchProposal half_hour = BatteryProposal(1.0, t, base::kHalfHour);
    half_hour.set_priority(v1::DISPATCH_PRIORITY_TRADING);
    half_hour.set_idempotency_key(absl::StrCat("half-hour/", k));
    const v1::SubmitDispatchRequest answer = Answer("agent", t, {now, half_hour});
    absl::StatusOr<std::vector<v1::ProposalResult>> first = run->Submit(answer);
    ASSERT_TRUE(first.ok()) << first.status();
    absl::StatusOr<std::vector<v1::ProposalResult>> retry = run->Submit(answer);
    ASSERT_TRUE(retry.ok()) << retry.status();
    ASSERT_TRUE((*retry)[0].duplicate() && (*retry)[1].duplicate()) << k;
    ASSERT_EQ((*retry)[0].proposal_id(), (*first)[0].proposal_id());

    const GatewayRun::Retained held = run->RetainedCounts();
    ASSERT_LE(held.ticks, kTicksKept) << k;
    ASSERT_LE(held.idempotency_keys, kKeysBound) << k;
    if (k >= kTicks / 4) {
      max_ticks = std::max(max_ticks, held.ticks);
      min_ticks = std::min(min_ticks, held.ticks);
      max_keys = std::max(max_keys, held.idempotency_keys);
      min_keys = std::min(min_keys, held.idempotency_keys);
    }
    if (k == kTicks / 4) quarter_mb = ResidentMb();
    wall.Set(*due);
  }
  ASSERT_TRUE(run->WaitFinished(kWait));
  const double end_mb = ResidentMb();
  EXPECT_TRUE(run->Failure().ok()) << run->Failure();
  EXPECT_EQ(run->Status().ticks_done(), kTicks);
  // Flat after warm-up: the same number of ticks, the keys within one tick's two.
  EXPECT_EQ(min_ticks, kTicksKept);
  EXPECT_EQ(max_ticks, kTicksKept);
  EXPECT_LE(max_keys - min_keys, 2u);
  EXPECT_GE(min_keys, kKeysBound - 4);
  std::cout << "week live: " << kTicks << " ticks; held " << max_ticks << " ticks and " << min_keys
            << ".." << max_keys << " idempotency keys; resident " << quarter_mb
            << " MB at a quarter, " << end_mb << " MB at the end\n";
  // Bounded, it grows by well under 1 MB; keeping every tick and key it grew by about
  // 17 MB over the last three quarters (docs/decisions.md, "Memory bounds").
  EXPECT_LT(end_mb - quarter_mb, 5.0);

  // A subscriber resuming from the run's start gets the oldest tick still kept.
  v1::Tick oldest;
  ASSERT_EQ(run->WaitForTick(0, absl::ZeroDuration(), &oldest), GatewayRun::TickWait::kTick);
  EXPECT_EQ(oldest.sequence(), kTicks - static_cast<int64_t>(kTicksKept));
  EXPECT_EQ(FromProtoTime(oldest.time()), options.replay_from + (kTicks - 1) * kStep - kTickWindow);
}

// docs/decisions.md, "Audit writes": a proposal whose audit row cannot be written is
// refused, the run stops before its next step, so nothing it asked for is ever applied,
// and every later call is told why.
TEST_F(GatewayRunTest, AProposalTheAuditLogCannotRecordIsRefusedAndStopsTheRun) {
  MemoryStore store;
  absl::Time t0;
  std::unique_ptr<GatewayRun> run = StartWithOneAgent(Options(10), &store, &t0);
  ASSERT_NE(run, nullptr);
  ASSERT_TRUE(run->Submit(Answer("agent", t0, {BatteryProposal(kDischargeMw, t0)})).ok());
  v1::Tick tick;
  ASSERT_EQ(run->WaitForTick(1, kWait, &tick), GatewayRun::TickWait::kTick);
  const absl::Time t1 = FromProtoTime(tick.time());

  store.FailProposals(absl::InternalError("sqlite: disk I/O error"));
  absl::StatusOr<std::vector<v1::ProposalResult>> refused =
      run->Submit(Answer("agent", t1, {BatteryProposal(-10, t1)}));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("audit log"));
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("disk I/O error"));
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("run is stopped"));

  ASSERT_TRUE(run->WaitFinished(kWait));
  EXPECT_EQ(run->Failure().code(), absl::StatusCode::kInternal);
  const v1::GetClockStatusResponse status = run->Status();
  EXPECT_EQ(status.state(), v1::RUN_STATE_FINISHED);
  EXPECT_EQ(status.ticks_done(), 1);  // step 0 only: the charge was never applied
  const v1::GetPnlResponse pnl = run->Pnl();
  EXPECT_EQ(pnl.dispatches(0).intervals_dispatched(), 1);
  EXPECT_NEAR(pnl.dispatches(0).energy_mwh(), kDischargeMw * 0.5, 1e-9);
  EXPECT_EQ(store.intervals(), 1);
  EXPECT_EQ(store.proposals(), 1);

  store.FailProposals(absl::OkStatus());  // even with the store back, the run stays stopped
  EXPECT_EQ(run->Submit(Answer("agent", t1, {BatteryProposal(5, t1)})).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(run->Submit(v1::SubmitDispatchRequest()).status().message()),
              HasSubstr("disk I/O error"));
  EXPECT_EQ(run->Cancel(1).code(), absl::StatusCode::kFailedPrecondition);
}

// A refusal the audit log cannot record is still a refusal, and it too stops the run.
TEST_F(GatewayRunTest, ARefusalTheAuditLogCannotRecordStillRefusesAndStopsTheRun) {
  MemoryStore store;
  absl::Time t;
  std::unique_ptr<GatewayRun> run = StartWithOneAgent(Options(10), &store, &t);
  ASSERT_NE(run, nullptr);
  store.FailProposals(absl::UnavailableError("sqlite: database is locked"));
  absl::StatusOr<std::vector<v1::ProposalResult>> refused =
      run->Submit(Answer("agent", t, {BatteryProposal(80, t)}));  // beyond the battery
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("power_mw"));
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("database is locked"));
  ASSERT_TRUE(run->WaitFinished(kWait));
  EXPECT_EQ(run->Failure().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(run->Status().ticks_done(), 0);
}

// A step whose record fails has been applied (physics is not undone), but the run stops
// there, naming the step, and settles nothing more.
TEST_F(GatewayRunTest, AStepTheAuditLogCannotRecordStopsTheRun) {
  MemoryStore store;
  store.FailIntervalsAfter(3, absl::InternalError("sqlite: database or disk is full"));
  const GatewayRunOptions options = Options(10);
  std::unique_ptr<GatewayRun> run = MakeRun(options, &store);
  ASSERT_NE(run, nullptr);
  ASSERT_TRUE(run->Start().ok());  // no agent: nothing is waited for
  ASSERT_TRUE(run->WaitFinished(kWait));
  const absl::Status failure = run->Failure();
  EXPECT_EQ(failure.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(failure.message()),
              HasSubstr(base::FormatUtcTimestamp(options.replay_from + 3 * base::kHalfHour)));
  EXPECT_THAT(std::string(failure.message()), HasSubstr("disk is full"));
  const v1::GetClockStatusResponse status = run->Status();
  EXPECT_EQ(status.state(), v1::RUN_STATE_FINISHED);
  EXPECT_EQ(status.ticks_done(), 4);
  EXPECT_EQ(status.ticks_total(), 10);
  // The clock status says the run failed, and why.
  EXPECT_THAT(status.failure(), HasSubstr("INTERNAL: audit log: cannot record the step at"));
  EXPECT_EQ(store.intervals(), 3);
  EXPECT_EQ(run->Submit(v1::SubmitDispatchRequest()).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace gridpilot
