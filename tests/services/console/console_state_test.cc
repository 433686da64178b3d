// ConsoleState: gRPC messages in, the page's JSON out. Ticks become columns (step reading
// preferred, SoC and peaker from the assets), forecasts carry the forecast service's interval
// as their band, deltas after an index, range filters, anomaly de-duplication,
// events joined with the decision applied at their decision time, and source errors.
#include "services/console/console_state.h"

#include <cmath>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/proto_time.h"
#include "services/console/served_models_report.h"

namespace gridpilot {
namespace {

using nlohmann::json;

const absl::Time kT0 = absl::FromUnixSeconds(1678233600);  // 2023-03-08T00:00:00Z

v1::Tick IntervalTick(int i, std::optional<double> net_load_mw, double soc_mwh,
                      v1::PeakerStatus peaker = v1::PEAKER_STATUS_OFF) {
  v1::Tick tick;
  tick.set_sequence(i);
  *tick.mutable_time() = ToProtoTime(kT0 + absl::Minutes(30) * (i + 1));
  *tick.mutable_measured_interval_start() = ToProtoTime(kT0 + absl::Minutes(30) * i);
  if (net_load_mw) tick.set_net_load_mw(*net_load_mw);
  tick.set_interval_boundary(true);
  v1::Asset* battery = tick.add_assets();
  battery->set_id("battery-1");
  battery->mutable_battery()->set_soc_mwh(soc_mwh);
  battery->mutable_battery()->set_power_mw(-5.0);
  v1::Asset* p = tick.add_assets();
  p->set_id("peaker-1");
  p->mutable_peaker()->set_status(peaker);
  p->mutable_peaker()->set_output_mw(peaker == v1::PEAKER_STATUS_ON ? 20.0 : 0.0);
  return tick;
}

// A forecast issued at the decision time of tick i: +change_mw for 30 min.
v1::GetNetLoadChangeResponse Forecast(int i, double last_mw, double change_mw) {
  v1::GetNetLoadChangeResponse f;
  const absl::Time issue = kT0 + absl::Minutes(30) * (i + 1);
  *f.mutable_issue_time() = ToProtoTime(issue);
  f.set_last_net_load_mw(last_mw);
  v1::HorizonForecast* h = f.add_forecasts();
  *h->mutable_horizon() = ToProtoDuration(absl::Minutes(30));
  *h->mutable_target_interval_start() = ToProtoTime(issue);
  h->set_change_mw(change_mw);
  return f;
}

double Unix(absl::Time t) { return static_cast<double>(absl::ToUnixSeconds(t)); }

TEST(ConsoleStateTest, TicksBecomeColumnsWithAssetState) {
  ConsoleState state;
  state.AddTick(IntervalTick(0, 200.0, 50.0));
  state.AddTick(IntervalTick(1, std::nullopt, 48.0, v1::PEAKER_STATUS_ON));
  const json s = state.Snapshot({});
  EXPECT_TRUE(s["reset"].get<bool>());
  EXPECT_EQ(s["ticks"]["t"], json({Unix(kT0 + absl::Minutes(30)), Unix(kT0 + absl::Minutes(60))}));
  EXPECT_EQ(s["ticks"]["net_load_mw"], json({200.0, nullptr}));
  EXPECT_EQ(s["ticks"]["interval_net_load_mw"], json({200.0, nullptr}));
  EXPECT_EQ(s["ticks"]["soc_mwh"], json({50.0, 48.0}));
  EXPECT_EQ(s["ticks"]["battery_mw"], json({-5.0, -5.0}));
  EXPECT_EQ(s["ticks"]["peaker_status"], json({"off", "on"}));
  EXPECT_EQ(s["ticks"]["peaker_mw"], json({0.0, 20.0}));
  EXPECT_TRUE(s["pnl"].is_null());
  EXPECT_TRUE(s["schedule"].is_null());
}

TEST(ConsoleStateTest, StepReadingIsPreferredAndOutOfOrderTicksIgnored) {
  ConsoleState state;
  v1::Tick tick = IntervalTick(3, 200.0, 50.0);
  tick.mutable_step()->set_net_load_mw(212.5);
  state.AddTick(tick);
  state.AddTick(IntervalTick(2, 190.0, 50.0));  // earlier than the last: ignored
  const json s = state.Snapshot({});
  EXPECT_EQ(s["ticks"]["net_load_mw"], json({212.5}));
  EXPECT_EQ(s["ticks"]["interval_net_load_mw"], json({200.0}));  // as reported, for the interval
}

// The band is the forecast service's interval, passed through: none while the service
// gave none, then last + change +/- the half-width it served.
TEST(ConsoleStateTest, SilentTelemetryIsShownFromItsFirstSilentStepUntilDataReturns) {
  ConsoleState state;
  auto step = [](int i, bool silent) {
    v1::Tick tick = IntervalTick(i, 200.0, 50.0);
    *tick.mutable_step()->mutable_start() = tick.measured_interval_start();
    tick.mutable_step()->set_source_silent(silent);
    return tick;
  };
  state.AddTick(step(0, false));
  EXPECT_FALSE(state.Snapshot({})["telemetry"]["silent"].get<bool>());
  EXPECT_TRUE(state.Snapshot({})["telemetry"]["silent_since_t"].is_null());
  state.AddTick(step(1, true));
  state.AddTick(step(2, true));
  json s = state.Snapshot({});
  EXPECT_TRUE(s["telemetry"]["silent"].get<bool>());
  EXPECT_EQ(s["telemetry"]["silent_since_t"].get<double>(), Unix(kT0 + absl::Minutes(30)));
  state.AddTick(step(3, false));
  s = state.Snapshot({});
  EXPECT_FALSE(s["telemetry"]["silent"].get<bool>());
  EXPECT_TRUE(s["telemetry"]["silent_since_t"].is_null());
}

TEST(ConsoleStateTest, BandIsTheServicesInterval) {
  ConsoleState state;
  state.AddTick(IntervalTick(0, 200.0, 50.0));
  state.AddForecast(Forecast(0, 200.0, 5.0));  // 205, no interval yet
  state.AddTick(IntervalTick(1, 210.0, 50.0));
  v1::GetNetLoadChangeResponse with_interval = Forecast(1, 210.0, 10.0);  // 220 +/- 10
  with_interval.mutable_forecasts(0)->set_lower_change_mw(0.0);
  with_interval.mutable_forecasts(0)->set_upper_change_mw(20.0);
  with_interval.set_interval_coverage(0.9);
  state.AddForecast(with_interval);
  const json s = state.Snapshot({});
  const json& f = s["forecast"];
  EXPECT_EQ(f["net_load_mw"], json({205.0, 220.0}));
  EXPECT_TRUE(f["lower_mw"][0].is_null());
  EXPECT_DOUBLE_EQ(f["lower_mw"][1].get<double>(), 210.0);
  EXPECT_DOUBLE_EQ(f["upper_mw"][1].get<double>(), 230.0);
  EXPECT_DOUBLE_EQ(s["band_coverage"].get<double>(), 0.9);
  const json latest = s["latest_forecast"];
  EXPECT_EQ(latest["points"][0]["horizon_min"], 30);
  EXPECT_DOUBLE_EQ(latest["points"][0]["upper_mw"].get<double>(), 230.0);
}

TEST(ConsoleStateTest, DeltaAfterIndexAndReset) {
  ConsoleState state;
  state.AddTick(IntervalTick(0, 200.0, 50.0));
  state.AddTick(IntervalTick(1, 201.0, 50.0));
  const json all = state.Snapshot({});
  const int64_t seen = all["last_index"].get<int64_t>();
  state.AddTick(IntervalTick(2, 202.0, 50.0));
  SnapshotQuery q;
  q.after = seen;
  const json delta = state.Snapshot(q);
  EXPECT_FALSE(delta["reset"].get<bool>());
  EXPECT_EQ(delta["ticks"]["net_load_mw"], json({202.0}));
  EXPECT_GT(delta["version"].get<int64_t>(), all["version"].get<int64_t>());
}

TEST(ConsoleStateTest, ClientBehindDroppedPointsMustReset) {
  ConsoleStateOptions options;
  options.max_points = 2;
  ConsoleState state(options);
  for (int i = 0; i < 4; ++i) state.AddTick(IntervalTick(i, 200.0 + i, 50.0));
  SnapshotQuery q;
  q.after = 0;  // saw index 0; 1 was dropped since
  const json s = state.Snapshot(q);
  EXPECT_TRUE(s["reset"].get<bool>());
  EXPECT_EQ(s["ticks"]["net_load_mw"], json({202.0, 203.0}));
}

TEST(ConsoleStateTest, RangeFilterKeepsOnlyPointsInside) {
  ConsoleState state;
  for (int i = 0; i < 4; ++i) state.AddTick(IntervalTick(i, 200.0 + i, 50.0));
  SnapshotQuery q;
  q.from = kT0 + absl::Minutes(60);
  q.to = kT0 + absl::Minutes(120);  // ticks at 60 and 90 min
  EXPECT_EQ(state.Snapshot(q)["ticks"]["net_load_mw"], json({201.0, 202.0}));
}

TEST(ConsoleStateTest, AnomalyIsKeptOncePerIntervalWithCause) {
  ConsoleState state;
  v1::Anomaly a;
  *a.mutable_interval_start() = ToProtoTime(kT0);
  a.set_series("net_load_mw");
  a.set_value(290.0);
  a.set_kind(v1::ANOMALY_KIND_SPIKE);
  a.set_cause("first");
  a.set_residual_z(NAN);
  state.AddAnomaly(a);
  a.set_kind(v1::ANOMALY_KIND_FALSE_DATA);
  a.set_cause("residual 7.1 sigma above the seasonal forecast");
  a.set_suspect(true);
  state.AddAnomaly(a);
  const json list = state.Snapshot({})["anomalies"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["kind"], "false_data");
  EXPECT_EQ(list[0]["cause"], "residual 7.1 sigma above the seasonal forecast");
  EXPECT_TRUE(list[0]["suspect"].get<bool>());
  EXPECT_TRUE(list[0]["residual_z"].is_null());
  EXPECT_DOUBLE_EQ(list[0]["t"].get<double>(), Unix(kT0));
}

TEST(ConsoleStateTest, EventCarriesDecisionAppliedAtItsDecisionTime) {
  ConsoleState state;
  v1::ListEventsResponse events;
  v1::RampEvent* e = events.add_events();
  e->set_kind(v1::RAMP_EVENT_KIND_MEASURED);
  *e->mutable_interval_start() = ToProtoTime(kT0);
  *e->mutable_detected_at() = ToProtoTime(kT0 + absl::Minutes(30));
  e->set_change_mw(24.0);
  e->set_limit_mw(15.0);
  e->set_decision("battery-1 10.0 MW");
  state.SetEvents(events);
  v1::ListDecisionsResponse decisions;
  for (int i = 0; i < 2; ++i) {
    v1::Decision* d = decisions.add_decisions();
    *d->mutable_interval_start() = ToProtoTime(kT0 + absl::Minutes(30) * (i + 1));
    d->set_asset_id("battery-1");
    d->set_agent("response");
    d->set_applied_mw(10.0 + i);
  }
  state.SetDecisions(decisions);
  const json s = state.Snapshot({});
  ASSERT_EQ(s["events"].size(), 1u);
  EXPECT_EQ(s["events"][0]["kind"], "measured");
  ASSERT_EQ(s["events"][0]["applied"].size(), 1u);
  EXPECT_DOUBLE_EQ(s["events"][0]["applied"][0]["applied_mw"].get<double>(), 10.0);
  EXPECT_EQ(s["decisions"].size(), 2u);
}

TEST(ConsoleStateTest, PnlScheduleAndSourcesAreReported) {
  ConsoleState state;
  v1::GetPnlResponse pnl;
  v1::CauseTotal* c = pnl.add_by_cause();
  c->set_cause(v1::LEDGER_CAUSE_ARBITRAGE_SOLD);
  c->set_amount_gbp(120.5);
  pnl.set_net_gbp(120.5);
  state.SetPnl(pnl);
  v1::GetScheduleResponse schedule;
  *schedule.mutable_planned_at() = ToProtoTime(kT0);
  v1::ScheduledInterval* i = schedule.add_intervals();
  *i->mutable_interval_start() = ToProtoTime(kT0 + absl::Minutes(30));
  i->set_power_mw(-20.0);
  state.SetSchedule(schedule);
  state.SetSourceStatus("trader", "code 14: connection refused");
  state.SetSourceStatus("ledger", "");
  const json s = state.Snapshot({});
  EXPECT_EQ(s["pnl"]["by_cause"][0]["cause"], "arbitrage_sold");
  EXPECT_DOUBLE_EQ(s["pnl"]["net_gbp"].get<double>(), 120.5);
  EXPECT_EQ(s["schedule"]["intervals"]["power_mw"], json({-20.0}));
  EXPECT_FALSE(s["sources"]["trader"]["ok"].get<bool>());
  EXPECT_TRUE(s["sources"]["ledger"]["ok"].get<bool>());
  EXPECT_EQ(state.SourceErrors().size(), 1u);
}

TEST(ConsoleStateTest, WaitForChangeReturnsOnChangeOrTimeout) {
  ConsoleState state;
  const int64_t v0 = state.version();
  EXPECT_EQ(state.WaitForChange(v0, absl::Milliseconds(10)), v0);
  state.AddTick(IntervalTick(0, 200.0, 50.0));
  EXPECT_GT(state.WaitForChange(v0, absl::Seconds(5)), v0);
}

}  // namespace
}  // namespace gridpilot

