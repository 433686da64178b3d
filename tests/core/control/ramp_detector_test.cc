#include "core/control/ramp_detector.h"

#include <cmath>
#include <limits>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace gridpilot::control {
namespace {

using Kind = RampEvent::Kind;

absl::Time DecisionTime() {
  return absl::FromCivil(absl::CivilMinute(2023, 1, 5, 7, 0), absl::UTCTimeZone());
}

struct ExpectedEvent {
  Kind kind;
  absl::Duration offset;  // interval_start - decision_time
  double change_mw;
  std::string reason;  // checked only when non-empty
};

struct DetectorCase {
  std::string name;
  std::optional<double> last_mw;
  std::optional<double> previous_mw;
  std::vector<double> forecast_change_mw;
  double limit_mw;
  std::vector<ExpectedEvent> expected;
};

// gtest prints a failing parameter with this instead of a byte dump.
void PrintTo(const DetectorCase& c, std::ostream* os) { *os << c.name; }

class DetectRampsTest : public testing::TestWithParam<DetectorCase> {};

TEST_P(DetectRampsTest, FindsExactlyTheIntervalsBeyondTheLimit) {
  const DetectorCase& c = GetParam();
  RampObservation obs;
  obs.decision_time = DecisionTime();
  obs.last_net_load_mw = c.last_mw;
  obs.previous_net_load_mw = c.previous_mw;
  obs.forecast_change_mw = c.forecast_change_mw;

  const std::vector<RampEvent> events = DetectRamps(obs, c.limit_mw);

  ASSERT_EQ(events.size(), c.expected.size());
  for (size_t i = 0; i < events.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(events[i].kind, c.expected[i].kind);
    EXPECT_EQ(events[i].interval_start, DecisionTime() + c.expected[i].offset);
    EXPECT_NEAR(events[i].change_mw, c.expected[i].change_mw, 1e-9);
    EXPECT_EQ(events[i].limit_mw, c.limit_mw);
    if (!c.expected[i].reason.empty()) {
      EXPECT_EQ(events[i].reason, c.expected[i].reason);
    }
  }
}

const double kNaN = std::numeric_limits<double>::quiet_NaN();

INSTANTIATE_TEST_SUITE_P(
    Cases, DetectRampsTest,
    testing::Values(
        DetectorCase{"flat", 1000.0, 1000.0, {0.0, 0.0}, 15.0, {}},
        DetectorCase{"within_limit_both_ways", 1000.0, 986.0, {-14.9, 0.0, 14.9}, 15.0, {}},
        DetectorCase{"exactly_at_limit_is_tolerated", 1015.0, 1000.0, {15.0, 0.0}, 15.0, {}},
        DetectorCase{"measured_up_ramp",
                     1020.0,
                     1000.0,
                     {},
                     15.0,
                     {{Kind::kMeasured, -absl::Minutes(30), 20.0,
                       "measured ramp +20.0 MW in 2023-01-05T06:30:00Z interval exceeds 15.0 "
                       "MW limit by 5.0 MW"}}},
        DetectorCase{"measured_down_ramp",
                     984.0,
                     1000.0,
                     {},
                     15.0,
                     {{Kind::kMeasured, -absl::Minutes(30), -16.0,
                       "measured ramp -16.0 MW in 2023-01-05T06:30:00Z interval exceeds 15.0 "
                       "MW limit by 1.0 MW"}}},
        DetectorCase{"forecast_first_interval",
                     1000.0,
                     1000.0,
                     {23.4},
                     15.0,
                     {{Kind::kForecast, absl::ZeroDuration(), 23.4,
                       "forecast ramp +23.4 MW in 2023-01-05T07:00:00Z interval exceeds 15.0 "
                       "MW limit by 8.4 MW"}}},
        // Cumulative 10, 30, 28, -5: per-interval changes 10, +20, -2, -33.
        DetectorCase{"forecast_changes_are_differences_of_cumulative",
                     1000.0,
                     1000.0,
                     {10.0, 30.0, 28.0, -5.0},
                     15.0,
                     {{Kind::kForecast, absl::Minutes(30), 20.0,
                       "forecast ramp +20.0 MW in 2023-01-05T07:30:00Z interval exceeds 15.0 "
                       "MW limit by 5.0 MW"},
                      {Kind::kForecast, absl::Minutes(90), -33.0, ""}}},
        DetectorCase{"measured_then_forecast",
                     1030.0,
                     1000.0,
                     {-20.0},
                     15.0,
                     {{Kind::kMeasured, -absl::Minutes(30), 30.0, ""},
                      {Kind::kForecast, absl::ZeroDuration(), -20.0, ""}}},
        DetectorCase{
            "no_previous_measurement_no_measured_event", 1030.0, std::nullopt, {}, 15.0, {}},
        DetectorCase{"no_last_measurement_no_measured_event", std::nullopt, 900.0, {}, 15.0, {}},
        // A NaN at h = 2 spoils the changes of h = 2 and h = 3; h = 4 is still judged.
        DetectorCase{"non_finite_forecast_skipped",
                     1000.0,
                     1000.0,
                     {20.0, kNaN, 40.0, 0.0},
                     15.0,
                     {{Kind::kForecast, absl::ZeroDuration(), 20.0, ""},
                      {Kind::kForecast, absl::Minutes(90), -40.0, ""}}},
        DetectorCase{"smaller_limit",
                     1006.0,
                     1000.0,
                     {5.0},
                     5.0,
                     {{Kind::kMeasured, -absl::Minutes(30), 6.0, ""}}}),
    [](const testing::TestParamInfo<DetectorCase>& info) { return info.param.name; });

TEST(DetectRampsTest, IntervalLengthSetsEventTimes) {
  RampObservation obs;
  obs.decision_time = DecisionTime();
  obs.last_net_load_mw = 1000.0;
  obs.previous_net_load_mw = 950.0;
  obs.forecast_change_mw = {0.0, 0.0, 30.0};
  const std::vector<RampEvent> events = DetectRamps(obs, 15.0, absl::Minutes(5));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].interval_start, DecisionTime() - absl::Minutes(5));
  EXPECT_EQ(events[1].interval_start, DecisionTime() + absl::Minutes(10));
}

TEST(DetectRampsTest, KindNames) {
  EXPECT_EQ(RampEventKindName(Kind::kMeasured), "measured");
  EXPECT_EQ(RampEventKindName(Kind::kForecast), "forecast");
}

}  // namespace
}  // namespace gridpilot::control
