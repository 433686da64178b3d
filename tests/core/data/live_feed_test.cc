// LiveFeed: interpolation between half-hour centres, AR(1) noise, injected trips and cloud
// fronts (capped by the solar there is), the interval's price, determinism and validation.
#include "core/data/live_feed.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/base/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot::data {
namespace {

using ::testing::HasSubstr;

const absl::Time kT0 = *base::ParseUtcTimestamp("2023-06-01T00:00:00Z");

// Four half-hours: net load 100, 130, 130, 100 MW; solar 0, 20, 20, 0 MW; prices 10..40.
GridSeries Series() {
  std::vector<GridInterval> intervals;
  const double load[] = {100, 130, 130, 100};
  const double solar[] = {0, 20, 20, 0};
  for (int i = 0; i < 4; ++i) {
    intervals.push_back(GridInterval{.start = kT0 + i * base::kHalfHour,
                                     .net_load_mw = load[i],
                                     .embedded_solar_mw = solar[i],
                                     .embedded_wind_mw = 5.0,
                                     .price_gbp_per_mwh = 10.0 * (i + 1)});
  }
  return *GridSeries::Create(std::move(intervals));
}

LiveFeedConfig Quiet() {
  LiveFeedConfig config;
  config.noise_sd_mw = 0.0;
  config.random_events_per_hour = 0.0;
  config.step = absl::Minutes(1);
  return config;
}

// Readings of every step of [from, to).
std::vector<FeedReading> ReadAll(LiveFeedConfig config, absl::Time from, absl::Time to) {
  absl::StatusOr<LiveFeed> feed = LiveFeed::Create(Series(), from, to, std::move(config));
  EXPECT_TRUE(feed.ok()) << feed.status();
  std::vector<FeedReading> out;
  while (feed.ok() && !feed->Done()) out.push_back(*feed->Next());
  return out;
}

TEST(LiveFeedTest, InterpolatesBetweenHalfHourCentresAndKeepsTheIntervalPrice) {
  std::vector<FeedReading> r = ReadAll(Quiet(), kT0 + base::kHalfHour, kT0 + 2 * base::kHalfHour);
  ASSERT_EQ(r.size(), 30u);
  // Step [30, 31) min has its middle at 30.5 min: between centre 15 (100) and 45 (130).
  EXPECT_NEAR(*r[0].net_load_mw, 100 + 30 * (15.5 / 30), 1e-9);
  // Middle 44.5 min, just before the centre of interval 1.
  EXPECT_NEAR(*r[14].net_load_mw, 100 + 30 * (29.5 / 30), 1e-9);
  // After the centre the next interval (also 130) is the other end: flat.
  EXPECT_NEAR(*r[29].net_load_mw, 130.0, 1e-9);
  for (const FeedReading& reading : r) EXPECT_EQ(*reading.price_gbp_per_mwh, 20.0);
  EXPECT_TRUE(r[0].event.empty());
}

TEST(LiveFeedTest, GeneratorTripStepsUpHoldsAndRecoversOverFiveMinutes) {
  LiveFeedConfig config = Quiet();
  config.events.push_back({.kind = FeedEventKind::kGeneratorTrip,
                           .at = kT0 + base::kHalfHour + absl::Minutes(5),
                           .magnitude_mw = 12.0,
                           .duration = absl::Minutes(10)});
  std::vector<FeedReading> with = ReadAll(config, kT0 + base::kHalfHour, kT0 + 2 * base::kHalfHour);
  std::vector<FeedReading> without =
      ReadAll(Quiet(), kT0 + base::kHalfHour, kT0 + 2 * base::kHalfHour);
  auto extra = [&](int minute) { return *with[minute].net_load_mw - *without[minute].net_load_mw; };
  EXPECT_NEAR(extra(4), 0.0, 1e-9);
  EXPECT_NEAR(extra(5), 12.0, 1e-9);                   // full step at once
  EXPECT_NEAR(extra(14), 12.0, 1e-9);                  // held for 10 min
  EXPECT_NEAR(extra(15), 12.0 * (1 - 0.5 / 5), 1e-9);  // recovering linearly
  EXPECT_NEAR(extra(20), 0.0, 1e-9);
  EXPECT_THAT(with[5].event, HasSubstr("generator_trip"));
}

TEST(LiveFeedTest, CloudFrontTakesOnlyTheSolarThereIs) {
  LiveFeedConfig config = Quiet();
  // Interval 1 has about 20 MW of solar; ask for 50.
  config.events.push_back({.kind = FeedEventKind::kCloudFront,
                           .at = kT0 + base::kHalfHour,
                           .magnitude_mw = 50.0,
                           .duration = absl::Minutes(20)});
  std::vector<FeedReading> with = ReadAll(config, kT0 + base::kHalfHour, kT0 + 2 * base::kHalfHour);
  std::vector<FeedReading> without =
      ReadAll(Quiet(), kT0 + base::kHalfHour, kT0 + 2 * base::kHalfHour);
  // Onset over 2 minutes: at 0.5 min a quarter of 50 MW, capped by the 10.3 MW of solar.
  EXPECT_NEAR(*with[0].net_load_mw - *without[0].net_load_mw,
              std::min(12.5, *without[0].embedded_solar_mw), 1e-9);
  EXPECT_LT(*without[0].embedded_solar_mw, 12.5);
  for (int m = 2; m < 20; ++m) {
    EXPECT_NEAR(*with[m].embedded_solar_mw, 0.0, 1e-9) << m;
    EXPECT_NEAR(*with[m].net_load_mw - *without[m].net_load_mw, *without[m].embedded_solar_mw,
                1e-9);
  }
  // At night (interval 0 has no solar) a cloud front does nothing.
  LiveFeedConfig night = Quiet();
  night.events.push_back({.kind = FeedEventKind::kCloudFront, .at = kT0, .magnitude_mw = 50.0});
  std::vector<FeedReading> dark = ReadAll(night, kT0, kT0 + absl::Minutes(5));
  std::vector<FeedReading> plain = ReadAll(Quiet(), kT0, kT0 + absl::Minutes(5));
  // Solar interpolates from 0 towards interval 1, so only that little can be lost.
  for (size_t m = 0; m < dark.size(); ++m) {
    EXPECT_LE(*dark[m].net_load_mw - *plain[m].net_load_mw, *plain[m].embedded_solar_mw + 1e-9);
  }
}

TEST(LiveFeedTest, NoiseHasTheConfiguredSpreadAndIsDeterministicPerSeed) {
  LiveFeedConfig config = Quiet();
  config.step = absl::Seconds(5);
  config.noise_sd_mw = 0.5;
  config.noise_correlation = absl::Seconds(10);
  const absl::Time from = kT0 + base::kHalfHour;
  std::vector<FeedReading> a = ReadAll(config, from, from + 2 * base::kHalfHour);
  std::vector<FeedReading> b = ReadAll(config, from, from + 2 * base::kHalfHour);
  std::vector<FeedReading> quiet = ReadAll(
      [] {
        LiveFeedConfig q = Quiet();
        q.step = absl::Seconds(5);
        return q;
      }(),
      from, from + 2 * base::kHalfHour);
  double sum_sq = 0.0;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(*a[i].net_load_mw, *b[i].net_load_mw);
    const double noise = *a[i].net_load_mw - *quiet[i].net_load_mw;
    sum_sq += noise * noise;
  }
  const double sd = std::sqrt(sum_sq / a.size());
  EXPECT_GT(sd, 0.3);
  EXPECT_LT(sd, 0.7);
  config.seed = 2;
  std::vector<FeedReading> c = ReadAll(config, from, from + 2 * base::kHalfHour);
  EXPECT_NE(*a[100].net_load_mw, *c[100].net_load_mw);
}

