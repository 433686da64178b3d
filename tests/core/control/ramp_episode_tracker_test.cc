// RampEpisodeTracker: the lifecycle forecast -> started -> countered -> resolved, and the
// outcomes countered, not_countered and did_not_happen.
#include "core/control/ramp_episode_tracker.h"

#include "core/base/time_util.h"
#include "gtest/gtest.h"

namespace gridpilot::control {
namespace {

const absl::Time kT0 = *base::ParseUtcTimestamp("2023-01-01T06:00:00Z");

EpisodeInput At(int k, std::optional<double> measured, std::optional<double> after, bool forecast,
                bool responding) {
  return EpisodeInput{.time = kT0 + k * absl::Minutes(30),
                      .limit_mw = 15.0,
                      .measured_change_mw = measured,
                      .after_dispatch_change_mw = after,
                      .forecast_exceeds = forecast,
                      .responding = responding};
}

TEST(RampEpisodeTrackerTest, ForecastStartedCounteredResolved) {
  RampEpisodeTracker tracker;
  std::vector<RampEpisode> c = tracker.Observe(At(0, 3.0, 3.0, true, true));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].state, EpisodeState::kForecast);
  c = tracker.Observe(At(1, 25.0, 20.0, true, true));  // happening, 5 MW over after dispatch
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].state, EpisodeState::kStarted);
  c = tracker.Observe(At(2, 22.0, 14.0, false, true));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].state, EpisodeState::kCountered);
  EXPECT_TRUE(tracker.Observe(At(3, 5.0, 5.0, false, true)).empty());  // still holding the battery
  c = tracker.Observe(At(4, 5.0, 5.0, false, false));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].state, EpisodeState::kResolved);
  EXPECT_EQ(c[0].outcome, EpisodeOutcome::kNotCountered);  // one decision had 5 MW of excess
  EXPECT_EQ(c[0].decisions_with_excess, 1);
  EXPECT_DOUBLE_EQ(c[0].peak_excess_mw, 5.0);
  EXPECT_DOUBLE_EQ(c[0].peak_change_mw, 25.0);
  EXPECT_TRUE(c[0].forecast_at && c[0].started_at && c[0].countered_at && c[0].resolved_at);
  EXPECT_FALSE(tracker.open().has_value());
}

TEST(RampEpisodeTrackerTest, FullyCounteredAndForecastThatDidNotHappen) {
  RampEpisodeTracker tracker;
  std::vector<RampEpisode> c = tracker.Observe(At(0, -20.0, -15.5, false, true));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].state, EpisodeState::kCountered);  // 0.5 MW over is below a tenth of 15
  c = tracker.Observe(At(1, -2.0, -2.0, false, false));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].outcome, EpisodeOutcome::kCountered);

  c = tracker.Observe(At(2, 1.0, 1.0, true, false));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].id, 2);
  c = tracker.Observe(At(3, 1.0, 1.0, false, false));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].outcome, EpisodeOutcome::kDidNotHappen);
}

}  // namespace
}  // namespace gridpilot::control
