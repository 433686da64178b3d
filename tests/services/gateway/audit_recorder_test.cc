// AuditRecorder: the per-minute bound on each (process, kind) of reported events, and the
// count of the dropped ones carried by the next row recorded, read back from a real store.
#include "services/gateway/audit_recorder.h"

#include <stdlib.h>

#include <filesystem>

#include "core/base/time_util.h"
#include "gtest/gtest.h"
#include "services/gateway/sqlite_store.h"

namespace gridpilot {
namespace {

class AuditRecorderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "/audit_recorder_test_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    absl::StatusOr<std::unique_ptr<SqliteStore>> store =
        SqliteStore::Open((dir_ / "gridpilot.db").string());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    ASSERT_TRUE(store_->BeginRun(absl::UnixEpoch(), absl::UnixEpoch() + absl::Hours(1), "{}").ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  static AuditEvent Event(const std::string& process, const std::string& kind) {
    AuditEvent e;
    e.process = process;
    e.kind = kind;
    e.detail_json = "{}";
    return e;
  }

  std::vector<AuditEvent> Rows(const std::string& kind) {
    AuditQuery query;
    query.kind = kind;
    query.limit = 1000;
    absl::StatusOr<std::vector<AuditEvent>> rows = store_->ListAuditEvents(query);
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? *rows : std::vector<AuditEvent>{};
  }

  std::filesystem::path dir_;
  std::unique_ptr<SqliteStore> store_;
  absl::Time now_ = *base::ParseUtcTimestamp("2026-12-06T10:00:00Z");
};

TEST_F(AuditRecorderTest, AFloodCostsTheBoundAndTheNextRowCarriesTheDroppedCount) {
  AuditRecorder recorder(store_.get(), 60, [this] { return now_; });
  int recorded = 0;
  for (int i = 0; i < 1000; ++i) {
    AuditEvent event = Event("trader", "refusal");
    // One over the limit carries 7 the trader's own queue dropped: they are not lost with it.
    if (i == 500) event.dropped_before = 7;
    absl::StatusOr<bool> kept = recorder.Record(event);
    ASSERT_TRUE(kept.ok()) << kept.status();
    recorded += *kept ? 1 : 0;
    now_ += absl::Milliseconds(10);  // 1,000 refusals in 10 s
  }
  EXPECT_EQ(recorded, 60);
  EXPECT_EQ(Rows("refusal").size(), 60u);

  // Another kind of the same process, and the same kind of another, have budgets of their own.
  EXPECT_TRUE(*recorder.Record(Event("response", "thresholds")));
  EXPECT_TRUE(*recorder.Record(Event("response", "refusal")));

  now_ += absl::Minutes(1);
  AuditEvent after = Event("trader", "refusal");
  after.dropped_before = 5;  // dropped by the reporting process itself
  ASSERT_TRUE(*recorder.Record(after));
  std::vector<AuditEvent> rows = Rows("refusal");
  ASSERT_EQ(rows.size(), 62u);
  EXPECT_EQ(rows[0].process, "trader");
  EXPECT_EQ(rows[0].dropped_before, 940 + 7 + 5);
  EXPECT_EQ(rows[0].at, now_);  // stamped with the gateway's time
}

TEST_F(AuditRecorderTest, AStoreErrorIsReturned) {
  AuditRecorder recorder(store_.get(), 60, [this] { return now_; });
  std::unique_ptr<SqliteStore> fresh;
  {
    absl::StatusOr<std::unique_ptr<SqliteStore>> opened =
        SqliteStore::Open((dir_ / "other.db").string());
    ASSERT_TRUE(opened.ok());
    fresh = *std::move(opened);
  }
  AuditRecorder unbegun(fresh.get(), 60, [this] { return now_; });  // no run begun
  absl::StatusOr<bool> kept = unbegun.Record(Event("forecast", "model_reload"));
  EXPECT_EQ(kept.status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace gridpilot