TEST(LiveFeedTest, RandomEventsAreDrawnFromTheSeed) {
  LiveFeedConfig config = Quiet();
  config.random_events_per_hour = 4.0;
  absl::StatusOr<LiveFeed> feed =
      LiveFeed::Create(Series(), kT0, kT0 + 4 * base::kHalfHour, config);
  ASSERT_TRUE(feed.ok());
  EXPECT_FALSE(feed->events().empty());
  for (const FeedEvent& e : feed->events()) {
    EXPECT_GE(e.at, kT0);
    EXPECT_LT(e.at, kT0 + 4 * base::kHalfHour);
  }
}

// As a TelemetrySource: its step, consecutive steps from `from`, then OutOfRange for good.
TEST(LiveFeedTest, EndsWithOutOfRangeAfterTheLastStep) {
  absl::StatusOr<LiveFeed> feed =
      LiveFeed::Create(Series(), kT0 + base::kHalfHour, kT0 + 2 * base::kHalfHour, Quiet());
  ASSERT_TRUE(feed.ok()) << feed.status();
  TelemetrySource& source = *feed;
  EXPECT_EQ(source.step(), absl::Minutes(1));
  for (int i = 0; i < 30; ++i) {
    absl::StatusOr<FeedReading> r = source.Next();
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->start, kT0 + base::kHalfHour + absl::Minutes(i));
  }
  EXPECT_EQ(source.Next().status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(source.Next().status().code(), absl::StatusCode::kOutOfRange);
}

TEST(LiveFeedTest, RejectsBadConfigAndSpans) {
  LiveFeedConfig config = Quiet();
  config.step = absl::Seconds(7);
  EXPECT_THAT(config.Validate().message(), HasSubstr("step_seconds"));
  config = Quiet();
  config.events.push_back({.magnitude_mw = -1.0});
  EXPECT_THAT(config.Validate().message(), HasSubstr("events[0].magnitude_mw"));
  EXPECT_FALSE(
      LiveFeed::Create(Series(), kT0 + absl::Minutes(7), kT0 + base::kHalfHour, Quiet()).ok());
  EXPECT_FALSE(LiveFeed::Create(Series(), kT0, kT0 + 5 * base::kHalfHour, Quiet()).ok());
}

}  // namespace
}  // namespace gridpilot::data