namespace gridpilot {
namespace {

TEST(ConsoleStateTest, SupervisedProcessesAreInTheSnapshotAndChangeOnlyWhenTheyDo) {
  ConsoleState state;
  EXPECT_EQ(state.Snapshot({})["processes"], nlohmann::json::array());
  const nlohmann::json processes = nlohmann::json::parse(
      R"([{"name":"trader","pid":12,"state":"restarting","restarts":2,"last_exit":"signal 9",
           "last_restart_utc":"2026-01-01T00:00:00Z"}])");
  const int64_t before = state.version();
  state.SetProcesses(processes);
  const int64_t after = state.version();
  EXPECT_GT(after, before);
  EXPECT_EQ(state.Snapshot({})["processes"], processes);
  state.SetProcesses(processes);  // the same again: no change for long-polling pages
  EXPECT_EQ(state.version(), after);
  nlohmann::json running = processes;
  running[0]["state"] = "running";
  state.SetProcesses(running);
  EXPECT_GT(state.version(), after);
  EXPECT_EQ(state.Snapshot({})["processes"][0]["state"], "running");
}

TEST(ConsoleStateTest, ModelsAreShownAsSetAndOnlyAChangeCounts) {
  ConsoleState state;
  EXPECT_TRUE(state.Snapshot({})["models"].is_null());
  v1::GetModelsResponse response;
  response.set_retrain_every("month");
  response.set_retrain_at("00:30");
  response.set_retrain_training_days(35);
  *response.mutable_latest_issue_time() = ToProtoTime(absl::FromUnixSeconds(1675209600 + 86400));
  v1::ServedModelRecord* model = response.add_models();
  model->set_source("retrain");
  *model->mutable_cutoff() = ToProtoTime(absl::FromUnixSeconds(1675209600));  // 2023-02-01
  *model->mutable_first_issue_time() = model->cutoff();
  const json models = ServedModelsJson(response);
  const int64_t before = state.version();
  state.SetModels(models);
  const int64_t after = state.version();
  EXPECT_GT(after, before);
  const json shown = state.Snapshot({})["models"];
  EXPECT_EQ(shown["every"], "month");
  EXPECT_EQ(shown["cutoffs"], json::array({"2023-02-01T00:00:00Z"}));
  EXPECT_EQ(shown["models"][0]["first_issue_time"], "2023-02-01T00:00:00Z");
  EXPECT_EQ(shown["models"][0]["age_seconds"], 86400.0);
  state.SetModels(models);  // the same again: no change for long-polling pages
  EXPECT_EQ(state.version(), after);
}

}  // namespace
}  // namespace gridpilot
