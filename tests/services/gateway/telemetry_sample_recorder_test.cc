// TelemetrySampleRecorder and TelemetryIngest's hand-off to it: every accepted sample (and
// every late one, flagged) reaches the store's telemetry_samples table, no rejected one
// does; a full queue drops and counts instead of waiting for the store; a store failure is
// counted, not fatal; what is queued at destruction is written.
#include "services/gateway/telemetry_sample_recorder.h"

#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "core/base/clock.h"
#include "core/base/time_util.h"
#include "core/data/published_feed.h"
#include "gtest/gtest.h"
#include "services/gateway/sqlite_store.h"
#include "services/gateway/telemetry_ingest.h"

namespace gridpilot {
namespace {

absl::Time At(const char* text) { return *base::ParseUtcTimestamp(text); }

// A store that keeps the samples it is given, can hold the writer inside the call until
// released, and can refuse.
class SampleKeepingStore final : public Store {
 public:
  absl::Status BeginRun(absl::Time, absl::Time, const std::string&) override {
    return absl::OkStatus();
  }
  absl::Status RecordProposal(const region::ProposalRecord&, ProposalStatus,
                              const std::string&) override {
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
  absl::Status RecordInterval(const data::GridInterval&, const region::IntervalOutcome&) override {
    return absl::OkStatus();
  }
  absl::Status Flush() override { return absl::OkStatus(); }
  absl::Status RecordTelemetrySamples(const std::vector<StoredTelemetrySample>& samples) override {
    if (!entered.HasBeenNotified()) entered.Notify();  // only the writer thread calls
    if (hold) release.WaitForNotification();
    absl::MutexLock lock(&mu);
    if (refuse) return absl::InternalError("disk full");
    for (const StoredTelemetrySample& s : samples) sequences.push_back(s.sample.sequence);
    batch_sizes.push_back(static_cast<int64_t>(samples.size()));
    return absl::OkStatus();
  }

  bool hold = false;
  absl::Notification entered;
  absl::Notification release;
  absl::Mutex mu;
  bool refuse ABSL_GUARDED_BY(mu) = false;
  std::vector<int64_t> sequences ABSL_GUARDED_BY(mu);
  std::vector<int64_t> batch_sizes ABSL_GUARDED_BY(mu);
};

StoredTelemetrySample Sample(int64_t sequence) {
  StoredTelemetrySample s;
  s.sample.timestamp = At("2023-06-01T00:00:00Z") + absl::Seconds(sequence);
  s.sample.source = "meter-1";
  s.sample.sequence = sequence;
  s.sample.net_load_mw = 300;
  return s;
}

TEST(TelemetrySampleRecorderTest, AFullQueueDropsAndCountsWithoutWaitingForTheStore) {
  SampleKeepingStore store;
  store.hold = true;
  base::FakeClock clock(At("2023-06-01T00:00:00Z"));
  TelemetrySampleRecorderOptions options;
  options.max_queued_samples = 3;
  options.max_batch_samples = 2;
  TelemetrySampleRecorder recorder(&store, &clock, options);
  ASSERT_TRUE(recorder.Offer(Sample(1)));
  store.entered.WaitForNotification();  // the writer holds sample 1 inside the store
  EXPECT_TRUE(recorder.Offer(Sample(2)));
  EXPECT_TRUE(recorder.Offer(Sample(3)));
  EXPECT_TRUE(recorder.Offer(Sample(4)));
  // The queue holds 3: these return at once, refused, while the store is still busy.
  EXPECT_FALSE(recorder.Offer(Sample(5)));
  EXPECT_FALSE(recorder.Offer(Sample(6)));
  TelemetrySampleRecorderCounts counts = recorder.Counts();
  EXPECT_EQ(counts.offered, 6);
  EXPECT_EQ(counts.dropped, 2);
  EXPECT_EQ(counts.written, 0);
  store.release.Notify();
  recorder.WaitUntilWritten();
  counts = recorder.Counts();
  EXPECT_EQ(counts.written, 4);
  EXPECT_EQ(counts.queued, 0);
  absl::MutexLock lock(&store.mu);
  EXPECT_EQ(store.sequences, (std::vector<int64_t>{1, 2, 3, 4}));
  for (int64_t size : store.batch_sizes) EXPECT_LE(size, 2);
}

TEST(TelemetrySampleRecorderTest, AStoreFailureIsCountedAndLaterSamplesStillGo) {
  SampleKeepingStore store;
  {
    absl::MutexLock lock(&store.mu);
    store.refuse = true;
  }
  base::FakeClock clock(At("2023-06-01T00:00:00Z"));
  TelemetrySampleRecorder recorder(&store, &clock);
  ASSERT_TRUE(recorder.Offer(Sample(1)));
  recorder.WaitUntilWritten();
  EXPECT_EQ(recorder.Counts().failed, 1);
  {
    absl::MutexLock lock(&store.mu);
    store.refuse = false;
  }
  ASSERT_TRUE(recorder.Offer(Sample(2)));
  recorder.WaitUntilWritten();
  EXPECT_EQ(recorder.Counts().written, 1);
  absl::MutexLock lock(&store.mu);
  EXPECT_EQ(store.sequences, (std::vector<int64_t>{2}));
}

TEST(TelemetrySampleRecorderTest, WritesWhatIsQueuedBeforeItStops) {
  SampleKeepingStore store;
  store.hold = true;
  base::FakeClock clock(At("2023-06-01T00:00:00Z"));
  {
    TelemetrySampleRecorder recorder(&store, &clock);
    ASSERT_TRUE(recorder.Offer(Sample(1)));
    store.entered.WaitForNotification();
    for (int64_t i = 2; i <= 50; ++i) ASSERT_TRUE(recorder.Offer(Sample(i)));
    store.release.Notify();
  }
  absl::MutexLock lock(&store.mu);
  ASSERT_EQ(store.sequences.size(), 50u);
  EXPECT_EQ(store.sequences.back(), 50);
}

TEST(TelemetrySampleRecorderTest, TheIngestStoresAcceptedAndLateSamplesFlaggedAndNoRejectedOne) {
  std::string pattern = ::testing::TempDir() + "/telemetry_sample_recorder_test_XXXXXX";
  ASSERT_NE(mkdtemp(pattern.data()), nullptr);
  const std::string path = pattern + "/gridpilot.db";
  const absl::Time t0 = At("2023-06-01T00:00:00Z");
  base::FakeClock clock(At("2024-01-01T12:00:00Z"));
  {
    absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)->BeginRun(t0, t0 + absl::Hours(1), "{}").ok());
    data::PublishedFeedConfig config;
    config.first_step_start = t0;
    config.end = t0 + absl::Hours(1);
    config.step = absl::Minutes(1);
    config.validator.sources = {"meter-1"};
    std::unique_ptr<data::PublishedFeed> feed = *data::PublishedFeed::Create(config, &clock);
    TelemetrySampleRecorder recorder(store->get(), &clock);
    TelemetryIngest ingest(feed.get(), &clock, &recorder);
    data::TelemetrySample s;
    s.source = "meter-1";
    s.sequence = 1;
    s.timestamp = t0 + absl::Seconds(10);
    s.net_load_mw = 300;
    EXPECT_EQ(ingest.Accept(IngestPath::kMqtt, s).outcome, data::PushOutcome::kSettles);
    s.sequence = 2;
    s.timestamp = t0 + absl::Seconds(70);  // the first step can settle
    s.net_load_mw = 310;
    EXPECT_EQ(ingest.Accept(IngestPath::kMqtt, s).outcome, data::PushOutcome::kSettles);
    ASSERT_TRUE(feed->Next().ok());  // settles [t0, t0 + 1 min)
    clock.Advance(absl::Seconds(2));
    s.sequence = 3;
    s.timestamp = t0 + absl::Seconds(71);
    s.wind_mw = 5;
    EXPECT_EQ(ingest.Accept(IngestPath::kGrpc, s).outcome, data::PushOutcome::kSettles);
    data::TelemetrySample late = s;
    late.sequence = 4;
    late.timestamp = t0 + absl::Seconds(75);
    late.wind_mw.reset();
    EXPECT_EQ(ingest.Accept(IngestPath::kMqtt, late).outcome, data::PushOutcome::kSettles);
    // Rejected: a duplicate sequence, an unknown meter.
    EXPECT_EQ(ingest.Accept(IngestPath::kMqtt, late).outcome, data::PushOutcome::kRejected);
    data::TelemetrySample stranger = s;
    stranger.source = "meter-9";
    stranger.sequence = 1;
    EXPECT_EQ(ingest.Accept(IngestPath::kMqtt, stranger).outcome, data::PushOutcome::kRejected);
    // A new number stamped in the settled step (delivered out of order): late, stored.
    data::TelemetrySample back = s;
    back.sequence = 5;
    back.timestamp = t0 + absl::Seconds(5);
    EXPECT_EQ(ingest.Accept(IngestPath::kMqtt, back).outcome, data::PushOutcome::kLate);
    recorder.WaitUntilWritten();
    EXPECT_EQ(recorder.Counts().written, 5);
  }
  // A sample for a settled step comes from a second meter whose clock lags: flagged late,
  // stored, never settled.
  {
    absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)->BeginRun(t0, t0 + absl::Hours(1), "{}").ok());
    data::PublishedFeedConfig config;
    config.first_step_start = t0;
    config.end = t0 + absl::Hours(1);
    config.step = absl::Minutes(1);
    config.validator.sources = {"meter-1", "meter-2"};
    std::unique_ptr<data::PublishedFeed> feed = *data::PublishedFeed::Create(config, &clock);
    TelemetrySampleRecorder recorder(store->get(), &clock);
    TelemetryIngest ingest(feed.get(), &clock, &recorder);
    data::TelemetrySample ahead;
    ahead.source = "meter-1";
    ahead.sequence = 1;
    ahead.timestamp = t0 + absl::Seconds(65);
    ahead.net_load_mw = 320;
    EXPECT_EQ(ingest.Accept(IngestPath::kMqtt, ahead).outcome, data::PushOutcome::kSettles);
    ASSERT_TRUE(feed->Next().ok());
    data::TelemetrySample lagging;
    lagging.source = "meter-2";
    lagging.sequence = 1;
    lagging.timestamp = t0 + absl::Seconds(30);
    lagging.net_load_mw = 999;
    EXPECT_EQ(ingest.Accept(IngestPath::kMqtt, lagging).outcome, data::PushOutcome::kLate);
    recorder.WaitUntilWritten();
    EXPECT_EQ(feed->Counts().late, 1);
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "SELECT run_id, source, sequence, stamp, net_load_mw, "
                               "coalesce(wind_mw, -1), received_at, late FROM telemetry_samples "
                               "ORDER BY rowid",
                               -1, &stmt, nullptr),
            SQLITE_OK);
  std::vector<std::string> rows;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    std::string row;
    for (int c = 0; c < 8; ++c) {
      const unsigned char* text = sqlite3_column_text(stmt, c);
      row += std::string(text ? reinterpret_cast<const char*>(text) : "NULL") + "|";
    }
    rows.push_back(row);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  std::filesystem::remove_all(pattern);
  EXPECT_EQ(rows, (std::vector<std::string>{
                      "1|meter-1|1|2023-06-01T00:00:10Z|300.0|-1|2024-01-01T12:00:00Z|0|",
                      "1|meter-1|2|2023-06-01T00:01:10Z|310.0|-1|2024-01-01T12:00:00Z|0|",
                      "1|meter-1|3|2023-06-01T00:01:11Z|310.0|5.0|2024-01-01T12:00:02Z|0|",
                      "1|meter-1|4|2023-06-01T00:01:15Z|310.0|-1|2024-01-01T12:00:02Z|0|",
                      "1|meter-1|5|2023-06-01T00:00:05Z|310.0|5.0|2024-01-01T12:00:02Z|1|",
                      "2|meter-1|1|2023-06-01T00:01:05Z|320.0|-1|2024-01-01T12:00:02Z|0|",
                      "2|meter-2|1|2023-06-01T00:00:30Z|999.0|-1|2024-01-01T12:00:02Z|1|",
                  }));
}

}  // namespace
}  // namespace gridpilot
