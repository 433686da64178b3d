// PublishedFeed: aggregation into steps (means), settling on the data's progress and on
// silence, late samples accepted but not settled, and the counts that account for every
// accepted sample exactly once.
#include "core/data/published_feed.h"

#include <memory>
#include <thread>

#include "core/base/time_util.h"
#include "gtest/gtest.h"

namespace gridpilot::data {
namespace {

const absl::Time kT0 = *base::ParseUtcTimestamp("2023-06-01T00:00:00Z");
const absl::Time kWallStart = *base::ParseUtcTimestamp("2026-01-01T00:00:00Z");

PublishedFeedConfig Config() {
  return PublishedFeedConfig{.first_step_start = kT0,
                             .end = kT0 + absl::Hours(2),
                             .step = absl::Minutes(30),
                             .late_window = absl::Minutes(5),
                             .silence_timeout = absl::Seconds(10),
                             .validator = {.sources = {"m1", "m2"}, .max_ahead = absl::Hours(1)}};
}

TelemetrySample Load(const std::string& source, int64_t seq, absl::Time at, double mw) {
  return TelemetrySample{.timestamp = at, .source = source, .sequence = seq, .net_load_mw = mw};
}

TEST(PublishedFeedTest, AStepIsTheMeanOfItsSamplesOnceTheDataHasMovedOn) {
  base::FakeClock wall(kWallStart);
  std::unique_ptr<PublishedFeed> feed = *PublishedFeed::Create(Config(), &wall);
  EXPECT_EQ(feed->Push(Load("m1", 1, kT0, 100)).outcome, PushOutcome::kSettles);
  EXPECT_EQ(feed->Push(Load("m1", 2, kT0 + absl::Minutes(10), 110)).outcome, PushOutcome::kSettles);
  TelemetrySample priced = Load("m2", 1, kT0 + absl::Minutes(20), 120);
  priced.price_gbp_per_mwh = 55.0;
  EXPECT_EQ(feed->Push(priced).outcome, PushOutcome::kSettles);
  // Within the late window after the step's end: not settleable yet, so a late sample
  // for the first step still counts.
  EXPECT_EQ(feed->Push(Load("m1", 3, kT0 + absl::Minutes(32), 300)).outcome, PushOutcome::kSettles);
  EXPECT_EQ(feed->Push(Load("m2", 2, kT0 + absl::Minutes(29), 130)).outcome, PushOutcome::kSettles);
  EXPECT_EQ(feed->Push(Load("m1", 4, kT0 + absl::Minutes(35), 300)).outcome, PushOutcome::kSettles);
  absl::StatusOr<FeedReading> first = feed->Next();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->start, kT0);
  EXPECT_DOUBLE_EQ(*first->net_load_mw, (100 + 110 + 120 + 130) / 4.0);
  EXPECT_DOUBLE_EQ(*first->price_gbp_per_mwh, 55.0);
  EXPECT_FALSE(first->embedded_solar_mw.has_value());
  // Now later than the late window: stored, not settled.
  EXPECT_EQ(feed->Push(Load("m2", 3, kT0 + absl::Minutes(29), 999)).outcome, PushOutcome::kLate);
  const PublishedFeedCounts counts = feed->Counts();
  EXPECT_EQ(counts.accepted, 7);
  EXPECT_EQ(counts.settled, 4);
  EXPECT_EQ(counts.pending, 2);
  EXPECT_EQ(counts.late, 1);
  EXPECT_EQ(counts.steps_settled, 1);
  EXPECT_EQ(counts.steps_settled_silent, 0);
  EXPECT_FALSE(first->source_silent);
}

TEST(PublishedFeedTest, RejectionsAreCountedByReasonAndChangeNoStep) {
  base::FakeClock wall(kWallStart);
  std::unique_ptr<PublishedFeed> feed = *PublishedFeed::Create(Config(), &wall);
  ASSERT_EQ(feed->Push(Load("m1", 1, kT0, 100)).outcome, PushOutcome::kSettles);
  const PushResult duplicate = feed->Push(Load("m1", 1, kT0 + absl::Minutes(1), 5000));
  EXPECT_EQ(duplicate.outcome, PushOutcome::kRejected);
  EXPECT_EQ(duplicate.verdict.rejection, TelemetryRejection::kDuplicateSequence);
  EXPECT_EQ(feed->Push(Load("intruder", 1, kT0, 5000)).outcome, PushOutcome::kRejected);
  EXPECT_EQ(feed->Push(Load("m2", 1, kT0 + absl::Hours(3), 5000)).verdict.rejection,
            TelemetryRejection::kTooFarInFuture);
  ASSERT_EQ(feed->Push(Load("m1", 2, kT0 + absl::Minutes(40), 100)).outcome, PushOutcome::kSettles);
  absl::StatusOr<FeedReading> first = feed->Next();
  ASSERT_TRUE(first.ok());
  EXPECT_DOUBLE_EQ(*first->net_load_mw, 100.0);
  const PublishedFeedCounts counts = feed->Counts();
  EXPECT_EQ(counts.rejected[static_cast<size_t>(TelemetryRejection::kDuplicateSequence)], 1);
  EXPECT_EQ(counts.rejected[static_cast<size_t>(TelemetryRejection::kUnknownSource)], 1);
  EXPECT_EQ(counts.rejected[static_cast<size_t>(TelemetryRejection::kTooFarInFuture)], 1);
}

TEST(PublishedFeedTest, ASilentSourceSettlesEmptyStepsAfterTheTimeout) {
  base::FakeClock wall(kWallStart);
  std::unique_ptr<PublishedFeed> feed = *PublishedFeed::Create(Config(), &wall);
  absl::StatusOr<FeedReading> reading;
  std::thread consumer([&] { reading = feed->Next(); });
  // Next waits on the wall clock: nothing settles before the silence timeout.
  std::optional<absl::Time> sleeping_until = wall.AwaitSleeper(absl::Seconds(10));
  ASSERT_TRUE(sleeping_until.has_value());
  EXPECT_FALSE(feed->Silent());
  wall.Advance(absl::Seconds(10));
  consumer.join();
  ASSERT_TRUE(reading.ok()) << reading.status();
  EXPECT_EQ(reading->start, kT0);
  EXPECT_FALSE(reading->net_load_mw.has_value());
  EXPECT_TRUE(reading->source_silent);
  EXPECT_TRUE(feed->Silent());
  EXPECT_EQ(feed->Counts().steps_settled_silent, 1);
  // Still silent: the next steps settle at once, empty, until the end of the feed.
  for (int k = 1; k < 4; ++k) ASSERT_TRUE(feed->Next().ok());
  EXPECT_EQ(feed->Next().status().code(), absl::StatusCode::kOutOfRange);
  // A sample arriving after its step was settled empty is late, never settled.
  EXPECT_EQ(feed->Push(Load("m1", 1, kT0 + absl::Hours(1), 100)).outcome, PushOutcome::kLate);
  EXPECT_FALSE(feed->Silent());
}

TEST(PublishedFeedTest, ConcurrentPushesAreEachCountedOnce) {
  base::SystemClock wall;
  PublishedFeedConfig config = Config();
  config.silence_timeout = absl::Seconds(30);
  std::unique_ptr<PublishedFeed> feed = *PublishedFeed::Create(config, &wall);
  auto publish = [&](const std::string& source) {
    for (int i = 0; i < 1000; ++i) {
      feed->Push(Load(source, i + 1, kT0 + absl::Seconds(i * 5), 1.0));
    }
  };
  std::thread a(publish, "m1");
  std::thread b(publish, "m2");
  a.join();
  b.join();
  // 2 x 1000 samples every 5 s span 83 minutes: two steps settle, the third is pending.
  int64_t net_samples = 0;
  for (int k = 0; k < 2; ++k) {
    absl::StatusOr<FeedReading> r = feed->Next();
    ASSERT_TRUE(r.ok());
    EXPECT_DOUBLE_EQ(*r->net_load_mw, 1.0);
    ++net_samples;
  }
  const PublishedFeedCounts counts = feed->Counts();
  EXPECT_EQ(counts.accepted, 2000);
  EXPECT_EQ(counts.settled, 2 * 2 * 360);
  EXPECT_EQ(counts.settled + counts.pending + counts.late, counts.accepted);
  EXPECT_EQ(net_samples, 2);
}

TEST(PublishedFeedConfigTest, RejectsBadConfig) {
  PublishedFeedConfig step = Config();
  step.step = absl::Minutes(7);
  EXPECT_FALSE(step.Validate().ok());
  PublishedFeedConfig late = Config();
  late.late_window = absl::Hours(2);
  EXPECT_FALSE(late.Validate().ok());
  PublishedFeedConfig silence = Config();
  silence.silence_timeout = absl::ZeroDuration();
  EXPECT_FALSE(silence.Validate().ok());
  EXPECT_TRUE(Config().Validate().ok());
}

}  // namespace
}  // namespace gridpilot::data
