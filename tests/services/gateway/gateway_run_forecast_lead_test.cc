// GatewayRun with forecast_lead_ticks: in lock-step the forecaster is sent the data part of
// ticks ahead of the agents (docs/decisions.md, "The forecaster ahead of the agents"). What
// it is sent ahead carries data only (no asset, dispatch or step reading: nothing the
// agents decide), measured before the tick's time, and is the same whatever the agents
// decide; its answers ride on their own ticks only.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/clock.h"
#include "core/base/time_util.h"
#include "gtest/gtest.h"
#include "services/common/proto_time.h"
#include "services/gateway/gateway_run.h"
#include "services/gateway/grid_feed.h"

namespace gridpilot {
namespace {

const absl::Time kSeriesStart = *base::ParseUtcTimestamp("2023-01-01T00:00:00Z");
constexpr absl::Duration kWait = absl::Seconds(60);  // only a hang reaches it
constexpr absl::Duration kShortWait = absl::Milliseconds(50);

// A lock-step run of `ticks` intervals of a ramp with a price that swings, so that a
// battery told to discharge changes what the assets show.
absl::StatusOr<std::unique_ptr<GatewayRun>> CreateRun(int ticks, int lead) {
  std::vector<data::GridInterval> intervals;
  for (size_t i = 0; i < 40; ++i) {
    intervals.push_back(data::GridInterval{
        kSeriesStart + i * base::kHalfHour, (300.0 + 3.0 * static_cast<double>(i)) * 100,
        static_cast<double>(i % 5) * 100, 2000.0, 40.0 + static_cast<double>(i % 7) * 10});
  }
  data::GridSeries series = *data::GridSeries::Create(std::move(intervals));
  GatewayRunOptions options;
  options.replay_from = kSeriesStart + base::kHalfHour;
  options.replay_to = options.replay_from + ticks * base::kHalfHour;
  options.answer_deadline = kWait;
  options.forecast_deadline = kWait;
  options.forecast_lead_ticks = lead;
  GatewayConfig config;
  absl::StatusOr<std::unique_ptr<data::TelemetrySource>> feed =
      MakeGridFeed(config, series, options);
  if (!feed.ok()) return feed.status();
  static base::SystemClock* const wall = new base::SystemClock;
  return GatewayRun::Create(std::move(config), std::move(series), options, *std::move(feed), wall,
                            nullptr);
}

v1::GetNetLoadChangeResponse Forecast(const v1::Tick& tick, double change_mw) {
  v1::GetNetLoadChangeResponse forecast;
  *forecast.mutable_issue_time() = tick.time();
  forecast.add_forecasts()->set_change_mw(change_mw);
  return forecast;
}

v1::SubmitDispatchRequest Answer(const v1::Tick& tick, double discharge_mw) {
  v1::SubmitDispatchRequest request;
  request.set_agent("agent");
  *request.mutable_answers_tick() = tick.time();
  if (discharge_mw != 0.0) {
    v1::DispatchProposal* p = request.add_proposals();
    p->set_asset_id("battery-1");
    p->set_priority(v1::DISPATCH_PRIORITY_RESILIENCE);
    p->set_power_mw(discharge_mw);
    *p->mutable_start() = tick.time();
    *p->mutable_end() = ToProtoTime(FromProtoTime(tick.time()) + base::kHalfHour);
    p->set_idempotency_key(absl::StrCat("k", tick.sequence()));
  }
  return request;
}

TEST(GatewayRunForecastLeadTest, TheForecasterIsSentDataTicksAheadAndEachForecastRidesOnItsTick) {
  absl::StatusOr<std::unique_ptr<GatewayRun>> created = CreateRun(6, 2);
  ASSERT_TRUE(created.ok()) << created.status();
  GatewayRun& run = **created;
  run.RegisterAgent("agent");
  run.ForecasterConnected(true);
  ASSERT_TRUE(run.Start().ok());
  constexpr auto kForecaster = GatewayRun::TickAudience::kForecaster;
  // Before anything is answered the forecaster has ticks 0, 1 and 2, and no more.
  std::vector<v1::Tick> seen(3);
  for (size_t k = 0; k < 3; ++k) {
    ASSERT_EQ(run.WaitForTick(k, kWait, &seen[k], kForecaster), GatewayRun::TickWait::kTick) << k;
    ASSERT_EQ(seen[k].sequence(), static_cast<int64_t>(k));
  }
  v1::Tick tick;
  EXPECT_EQ(run.WaitForTick(3, kShortWait, &tick, kForecaster), GatewayRun::TickWait::kTimeout);
  // Ticks sent ahead are data only, measured before their time.
  for (size_t k = 1; k < 3; ++k) {
    EXPECT_EQ(seen[k].assets_size(), 0) << k;
    EXPECT_FALSE(seen[k].has_step()) << k;
    EXPECT_EQ(seen[k].dispatch_mw(), 0.0) << k;
    EXPECT_FALSE(seen[k].has_forecast()) << k;
    EXPECT_EQ(FromProtoTime(seen[k].measured_interval_start()) + base::kHalfHour,
              FromProtoTime(seen[k].time()))
        << k;
    EXPECT_TRUE(seen[k].has_net_load_mw()) << k;
  }
  // Answers ahead, out of order; one to a tick not sent yet is ignored.
  v1::Tick not_sent = seen[2];
  *not_sent.mutable_time() = ToProtoTime(FromProtoTime(seen[2].time()) + base::kHalfHour);
  run.AttachForecast(Forecast(not_sent, 99.0));
  run.AttachForecast(Forecast(seen[2], 2.0));
  run.AttachForecast(Forecast(seen[1], 1.0));
  run.AttachForecast(Forecast(seen[1], 11.0));  // a second answer to a tick: ignored
  EXPECT_EQ(run.WaitForTick(0, kShortWait, &tick), GatewayRun::TickWait::kTimeout)
      << "tick 0 was released before its own forecast came";
  run.AttachForecast(Forecast(seen[0], 0.5));
  for (size_t k = 0; k < 3; ++k) {
    ASSERT_EQ(run.WaitForTick(k, kWait, &tick), GatewayRun::TickWait::kTick) << k;
    ASSERT_TRUE(tick.has_forecast()) << k;
    EXPECT_EQ(tick.forecast().forecasts(0).change_mw(), k == 0 ? 0.5 : static_cast<double>(k));
    // The full tick has the decisions' part, and the same data as the one sent ahead.
    EXPECT_GT(tick.assets_size(), 0);
    EXPECT_EQ(tick.net_load_mw(), seen[k].net_load_mw());
    EXPECT_EQ(tick.measured_interval_start().seconds(),
              seen[k].measured_interval_start().seconds());
    ASSERT_TRUE(run.Submit(Answer(tick, 0.0)).ok());
    // Answering tick k lets the forecaster see tick k + 3.
    ASSERT_EQ(run.WaitForTick(k + 3, kWait, &tick, kForecaster), GatewayRun::TickWait::kTick);
  }
  // Tick 3 was answered ahead only by the ignored early answer: it waits for its own.
  EXPECT_EQ(run.WaitForTick(3, kShortWait, &tick), GatewayRun::TickWait::kTimeout);
  ASSERT_EQ(run.WaitForTick(3, kWait, &tick, kForecaster), GatewayRun::TickWait::kTick);
  run.AttachForecast(Forecast(tick, 3.0));
  ASSERT_EQ(run.WaitForTick(3, kWait, &tick), GatewayRun::TickWait::kTick);
  EXPECT_EQ(tick.forecast().forecasts(0).change_mw(), 3.0);
  run.Stop();
}

// What the forecaster is sent, by a run whose agent discharges a battery and by one whose
// agent does nothing: the assets differ, the forecaster's ticks do not.
std::vector<std::string> ForecasterTicks(double discharge_mw, std::vector<double>* soc_mwh) {
  constexpr int kTicks = 12;
  constexpr int kLead = 3;
  absl::StatusOr<std::unique_ptr<GatewayRun>> created = CreateRun(kTicks, kLead);
  EXPECT_TRUE(created.ok()) << created.status();
  if (!created.ok()) return {};
  GatewayRun& run = **created;
  run.RegisterAgent("agent");
  run.ForecasterConnected(true);
  EXPECT_TRUE(run.Start().ok());
  std::vector<std::string> sent;
  for (int k = 0; k < kTicks; ++k) {
    // The forecaster reads and answers each tick as it comes, as the forecast process
    // does: by the time tick k is released, it has been sent those up to k + kLead.
    while (sent.size() <= static_cast<size_t>(std::min(k + kLead, kTicks - 1))) {
      v1::Tick ahead;
      if (run.WaitForTick(sent.size(), kWait, &ahead, GatewayRun::TickAudience::kForecaster) !=
          GatewayRun::TickWait::kTick) {
        ADD_FAILURE() << "the forecaster got no tick " << sent.size();
        return {};
      }
      sent.push_back(ahead.SerializeAsString());
      run.AttachForecast(Forecast(ahead, 1.0));
    }
    v1::Tick tick;
    if (run.WaitForTick(k, kWait, &tick) != GatewayRun::TickWait::kTick) {
      ADD_FAILURE() << "no tick " << k;
      return {};
    }
    soc_mwh->push_back(tick.assets(0).battery().soc_mwh());
    EXPECT_TRUE(run.Submit(Answer(tick, discharge_mw)).ok());
  }
  EXPECT_TRUE(run.WaitFinished(kWait));
  return sent;
}

TEST(GatewayRunForecastLeadTest, WhatTheForecasterIsSentDoesNotDependOnTheAgentsDecisions) {
  std::vector<double> soc_idle, soc_discharging;
  const std::vector<std::string> idle = ForecasterTicks(0.0, &soc_idle);
  const std::vector<std::string> discharging = ForecasterTicks(5.0, &soc_discharging);
  ASSERT_EQ(idle.size(), 12u);
  EXPECT_NE(soc_idle, soc_discharging) << "the two runs did not decide differently";
  // Tick 0 is the published tick (with assets, the same in both); the rest were sent ahead.
  for (size_t k = 1; k < idle.size(); ++k) {
    EXPECT_EQ(idle[k], discharging[k]) << "tick " << k;
  }
}

// A forecaster that connects again mid-run (a restarted forecast process, sent every tick
// from the first again) holds no tick while it catches up, and is waited for again once it
// has answered the newest tick.
TEST(GatewayRunForecastLeadTest, ARestartedForecasterIsNotWaitedForUntilItHasCaughtUp) {
  for (int lead : {0, 2}) {
    SCOPED_TRACE(lead);
    absl::StatusOr<std::unique_ptr<GatewayRun>> created = CreateRun(10, lead);
    ASSERT_TRUE(created.ok()) << created.status();
    GatewayRun& run = **created;
    constexpr auto kForecaster = GatewayRun::TickAudience::kForecaster;
    run.RegisterAgent("agent");
    run.ForecasterConnected(true, 0);
    ASSERT_TRUE(run.Start().ok());
    v1::Tick tick;
    // Ticks 0..3 with the forecaster; then it dies and ticks 4 and 5 go without it.
    for (size_t k = 0; k < 6; ++k) {
      if (k == 4) run.ForecasterConnected(false);
      if (k < 4) {
        ASSERT_EQ(run.WaitForTick(k, kWait, &tick, kForecaster), GatewayRun::TickWait::kTick);
        run.AttachForecast(Forecast(tick, 1.0));
      }
      ASSERT_EQ(run.WaitForTick(k, kWait, &tick), GatewayRun::TickWait::kTick);
      EXPECT_EQ(tick.has_forecast(), k < 4) << k;
      if (k == 5) break;  // tick 5 is left unanswered while the forecaster restarts
      ASSERT_TRUE(run.Submit(Answer(tick, 0.0)).ok());
    }
    // The restarted forecaster resumes at tick 0 (the deadline is kWait: a wait for it
    // would show as a timeout below).
    run.ForecasterConnected(true, 0);
    ASSERT_TRUE(run.Submit(Answer(tick, 0.0)).ok());  // tick 5
    ASSERT_EQ(run.WaitForTick(6, absl::Seconds(10), &tick), GatewayRun::TickWait::kTick)
        << "tick 6 waited for a forecaster that is catching up";
    EXPECT_FALSE(tick.has_forecast());
    // It catches up: its answers to old ticks are ignored; the newest one it answers in
    // time makes it waited for again, from the next tick.
    size_t next = 0;
    for (; next <= 6; ++next) {
      v1::Tick old;
      ASSERT_EQ(run.WaitForTick(next, kWait, &old, kForecaster), GatewayRun::TickWait::kTick);
      run.AttachForecast(Forecast(old, 2.0));
    }
    ASSERT_TRUE(run.Submit(Answer(tick, 0.0)).ok());  // tick 6
    EXPECT_EQ(run.WaitForTick(7, kShortWait, &tick), GatewayRun::TickWait::kTimeout)
        << "a forecaster that caught up is not waited for";
    for (; next <= 7; ++next) {
      v1::Tick ahead;
      ASSERT_EQ(run.WaitForTick(next, kWait, &ahead, kForecaster), GatewayRun::TickWait::kTick);
      run.AttachForecast(Forecast(ahead, 3.0));
    }
    ASSERT_EQ(run.WaitForTick(7, kWait, &tick), GatewayRun::TickWait::kTick);
    ASSERT_TRUE(tick.has_forecast());
    EXPECT_EQ(tick.forecast().forecasts(0).change_mw(), 3.0);
    run.Stop();
  }
}

TEST(GatewayRunForecastLeadTest, TheLeadIsBounded) {
  for (int lead : {-1, kMaxForecastLeadTicks + 1}) {
    absl::StatusOr<std::unique_ptr<GatewayRun>> created = CreateRun(4, lead);
    ASSERT_FALSE(created.ok()) << lead;
    EXPECT_EQ(created.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(created.status().message().find("forecast_lead_ticks"), std::string::npos);
  }
}

}  // namespace
}  // namespace gridpilot
