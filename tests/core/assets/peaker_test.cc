// Peaker unit commitment: start-up timing, min up/down times, min stable load, ramping.
#include "core/assets/peaker.h"

#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "core/base/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot::assets {
namespace {

using ::testing::HasSubstr;

absl::Time T(const char* text) { return *base::ParseUtcTimestamp(text); }

constexpr absl::Duration kInterval = absl::Minutes(30);

TEST(PeakerParamsTest, DefaultsAreValid) { EXPECT_TRUE(PeakerParams().Validate().ok()); }

TEST(PeakerParamsTest, RejectsEachBadField) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  struct Case {
    std::string field;
    std::function<void(PeakerParams&)> mutate;
  };
  const std::vector<Case> cases = {
      {"capacity_mw", [](PeakerParams& p) { p.capacity_mw = 0; }},
      {"capacity_mw", [nan](PeakerParams& p) { p.capacity_mw = nan; }},
      {"min_stable_load_mw", [](PeakerParams& p) { p.min_stable_load_mw = -1; }},
      {"min_stable_load_mw", [](PeakerParams& p) { p.min_stable_load_mw = 61; }},
      {"start_up_time", [](PeakerParams& p) { p.start_up_time = absl::Minutes(-1); }},
      {"min_up_time", [](PeakerParams& p) { p.min_up_time = absl::InfiniteDuration(); }},
      {"min_down_time", [](PeakerParams& p) { p.min_down_time = absl::Seconds(-5); }},
      {"ramp_rate_mw_per_min", [](PeakerParams& p) { p.ramp_rate_mw_per_min = 0; }},
      {"ramp_rate_mw_per_min", [nan](PeakerParams& p) { p.ramp_rate_mw_per_min = nan; }},
      {"fuel_gbp_per_mwh", [](PeakerParams& p) { p.fuel_gbp_per_mwh = -1; }},
      {"start_cost_gbp", [nan](PeakerParams& p) { p.start_cost_gbp = nan; }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.field);
    PeakerParams p;
    c.mutate(p);
    const absl::Status status = p.Validate();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(status.message()), HasSubstr("PeakerParams." + c.field + " "));
  }
}

TEST(PeakerTest, StatusNames) {
  EXPECT_EQ(PeakerStatusName(PeakerStatus::kOff), "off");
  EXPECT_EQ(PeakerStatusName(PeakerStatus::kStarting), "starting");
  EXPECT_EQ(PeakerStatusName(PeakerStatus::kOn), "on");
}

// One interval of a scripted run: request in, state and output out.
struct Tick {
  const char* start;
  double requested_mw;
  PeakerStatus want_status;
  double want_output_mw;
  bool want_started;
  const char* want_since;
};

void RunScript(const PeakerParams& params, const std::vector<Tick>& ticks) {
  PeakerState state;
  for (const Tick& tick : ticks) {
    SCOPED_TRACE(tick.start);
    const PeakerInterval got =
        StepPeaker(params, state, tick.requested_mw, T(tick.start), kInterval);
    EXPECT_EQ(PeakerStatusName(got.next.status), PeakerStatusName(tick.want_status));
    EXPECT_DOUBLE_EQ(got.output_mw, tick.want_output_mw);
    EXPECT_DOUBLE_EQ(got.next.output_mw, tick.want_output_mw);
    EXPECT_EQ(got.started, tick.want_started);
    EXPECT_EQ(got.next.status_since, T(tick.want_since));
    EXPECT_EQ(got.note.empty(), got.output_mw == tick.requested_mw) << got.note;
    state = got.next;
  }
}

TEST(PeakerTest, FullCycleWithDefaults) {
  // 20 min start-up, 1 h min up and down, ramp 8 MW/min (240 MW per interval: not binding).
  RunScript(
      PeakerParams(),
      {
          {"2023-01-01T00:00:00Z", 40, PeakerStatus::kStarting, 0, true, "2023-01-01T00:00:00Z"},
          // Online at 00:20, so the 00:30 interval is the first to produce.
          {"2023-01-01T00:30:00Z", 60, PeakerStatus::kOn, 60, false, "2023-01-01T00:20:00Z"},
          // Min up time runs to 01:20: a stop at 01:00 holds min stable load.
          {"2023-01-01T01:00:00Z", 0, PeakerStatus::kOn, 20, false, "2023-01-01T00:20:00Z"},
          {"2023-01-01T01:30:00Z", 0, PeakerStatus::kOff, 0, false, "2023-01-01T01:30:00Z"},
          // Min down time runs to 02:30.
          {"2023-01-01T02:00:00Z", 30, PeakerStatus::kOff, 0, false, "2023-01-01T01:30:00Z"},
          {"2023-01-01T02:30:00Z", 30, PeakerStatus::kStarting, 0, true, "2023-01-01T02:30:00Z"},
          {"2023-01-01T03:00:00Z", 30, PeakerStatus::kOn, 30, false, "2023-01-01T02:50:00Z"},
      });
}

