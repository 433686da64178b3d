// GatewayRun::Simulate: a dry run through the run's own arbiter and interlocks that
// stores and applies nothing, under Submit's checks of the request.
#include <limits>
#include <memory>
#include <vector>

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

std::unique_ptr<GatewayRun> StartedRun(absl::Time* first_tick) {
  std::vector<data::GridInterval> intervals;
  for (size_t i = 0; i < 20; ++i) {
    intervals.push_back(data::GridInterval{kSeriesStart + i * base::kHalfHour,
                                           (300.0 + static_cast<double>(i)) * 100, 0.0, 0.0, 60.0});
  }
  data::GridSeries series = *data::GridSeries::Create(std::move(intervals));
  GatewayRunOptions options;
  options.replay_from = kSeriesStart + base::kHalfHour;
  options.replay_to = options.replay_from + 10 * base::kHalfHour;
  options.answer_deadline = kWait;
  GatewayConfig config;
  absl::StatusOr<std::unique_ptr<data::TelemetrySource>> feed =
      MakeGridFeed(config, series, options);
  EXPECT_TRUE(feed.ok());
  static base::SystemClock* const wall = new base::SystemClock;
  absl::StatusOr<std::unique_ptr<GatewayRun>> run = GatewayRun::Create(
      std::move(config), std::move(series), options, *std::move(feed), wall, nullptr);
  EXPECT_TRUE(run.ok()) << run.status();
  (*run)->RegisterAgent("agent");
  EXPECT_TRUE((*run)->Start().ok());
  v1::Tick tick;
  EXPECT_EQ((*run)->WaitForTick(0, kWait, &tick), GatewayRun::TickWait::kTick);
  *first_tick = FromProtoTime(tick.time());
  return *std::move(run);
}

v1::SimulateDispatchRequest Request(absl::Time start, double power_mw) {
  v1::SimulateDispatchRequest request;
  request.set_agent("agent");
  v1::DispatchProposal* p = request.mutable_proposal();
  p->set_asset_id("battery-1");
  p->set_priority(v1::DISPATCH_PRIORITY_RESILIENCE);
  p->set_power_mw(power_mw);
  *p->mutable_start() = ToProtoTime(start);
  *p->mutable_end() = ToProtoTime(start + 2 * base::kHalfHour);
  p->set_idempotency_key("k1");
  for (double mw : {360.0, 360.0, 360.0}) request.add_expected_net_load_mw(mw);
  return request;
}

TEST(GatewayRunSimulateTest, ReportsTheArbitersAnswerAndStoresNothing) {
  absl::Time t0;
  std::unique_ptr<GatewayRun> run = StartedRun(&t0);
  ASSERT_NE(run, nullptr);
  absl::StatusOr<v1::SimulateDispatchResponse> simulated = run->Simulate(Request(t0, 20.0));
  ASSERT_TRUE(simulated.ok()) << simulated.status();
  ASSERT_EQ(simulated->steps_size(), 3);
  EXPECT_EQ(FromProtoTime(simulated->steps(0).start()), t0);
  EXPECT_EQ(simulated->steps(0).proposal_id(), -1);
  EXPECT_EQ(simulated->steps(0).agent(), "agent");
  EXPECT_NEAR(simulated->steps(0).applied_mw(), 20.0, 1e-9);
  EXPECT_EQ(simulated->steps(0).proposal_id_without(), 0);
  EXPECT_EQ(simulated->steps(2).proposal_id(), 0);  // after the lease: idle
  EXPECT_LT(simulated->instability_penalty_gbp(), simulated->instability_penalty_without_gbp());
  // Nothing held, and the key was not spent: a real submit with it is new.
  EXPECT_EQ(run->RetainedCounts().proposals, 0u);
  v1::SubmitDispatchRequest submit;
  submit.set_agent("agent");
  *submit.add_proposals() = Request(t0, 20.0).proposal();
  absl::StatusOr<std::vector<v1::ProposalResult>> submitted = run->Submit(submit);
  ASSERT_TRUE(submitted.ok()) << submitted.status();
  EXPECT_FALSE((*submitted)[0].duplicate());
  run->Stop();
}

TEST(GatewayRunSimulateTest, RefusesWhatSubmitWouldRefuse) {
  absl::Time t0;
  std::unique_ptr<GatewayRun> run = StartedRun(&t0);
  ASSERT_NE(run, nullptr);
  EXPECT_EQ(run->Simulate(Request(t0, 5000.0)).status().code(), absl::StatusCode::kInvalidArgument);
  v1::SimulateDispatchRequest no_agent = Request(t0, 5.0);
  no_agent.clear_agent();
  EXPECT_EQ(run->Simulate(no_agent).status().code(), absl::StatusCode::kInvalidArgument);
  v1::SimulateDispatchRequest no_steps = Request(t0, 5.0);
  no_steps.clear_expected_net_load_mw();
  EXPECT_EQ(run->Simulate(no_steps).status().code(), absl::StatusCode::kInvalidArgument);
  v1::SimulateDispatchRequest nan = Request(t0, 5.0);
  nan.set_expected_net_load_mw(1, std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(run->Simulate(nan).status().code(), absl::StatusCode::kInvalidArgument);
  run->Stop();
}

}  // namespace
}  // namespace gridpilot