TEST(PeakerTest, StartNotesWhenOnline) {
  const PeakerInterval got =
      StepPeaker(PeakerParams(), PeakerState(), 40, T("2023-01-01T00:00:00Z"), kInterval);
  EXPECT_THAT(got.note, HasSubstr("starting: online at 2023-01-01T00:20:00Z"));
}

TEST(PeakerTest, StartUpLongerThanAnIntervalWaitsTwoIntervals) {
  PeakerParams params;
  params.start_up_time = absl::Minutes(30);  // online exactly at 00:30: produces then
  const PeakerInterval first =
      StepPeaker(params, PeakerState(), 40, T("2023-01-01T00:00:00Z"), kInterval);
  const PeakerInterval second =
      StepPeaker(params, first.next, 40, T("2023-01-01T00:30:00Z"), kInterval);
  EXPECT_EQ(second.output_mw, 40);
  params.start_up_time = absl::Minutes(31);
  const PeakerInterval late =
      StepPeaker(params, first.next, 40, T("2023-01-01T00:30:00Z"), kInterval);
  EXPECT_EQ(late.output_mw, 0);
  EXPECT_EQ(late.next.status, PeakerStatus::kStarting);
  EXPECT_FALSE(late.started);  // the start was paid for once, in the first interval
}

TEST(PeakerTest, ZeroStartUpTimeProducesInTheStartInterval) {
  PeakerParams params;
  params.start_up_time = absl::ZeroDuration();
  const PeakerInterval got =
      StepPeaker(params, PeakerState(), 45, T("2023-01-01T00:00:00Z"), kInterval);
  EXPECT_TRUE(got.started);
  EXPECT_EQ(got.next.status, PeakerStatus::kOn);
  EXPECT_EQ(got.next.status_since, T("2023-01-01T00:00:00Z"));
  EXPECT_EQ(got.output_mw, 45);
  EXPECT_EQ(got.note, "");
}

TEST(PeakerTest, MinUpTimeHoldsMinStableLoadWithNote) {
  const PeakerState on{PeakerStatus::kOn, 55, T("2023-01-01T02:00:00Z")};
  const PeakerInterval got =
      StepPeaker(PeakerParams(), on, 0, T("2023-01-01T02:30:00Z"), kInterval);
  EXPECT_EQ(got.next.status, PeakerStatus::kOn);
  EXPECT_EQ(got.output_mw, 20);
  EXPECT_EQ(got.note, "min up time: held at min stable load 20.0 MW until 2023-01-01T03:00:00Z");
  // At exactly the end of min up time it stops.
  const PeakerInterval stop =
      StepPeaker(PeakerParams(), on, 0, T("2023-01-01T03:00:00Z"), kInterval);
  EXPECT_EQ(stop.next.status, PeakerStatus::kOff);
  EXPECT_EQ(stop.next.status_since, T("2023-01-01T03:00:00Z"));
  EXPECT_EQ(stop.output_mw, 0);
}

TEST(PeakerTest, MinDownTimeBlocksRestartWithNote) {
  const PeakerState off{PeakerStatus::kOff, 0, T("2023-01-01T05:00:00Z")};
  const PeakerInterval blocked =
      StepPeaker(PeakerParams(), off, 50, T("2023-01-01T05:30:00Z"), kInterval);
  EXPECT_EQ(blocked.next.status, PeakerStatus::kOff);
  EXPECT_EQ(blocked.next.status_since, T("2023-01-01T05:00:00Z"));
  EXPECT_FALSE(blocked.started);
  EXPECT_EQ(blocked.output_mw, 0);
  EXPECT_EQ(blocked.note, "min down time: off until 2023-01-01T06:00:00Z");
  const PeakerInterval allowed =
      StepPeaker(PeakerParams(), off, 50, T("2023-01-01T06:00:00Z"), kInterval);
  EXPECT_TRUE(allowed.started);
  EXPECT_EQ(allowed.next.status, PeakerStatus::kStarting);
}

TEST(PeakerTest, OnRequestClamps) {
  PeakerParams params;
  params.ramp_rate_mw_per_min = 1.0;  // 30 MW per half hour
  const absl::Time t = T("2023-01-01T01:00:00Z");
  const absl::Time since = T("2023-01-01T00:20:00Z");
  struct Case {
    std::string name;
    double previous_mw;
    double requested_mw;
    double want_mw;
    std::string want_note;
  };
  const std::vector<Case> cases = {
      {"in range", 30, 45, 45, ""},
      {"below min stable raised", 30, 5, 20, "raised to min stable load 20.0 MW"},
      {"above capacity capped", 50, 75, 60, "capped at capacity 60.0 MW"},
      {"ramp up clamped", 20, 60, 50, "ramp limit 1.0 MW/min: 50.0 MW from 20.0 MW"},
      {"ramp down clamped", 60, 20, 30, "ramp limit 1.0 MW/min: 30.0 MW from 60.0 MW"},
      {"raised then ramp", 60, 1, 30,
       "raised to min stable load 20.0 MW; ramp limit 1.0 MW/min: 30.0 MW from 60.0 MW"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const PeakerInterval got =
        StepPeaker(params, {PeakerStatus::kOn, c.previous_mw, since}, c.requested_mw, t, kInterval);
    EXPECT_EQ(got.next.status, PeakerStatus::kOn);
    EXPECT_EQ(got.next.status_since, since);
    EXPECT_DOUBLE_EQ(got.output_mw, c.want_mw);
    EXPECT_EQ(got.note, c.want_note);
  }
}

TEST(PeakerTest, JustOnlineRampsFromMinStableLoad) {
  PeakerParams params;
  params.ramp_rate_mw_per_min = 0.5;  // 15 MW per half hour
  const PeakerState starting{PeakerStatus::kStarting, 0, T("2023-01-01T00:00:00Z")};
  const PeakerInterval got = StepPeaker(params, starting, 60, T("2023-01-01T00:30:00Z"), kInterval);
  EXPECT_EQ(got.next.status, PeakerStatus::kOn);
  EXPECT_DOUBLE_EQ(got.output_mw, 35);  // 20 + 15
}

TEST(PeakerTest, AbortedStart) {
  PeakerParams params;
  params.start_up_time = absl::Minutes(40);
  const PeakerInterval start =
      StepPeaker(params, PeakerState(), 40, T("2023-01-01T00:00:00Z"), kInterval);
  ASSERT_EQ(start.next.status, PeakerStatus::kStarting);
  const PeakerInterval abort =
      StepPeaker(params, start.next, 0, T("2023-01-01T00:30:00Z"), kInterval);
  EXPECT_EQ(abort.next.status, PeakerStatus::kOff);
  EXPECT_EQ(abort.next.status_since, T("2023-01-01T00:30:00Z"));
  EXPECT_EQ(abort.output_mw, 0);
  EXPECT_FALSE(abort.started);
  // Min down time counts from the abort.
  const PeakerInterval retry =
      StepPeaker(params, abort.next, 40, T("2023-01-01T01:00:00Z"), kInterval);
  EXPECT_EQ(retry.next.status, PeakerStatus::kOff);
  EXPECT_EQ(retry.note, "min down time: off until 2023-01-01T01:30:00Z");
}

TEST(PeakerTest, StopAfterComingOnlineIsNotAnAbort) {
  // Started at 00:00, online at 00:20: at 00:30 the unit is on and must honour min up time.
  const PeakerState starting{PeakerStatus::kStarting, 0, T("2023-01-01T00:00:00Z")};
  const PeakerInterval got =
      StepPeaker(PeakerParams(), starting, 0, T("2023-01-01T00:30:00Z"), kInterval);
  EXPECT_EQ(got.next.status, PeakerStatus::kOn);
  EXPECT_EQ(got.next.status_since, T("2023-01-01T00:20:00Z"));
  EXPECT_EQ(got.output_mw, 20);
  EXPECT_EQ(got.note, "min up time: held at min stable load 20.0 MW until 2023-01-01T01:20:00Z");
}

TEST(PeakerTest, OffAndAskedToStayOffIsQuiet) {
  const PeakerInterval got =
      StepPeaker(PeakerParams(), PeakerState(), 0, T("2023-01-01T00:00:00Z"), kInterval);
  EXPECT_EQ(got.next.status, PeakerStatus::kOff);
  EXPECT_EQ(got.output_mw, 0);
  EXPECT_FALSE(got.started);
  EXPECT_EQ(got.note, "");
}

}  // namespace
}  // namespace gridpilot::assets
