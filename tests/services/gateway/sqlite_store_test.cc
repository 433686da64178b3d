// SqliteStore: the rows it writes, read back through the plain sqlite3 API as an
// operator's tool would, when batched writes become visible, WAL mode, run ids and open
// errors.
#include "services/gateway/sqlite_store.h"
#include "services/gateway/sqlite_schema_migration.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include "core/base/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/services/gateway/made_up_interval.h"

namespace gridpilot {
namespace {

using ::testing::HasSubstr;

absl::Time At(const char* text) { return *base::ParseUtcTimestamp(text); }

// A cell as read back: NULL, integer, real or text.
using Cell = std::variant<std::monostate, int64_t, double, std::string>;
using Row = std::vector<Cell>;

// A read-only connection of its own, as a separate process would have.
class Reader {
 public:
  explicit Reader(const std::string& path) {
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  }
  ~Reader() { sqlite3_close(db_); }

  std::vector<Row> Query(const std::string& sql) {
    std::vector<Row> rows;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
      return rows;
    }
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      Row& row = rows.emplace_back();
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_NULL: row.emplace_back(std::monostate{}); break;
          case SQLITE_INTEGER: row.emplace_back(int64_t{sqlite3_column_int64(stmt, c)}); break;
          case SQLITE_FLOAT: row.emplace_back(sqlite3_column_double(stmt, c)); break;
          default:
            row.emplace_back(
                std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, c))));
        }
      }
    }
    sqlite3_finalize(stmt);
    return rows;
  }

 private:
  sqlite3* db_ = nullptr;
};

bool IsNull(const Cell& c) { return std::holds_alternative<std::monostate>(c); }
int64_t Int(const Cell& c) { return std::get<int64_t>(c); }
double Real(const Cell& c) {
  // SQLite stores a REAL that is a whole number compactly but returns it as a float.
  return std::holds_alternative<int64_t>(c) ? static_cast<double>(std::get<int64_t>(c))
                                            : std::get<double>(c);
}
const std::string& Text(const Cell& c) { return std::get<std::string>(c); }

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "/sqlite_store_test_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = (dir_ / "gridpilot.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<SqliteStore> OpenStore(int commit_every_records = 256) {
    absl::StatusOr<std::unique_ptr<SqliteStore>> store =
        SqliteStore::Open(path_, commit_every_records);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }

  std::filesystem::path dir_;
  std::string path_;
};

using ::gridpilot::testing::MadeUpOutcome;
using ::gridpilot::testing::MadeUpRegion;
using ::gridpilot::testing::Record;

TEST_F(SqliteStoreTest, WritesRunsProposalsIntervalsAndLedger) {
  std::unique_ptr<SqliteStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(
      store->BeginRun(At("2023-01-01T00:00:00Z"), At("2023-01-02T00:00:00Z"), R"({"region": {}})")
          .ok());
  const int64_t run = store->run_id();
  EXPECT_GT(run, 0);

  ASSERT_TRUE(store->RecordProposal(Record(1, "k1", 30), ProposalStatus::kAccepted, "").ok());
  ASSERT_TRUE(store->RecordProposal(Record(1, "k1", 30), ProposalStatus::kDuplicate, "").ok());
  region::ProposalRecord rejected = Record(0, "k2", std::nan(""));
  ASSERT_TRUE(
      store->RecordProposal(rejected, ProposalStatus::kRejected, "power_mw: not finite").ok());
  region::ProposalRecord cancelled;
  cancelled.id = 1;
  cancelled.submitted_at = At("2023-01-01T00:10:00Z");
  ASSERT_TRUE(store->RecordProposal(cancelled, ProposalStatus::kCancelled, "cancelled").ok());

  const absl::Time start = At("2023-01-01T00:30:00Z");
  ASSERT_TRUE(store->RecordInterval(MadeUpRegion(start), MadeUpOutcome(start)).ok());
  ASSERT_TRUE(store->Flush().ok());

  Reader reader(path_);
  std::vector<Row> runs =
      reader.Query("SELECT run_id, replay_from, replay_to, config_json FROM runs");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(Int(runs[0][0]), run);
  EXPECT_EQ(Text(runs[0][1]), "2023-01-01T00:00:00Z");
  EXPECT_EQ(Text(runs[0][2]), "2023-01-02T00:00:00Z");
  EXPECT_EQ(Text(runs[0][3]), R"({"region": {}})");

  std::vector<Row> proposals = reader.Query(
      "SELECT run_id, proposal_id, status, submitted_at, agent, asset_id, priority, power_mw, "
      "lease_start, lease_end, idempotency_key, reason, detail FROM proposals ORDER BY rowid");
  ASSERT_EQ(proposals.size(), 4u);
  const Row& accepted = proposals[0];
  EXPECT_EQ(Int(accepted[0]), run);
  EXPECT_EQ(Int(accepted[1]), 1);
  EXPECT_EQ(Text(accepted[2]), "accepted");
  EXPECT_EQ(Text(accepted[3]), "2023-01-01T00:00:00Z");
  EXPECT_EQ(Text(accepted[4]), "response");
  EXPECT_EQ(Text(accepted[5]), "battery-1");
  EXPECT_EQ(Int(accepted[6]), static_cast<int>(region::DispatchPriority::kResilience));
  EXPECT_DOUBLE_EQ(Real(accepted[7]), 30);
  EXPECT_EQ(Text(accepted[8]), "2023-01-01T00:00:00Z");
  EXPECT_EQ(Text(accepted[9]), "2023-01-01T00:30:00Z");
  EXPECT_EQ(Text(accepted[10]), "k1");
  EXPECT_EQ(Text(accepted[11]), "ramp ahead");
  EXPECT_EQ(Text(accepted[12]), "");
  EXPECT_EQ(Text(proposals[1][2]), "duplicate");
  EXPECT_EQ(Text(proposals[2][2]), "rejected");
  EXPECT_EQ(Int(proposals[2][1]), 0);
  EXPECT_TRUE(IsNull(proposals[2][7]));  // a NaN power is stored as NULL
  EXPECT_EQ(Text(proposals[2][12]), "power_mw: not finite");
  EXPECT_EQ(Text(proposals[3][2]), "cancelled");
  EXPECT_EQ(Int(proposals[3][1]), 1);
  EXPECT_EQ(Text(proposals[3][3]), "2023-01-01T00:10:00Z");

  std::vector<Row> telemetry = reader.Query(
      "SELECT run_id, interval_start, net_load_mw, embedded_solar_mw, embedded_wind_mw, "
      "price_gbp_per_mwh, dispatch_mw, net_load_after_mw, excess_mw, baseline_excess_mw "
      "FROM telemetry");
  ASSERT_EQ(telemetry.size(), 1u);
  const Row& t = telemetry[0];
  EXPECT_EQ(Int(t[0]), run);
  EXPECT_EQ(Text(t[1]), "2023-01-01T00:30:00Z");
  EXPECT_DOUBLE_EQ(Real(t[2]), 340);
  EXPECT_TRUE(IsNull(t[3]));  // missing stays missing
  EXPECT_DOUBLE_EQ(Real(t[4]), 12.25);
  EXPECT_DOUBLE_EQ(Real(t[5]), 80.04);
  EXPECT_DOUBLE_EQ(Real(t[6]), 25);
  EXPECT_DOUBLE_EQ(Real(t[7]), 315);
  EXPECT_DOUBLE_EQ(Real(t[8]), 0);
  EXPECT_DOUBLE_EQ(Real(t[9]), 25);

  std::vector<Row> decisions = reader.Query(
      "SELECT asset_id, proposal_id, agent, priority, requested_mw, applied_mw, soc_before_mwh, "
      "soc_after_mwh, charge_mwh, discharge_mwh, peaker_status, reason, interval_start, run_id "
      "FROM decisions ORDER BY asset_id");
  ASSERT_EQ(decisions.size(), 2u);
  const Row& b = decisions[0];
  EXPECT_EQ(Text(b[0]), "battery-1");
  EXPECT_EQ(Int(b[1]), 3);
  EXPECT_EQ(Text(b[2]), "response");
  EXPECT_EQ(Int(b[3]), static_cast<int>(region::DispatchPriority::kResilience));
  EXPECT_DOUBLE_EQ(Real(b[4]), 30);
  EXPECT_DOUBLE_EQ(Real(b[5]), 25);
  EXPECT_DOUBLE_EQ(Real(b[6]), 50);
  EXPECT_DOUBLE_EQ(Real(b[7]), 50 - 12.5 / 0.95);
  EXPECT_DOUBLE_EQ(Real(b[8]), 0);
  EXPECT_DOUBLE_EQ(Real(b[9]), 12.5);
  EXPECT_TRUE(IsNull(b[10]));
  EXPECT_EQ(Text(b[11]), "ramp ahead; clamped");
  EXPECT_EQ(Text(b[12]), "2023-01-01T00:30:00Z");
  EXPECT_EQ(Int(b[13]), run);
  const Row& p = decisions[1];
  EXPECT_EQ(Text(p[0]), "peaker-1");
  EXPECT_EQ(Int(p[1]), 0);
  EXPECT_EQ(Text(p[2]), "");
  for (int c = 6; c <= 9; ++c) EXPECT_TRUE(IsNull(p[c])) << c;
  EXPECT_EQ(Text(p[10]), "starting");

  std::vector<Row> ledger = reader.Query(
      "SELECT cause, asset_id, amount_gbp, interval_start, run_id FROM ledger ORDER BY rowid");
  ASSERT_EQ(ledger.size(), 3u);
  EXPECT_EQ(Text(ledger[0][0]), "arbitrage_sold");
  EXPECT_EQ(Text(ledger[0][1]), "battery-1");
  EXPECT_DOUBLE_EQ(Real(ledger[0][2]), 1000.5);
  EXPECT_EQ(Text(ledger[0][3]), "2023-01-01T00:30:00Z");
  EXPECT_EQ(Int(ledger[0][4]), run);
  EXPECT_EQ(Text(ledger[1][0]), "battery_degradation");
  EXPECT_DOUBLE_EQ(Real(ledger[1][2]), -62.5);
  EXPECT_EQ(Text(ledger[2][0]), "instability_penalty");
  EXPECT_EQ(Text(ledger[2][1]), "");
  std::vector<Row> sum = reader.Query("SELECT SUM(amount_gbp) FROM ledger");
  EXPECT_DOUBLE_EQ(Real(sum[0][0]), 1000.5 - 62.5);
}

TEST_F(SqliteStoreTest, AFailedIntervalUndoesOnlyItselfNotItsBatch) {
  std::unique_ptr<SqliteStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->BeginRun(At("2023-01-01T00:00:00Z"), At("2023-01-02T00:00:00Z"), "{}").ok());
  const absl::Time start = At("2023-01-01T00:30:00Z");
  ASSERT_TRUE(store->RecordInterval(MadeUpRegion(start), MadeUpOutcome(start)).ok());
  // The same interval again violates the telemetry primary key: nothing of it is kept.
  EXPECT_FALSE(store->RecordInterval(MadeUpRegion(start), MadeUpOutcome(start)).ok());
  // A decision row that fails after the telemetry row went in: that telemetry row goes too.
  const absl::Time bad = start + 2 * base::kHalfHour;
  region::IntervalOutcome duplicate_asset = MadeUpOutcome(bad);
  duplicate_asset.decisions[1].asset_id = "battery-1";  // decisions key clash
  EXPECT_FALSE(store->RecordInterval(MadeUpRegion(bad), duplicate_asset).ok());
  // The store is still usable afterwards, in the same batch.
  const absl::Time next = start + base::kHalfHour;
  EXPECT_TRUE(store->RecordInterval(MadeUpRegion(next), MadeUpOutcome(next)).ok());
  ASSERT_TRUE(store->Flush().ok());

  Reader reader(path_);
  EXPECT_EQ(Int(reader.Query("SELECT COUNT(*) FROM telemetry WHERE interval_start = '" +
                             base::FormatUtcTimestamp(bad) + "'")[0][0]),
            0);
  EXPECT_EQ(Int(reader.Query("SELECT COUNT(*) FROM telemetry")[0][0]), 2);
  EXPECT_EQ(Int(reader.Query("SELECT COUNT(*) FROM decisions")[0][0]), 4);
  EXPECT_EQ(Int(reader.Query("SELECT COUNT(*) FROM ledger")[0][0]), 6);
}

// A plan is one row: its intervals as compact numbers at 0.1 resolution.
TEST_F(SqliteStoreTest, RecordsPlansCompactly) {
  std::unique_ptr<SqliteStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->BeginRun(At("2023-01-01T00:00:00Z"), At("2023-01-02T00:00:00Z"), "{}").ok());
  AgentPlanRecord plan;
  plan.first_interval_start = At("2023-01-01T01:00:00Z");
  plan.power_mw = {12.54, -3.0, 0.0};
  plan.price_forecast_gbp_per_mwh = {80.0, 95.25, -4.5};
  plan.expected_value_gbp = 1234.5;
  plan.reason = "plan at 00:30";
  ASSERT_TRUE(store->RecordPlan(At("2023-01-01T00:30:00Z"), "trader", plan).ok());
  ASSERT_TRUE(store->Flush().ok());
  Reader reader(path_);
  const auto rows = reader.Query(
      "SELECT tick, agent, first_interval_start, intervals, power_mw, "
      "price_forecast_gbp_per_mwh, expected_value_gbp, reason FROM plans");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(Text(rows[0][0]), "2023-01-01T00:30:00Z");
  EXPECT_EQ(Text(rows[0][1]), "trader");
  EXPECT_EQ(Text(rows[0][2]), "2023-01-01T01:00:00Z");
  EXPECT_EQ(Int(rows[0][3]), 3);
  EXPECT_EQ(Text(rows[0][4]), "12.5 -3.0 0.0");
  EXPECT_EQ(Text(rows[0][5]), "80.0 95.2 -4.5");
  EXPECT_DOUBLE_EQ(Real(rows[0][6]), 1234.5);
  EXPECT_EQ(Text(rows[0][7]), "plan at 00:30");
}

TEST_F(SqliteStoreTest, BatchedRecordsBecomeVisibleOnCommit) {
  std::unique_ptr<SqliteStore> store = OpenStore(/*commit_every_records=*/3);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->BeginRun(At("2023-01-01T00:00:00Z"), At("2023-01-02T00:00:00Z"), "{}").ok());
  auto visible = [&] {
    Reader reader(path_);
    return Int(reader.Query("SELECT COUNT(*) FROM proposals")[0][0]);
  };
  auto record = [&](int64_t id) {
    ASSERT_TRUE(store->RecordProposal(Record(id, "", 1), ProposalStatus::kAccepted, "").ok());
  };
  EXPECT_EQ(visible(), 0);
  record(1);
  record(2);
  EXPECT_EQ(visible(), 0);  // two records: the batch is still open
  record(3);
  // Three records, but a proposal is not a commit point: only the end of an interval is.
  EXPECT_EQ(visible(), 0);
  const absl::Time start = At("2023-01-01T00:00:00Z");
  ASSERT_TRUE(store->RecordInterval(MadeUpRegion(start), MadeUpOutcome(start)).ok());
  EXPECT_EQ(visible(), 3);  // the interval closes the full batch
  record(4);
  EXPECT_EQ(visible(), 3);
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(visible(), 4);
  ASSERT_TRUE(store->Flush().ok());  // nothing open: a no-op
  record(5);
  // A new run commits what the previous one left open.
  ASSERT_TRUE(store->BeginRun(At("2023-02-01T00:00:00Z"), At("2023-02-02T00:00:00Z"), "{}").ok());
  EXPECT_EQ(visible(), 5);
  record(6);
  store.reset();  // closing commits
  EXPECT_EQ(visible(), 6);
}

TEST_F(SqliteStoreTest, UsesWriteAheadLogging) {
  std::unique_ptr<SqliteStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  Reader reader(path_);
  std::vector<Row> mode = reader.Query("PRAGMA journal_mode");
  ASSERT_EQ(mode.size(), 1u);
  EXPECT_EQ(Text(mode[0][0]), "wal");
}

TEST_F(SqliteStoreTest, TwoRunsInOneFileGetDifferentRunIds) {
  int64_t first_run = 0;
  {
    std::unique_ptr<SqliteStore> store = OpenStore();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->BeginRun(At("2023-01-01T00:00:00Z"), At("2023-01-02T00:00:00Z"), "{}").ok());
    first_run = store->run_id();
    const absl::Time start = At("2023-01-01T00:30:00Z");
    ASSERT_TRUE(store->RecordInterval(MadeUpRegion(start), MadeUpOutcome(start)).ok());
  }                                                  // closed: committed
  std::unique_ptr<SqliteStore> store = OpenStore();  // reopened: the file is kept
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->BeginRun(At("2023-02-01T00:00:00Z"), At("2023-02-02T00:00:00Z"), "{}").ok());
  const int64_t second_run = store->run_id();
  EXPECT_NE(second_run, first_run);
  // The same interval start is fine in another run.
  const absl::Time start = At("2023-01-01T00:30:00Z");
  ASSERT_TRUE(store->RecordInterval(MadeUpRegion(start), MadeUpOutcome(start)).ok());
  ASSERT_TRUE(store->Flush().ok());

  Reader reader(path_);
  std::vector<Row> runs = reader.Query("SELECT run_id FROM runs ORDER BY run_id");
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(Int(runs[0][0]), first_run);
  EXPECT_EQ(Int(runs[1][0]), second_run);
  std::vector<Row> per_run =
      reader.Query("SELECT run_id, COUNT(*) FROM telemetry GROUP BY run_id ORDER BY run_id");
  ASSERT_EQ(per_run.size(), 2u);
  EXPECT_EQ(Int(per_run[0][1]), 1);
  EXPECT_EQ(Int(per_run[1][1]), 1);
}

TEST_F(SqliteStoreTest, RecordingBeforeBeginRunIsFailedPrecondition) {
  std::unique_ptr<SqliteStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->RecordAgentNote(At("2023-01-01T00:30:00Z"), "agent", "note").code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store->RecordProposal(Record(1, "", 10), ProposalStatus::kAccepted, "").code(),
            absl::StatusCode::kFailedPrecondition);
}

// Another connection holding the write lock: the record fails as Unavailable and stores
// nothing; once the lock is gone the store goes on, with that record absent.
TEST_F(SqliteStoreTest, ALockedDatabaseIsUnavailableAndTheFailedRecordStoresNothing) {
  std::unique_ptr<SqliteStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->BeginRun(At("2023-01-01T00:00:00Z"), At("2023-01-02T00:00:00Z"), "{}").ok());
  ASSERT_TRUE(store->Flush().ok());
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  const absl::Status locked = store->RecordAgentNote(At("2023-01-01T00:30:00Z"), "a", "lost");
  EXPECT_EQ(locked.code(), absl::StatusCode::kUnavailable) << locked;
  ASSERT_EQ(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);
  ASSERT_TRUE(store->RecordAgentNote(At("2023-01-01T01:00:00Z"), "a", "kept").ok());
  ASSERT_TRUE(store->Flush().ok());
  Reader reader(path_);
  const std::vector<Row> notes = reader.Query("SELECT note FROM agent_notes");
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(Text(notes[0][0]), "kept");
}

TEST_F(SqliteStoreTest, PathInMissingDirectoryIsUnavailableNamingThePath) {
  const std::string path = (dir_ / "no" / "such" / "dir" / "gridpilot.db").string();
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kUnavailable) << store.status();
  EXPECT_THAT(std::string(store.status().message()), HasSubstr(path));
}

// A gateway killed mid-run: a child process records into its own connection and dies
// with _exit (no destructor, no Flush). Returns the child's exit status.
template <typename Records>
int RecordThenDie(const std::string& path, int commit_every_records, Records records) {
  const pid_t child = fork();
  if (child == 0) {
    absl::StatusOr<std::unique_ptr<SqliteStore>> store =
        SqliteStore::Open(path, commit_every_records);
    if (!store.ok()) _exit(3);
    const bool ok = records(store->get());
    store->release();  // never closed: the process dies with its batch open
    _exit(ok ? 0 : 4);
  }
  int status = 0;
  waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

constexpr char kDay1[] = "2023-01-01T00:00:00Z";
constexpr char kDay2[] = "2023-01-02T00:00:00Z";

absl::Time Interval(int k) { return At(kDay1) + k * absl::Minutes(30); }

TEST_F(SqliteStoreTest, AKilledWriterKeepsWholeIntervalsOnly) {
  // Batches of 4 records: interval 0 (proposal + interval = 2 records) does not commit;
  // interval 1 brings the batch to 4 and commits; then two proposals and interval 2's
  // proposal reach 3 records past the commit, more than any proposal commit would need.
  const int exit_code = RecordThenDie(path_, 4, [](SqliteStore* store) {
    bool ok = store->BeginRun(At(kDay1), At(kDay2), "{}").ok();
    for (int k = 0; k < 2; ++k) {
      ok = ok && store->RecordProposal(Record(k + 1, "", 1), ProposalStatus::kAccepted, "").ok();
      ok = ok && store->RecordInterval(MadeUpRegion(Interval(k)), MadeUpOutcome(Interval(k))).ok();
    }
    for (int id = 3; id <= 7; ++id) {
      ok = ok && store->RecordProposal(Record(id, "", 1), ProposalStatus::kAccepted, "").ok();
    }
    return ok;
  });
  ASSERT_EQ(exit_code, 0);
  Reader reader(path_);
  EXPECT_EQ(Int(reader.Query("SELECT COUNT(*) FROM telemetry")[0][0]), 2);
  EXPECT_EQ(Int(reader.Query("SELECT COUNT(*) FROM decisions")[0][0]), 4);
  // The proposals recorded before the last committed interval, and none after it.
  EXPECT_EQ(Int(reader.Query("SELECT COUNT(*) FROM proposals")[0][0]), 2);
}

TEST_F(SqliteStoreTest, ResumeRunContinuesTheMatchingRunAfterItsLastInterval) {
  {
    std::unique_ptr<SqliteStore> store = OpenStore(1);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->BeginRun(At(kDay1), At(kDay2), "{\"a\": 1}").ok());  // run 1
    ASSERT_TRUE(store->BeginRun(At(kDay1), At(kDay2), "{}").ok());          // run 2
    for (int k = 0; k < 3; ++k) {
      ASSERT_TRUE(
          store->RecordInterval(MadeUpRegion(Interval(k)), MadeUpOutcome(Interval(k))).ok());
    }
    // A tick that never settled: its proposal and note are committed by the close.
    region::ProposalRecord late = Record(9, "k9", 1);
    late.submitted_at = Interval(3);
    ASSERT_TRUE(store->RecordProposal(late, ProposalStatus::kAccepted, "").ok());
    ASSERT_TRUE(store->RecordAgentNote(Interval(3), "response", "held").ok());
    ASSERT_TRUE(store->BeginRun(At(kDay2), At(kDay2) + absl::Hours(24), "{}").ok());  // run 3
  }
  std::unique_ptr<SqliteStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  absl::StatusOr<ResumePoint> point = store->ResumeRun(At(kDay1), At(kDay2), "{}");
  ASSERT_TRUE(point.ok()) << point.status();
  EXPECT_EQ(point->run_id, 2);
  EXPECT_EQ(point->intervals_committed, 3);
  EXPECT_EQ(point->last_interval_start, Interval(2));
  EXPECT_EQ(store->run_id(), 2);
  {
    Reader reader(path_);
    EXPECT_EQ(Int(reader.Query("SELECT COUNT(*) FROM proposals WHERE run_id = 2")[0][0]), 0);
    EXPECT_EQ(Int(reader.Query("SELECT COUNT(*) FROM agent_notes WHERE run_id = 2")[0][0]), 0);
  }
  // Later records go to the resumed run.
  ASSERT_TRUE(store->RecordInterval(MadeUpRegion(Interval(3)), MadeUpOutcome(Interval(3))).ok());
  ASSERT_TRUE(store->Flush().ok());
  Reader reader(path_);
  EXPECT_EQ(Int(reader.Query("SELECT COUNT(*) FROM telemetry WHERE run_id = 2")[0][0]), 4);
  EXPECT_EQ(Int(reader.Query("SELECT COUNT(*) FROM runs")[0][0]), 3);
}

TEST_F(SqliteStoreTest, ResumeRunDiscardsTheIntervalsFromDiscardFromWithTheirTicks) {
  {
    std::unique_ptr<SqliteStore> store = OpenStore(1);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->BeginRun(At(kDay1), At(kDay2), "{}").ok());
    for (int k = 0; k < 4; ++k) {
      region::ProposalRecord proposal = Record(k + 1, absl::StrCat("k", k), 1);
      proposal.submitted_at = Interval(k);
      ASSERT_TRUE(store->RecordProposal(proposal, ProposalStatus::kAccepted, "").ok());
      ASSERT_TRUE(
          store->RecordInterval(MadeUpRegion(Interval(k)), MadeUpOutcome(Interval(k))).ok());
    }
  }
  std::unique_ptr<SqliteStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  absl::StatusOr<ResumePoint> point = store->ResumeRun(At(kDay1), At(kDay2), "{}", Interval(2));
  ASSERT_TRUE(point.ok()) << point.status();
  EXPECT_EQ(point->intervals_committed, 2);
  EXPECT_EQ(point->intervals_discarded, 2);
  EXPECT_EQ(point->last_interval_start, Interval(1));
  Reader reader(path_);
  EXPECT_EQ(Int(reader.Query("SELECT COUNT(*) FROM telemetry")[0][0]), 2);
  EXPECT_EQ(Int(reader.Query("SELECT COUNT(*) FROM proposals")[0][0]), 2);
  EXPECT_EQ(Int(reader.Query("SELECT COUNT(*) FROM ledger WHERE interval_start >= '" +
                             base::FormatUtcTimestamp(Interval(2)) + "'")[0][0]),
            0);
  EXPECT_EQ(Int(reader.Query("SELECT COUNT(*) FROM decisions WHERE interval_start >= '" +
                             base::FormatUtcTimestamp(Interval(2)) + "'")[0][0]),
            0);
}

TEST_F(SqliteStoreTest, ResumeRunNamesWhatDiffersWhenNoRunMatches) {
  std::unique_ptr<SqliteStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  absl::StatusOr<ResumePoint> empty = store->ResumeRun(At(kDay1), At(kDay2), "{}");
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(empty.status().message(), HasSubstr("holds no run"));
  ASSERT_TRUE(store->BeginRun(At(kDay1), At(kDay2), "{\"region\": {\"scale\": 0.1}}").ok());
  absl::StatusOr<ResumePoint> other_window =
      store->ResumeRun(At(kDay1), At(kDay2) + absl::Hours(24), "{\"region\": {\"scale\": 0.1}}");
  EXPECT_EQ(other_window.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(other_window.status().message(),
              HasSubstr("run 1, differs in replay_to (stored 2023-01-02T00:00:00Z, this run "
                        "2023-01-03T00:00:00Z)"));
  absl::StatusOr<ResumePoint> other_config =
      store->ResumeRun(At(kDay1), At(kDay2), "{\"region\": {\"scale\": 0.2}}");
  EXPECT_EQ(other_config.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(other_config.status().message(),
              HasSubstr("config (first difference at byte 23: stored \"1}}\", this run \"2}}\")"));
}

TEST_F(SqliteStoreTest, VerifyIntervalAcceptsTheStoredIntervalAndNamesTheFirstDifference) {
  std::unique_ptr<SqliteStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->BeginRun(At(kDay1), At(kDay2), "{}").ok());
  const absl::Time start = Interval(0);
  ASSERT_TRUE(store->RecordInterval(MadeUpRegion(start), MadeUpOutcome(start)).ok());
  ASSERT_TRUE(store->Flush().ok());
  ASSERT_TRUE(store->ResumeRun(At(kDay1), At(kDay2), "{}").ok());
  EXPECT_TRUE(store->VerifyInterval(MadeUpRegion(start), MadeUpOutcome(start)).ok());

  region::IntervalOutcome soc = MadeUpOutcome(start);
  soc.batteries[0].soc_after_mwh += 1e-9;
  absl::Status differs = store->VerifyInterval(MadeUpRegion(start), soc);
  EXPECT_EQ(differs.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(differs.message(), HasSubstr("interval 2023-01-01T00:00:00Z of run 1"));
  EXPECT_THAT(differs.message(), HasSubstr("decisions[0] (battery-1).soc_after_mwh: stored "));

  region::IntervalOutcome ledger = MadeUpOutcome(start);
  ASSERT_FALSE(ledger.entries.empty());
  ledger.entries.pop_back();
  differs = store->VerifyInterval(MadeUpRegion(start), ledger);
  EXPECT_THAT(differs.message(), HasSubstr("ledger: "));

  data::GridInterval price = MadeUpRegion(start);
  price.price_gbp_per_mwh = 81.0;
  differs = store->VerifyInterval(price, MadeUpOutcome(start));
  EXPECT_THAT(differs.message(),
              HasSubstr("telemetry.price_gbp_per_mwh: stored 80.040000000000006, recomputed 81"));

  differs = store->VerifyInterval(MadeUpRegion(Interval(1)), MadeUpOutcome(Interval(1)));
  EXPECT_THAT(differs.message(), HasSubstr("decisions: 0 stored, 2 recomputed"));
  // Verifying wrote nothing.
  Reader reader(path_);
  EXPECT_EQ(Int(reader.Query("SELECT COUNT(*) FROM telemetry")[0][0]), 1);
}

TEST_F(SqliteStoreTest, LastStateIsTheLastIntervalsAssetsAndTheLedgerTotals) {
  std::unique_ptr<SqliteStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->BeginRun(At(kDay1), At(kDay2), "{}").ok());
  for (int k = 0; k < 3; ++k) {
    region::IntervalOutcome outcome = MadeUpOutcome(Interval(k));
    outcome.batteries[0].soc_after_mwh = 40.0 + k;
    outcome.decisions[1].applied_mw = 10.0 * k;
    ASSERT_TRUE(store->RecordInterval(MadeUpRegion(Interval(k)), outcome).ok());
  }
  ASSERT_TRUE(store->Flush().ok());
  ASSERT_TRUE(store->ResumeRun(At(kDay1), At(kDay2), "{}").ok());
  absl::StatusOr<StoredRunState> state = store->LastState();
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(state->intervals, 3);
  EXPECT_EQ(state->last_interval_start, Interval(2));
  EXPECT_EQ(state->battery_soc_mwh, (std::map<std::string, double>{{"battery-1", 42.0}}));
  ASSERT_EQ(state->peakers.count("peaker-1"), 1u);
  EXPECT_EQ(state->peakers.at("peaker-1").status, assets::PeakerStatus::kStarting);
  EXPECT_DOUBLE_EQ(state->peakers.at("peaker-1").output_mw, 20.0);
  EXPECT_EQ(state->peakers.at("peaker-1").status_since, absl::InfinitePast());
  // Three intervals of MadeUpOutcome's entries.
  EXPECT_DOUBLE_EQ(state->ledger_totals_gbp[static_cast<int>(market::LedgerCause::kArbitrageSold)],
                   3001.5);
  EXPECT_DOUBLE_EQ(
      state->ledger_totals_gbp[static_cast<int>(market::LedgerCause::kBatteryDegradation)], -187.5);
  EXPECT_DOUBLE_EQ(state->ledger_totals_gbp[static_cast<int>(market::LedgerCause::kPeakerFuel)],
                   0.0);
}

TEST_F(SqliteStoreTest, KeepsTheRoleOfEveryProposalAndDecision) {
  std::unique_ptr<SqliteStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->BeginRun(At("2023-01-01T00:00:00Z"), At("2023-01-02T00:00:00Z"), "{}").ok());
  region::ProposalRecord by_operator = Record(1, "k1", 30);
  by_operator.proposal.agent = "operator";
  by_operator.proposal.role = "operator";
  ASSERT_TRUE(store->RecordProposal(by_operator, ProposalStatus::kAccepted, "").ok());
  const absl::Time start = At("2023-01-01T00:30:00Z");
  region::IntervalOutcome outcome = MadeUpOutcome(start);
  outcome.decisions[0].agent = "operator";
  outcome.decisions[0].role = "operator";
  ASSERT_TRUE(store->RecordInterval(MadeUpRegion(start), outcome).ok());
  ASSERT_TRUE(store->Flush().ok());
  Reader reader(path_);
  EXPECT_EQ(Text(reader.Query("SELECT role FROM proposals")[0][0]), "operator");
  std::vector<Row> roles = reader.Query("SELECT role FROM decisions ORDER BY asset_id");
  ASSERT_EQ(roles.size(), 2u);
  EXPECT_EQ(Text(roles[0][0]), "operator");
  EXPECT_EQ(Text(roles[1][0]), "");  // the idle peaker
  EXPECT_EQ(Int(reader.Query("PRAGMA user_version")[0][0]), kSqliteSchemaVersion);
}

// Turns a current file into what a gateway before the role columns wrote: the same tables
// without role, no audit_events, user_version 0.
void DowngradeToVersion1(const std::string& path) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db,
                         "ALTER TABLE proposals DROP COLUMN role; "
                         "ALTER TABLE decisions DROP COLUMN role; DROP TABLE audit_events; "
                         "DROP TABLE telemetry_samples; PRAGMA user_version = 0;",
                         nullptr, nullptr, &error),
            SQLITE_OK)
      << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

TEST_F(SqliteStoreTest, MigratesAVersion1FileFillingRolesFromTheAgentsAndStillResumes) {
  const absl::Time from = At("2023-01-01T00:00:00Z");
  const absl::Time to = At("2023-01-02T00:00:00Z");
  const absl::Time start = At("2023-01-01T00:30:00Z");
  {
    std::unique_ptr<SqliteStore> store = OpenStore();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->BeginRun(from, to, "{}").ok());
    ASSERT_TRUE(store->RecordProposal(Record(1, "k1", 30), ProposalStatus::kAccepted, "").ok());
    region::ProposalRecord forged = Record(2, "k2", 10);
    forged.proposal.agent = "mallory";  // a name a plaintext stack once accepted
    ASSERT_TRUE(store->RecordProposal(forged, ProposalStatus::kAccepted, "").ok());
    region::ProposalRecord by_operator = Record(3, "k3", 10);
    by_operator.proposal.agent = "operator";
    ASSERT_TRUE(store->RecordProposal(by_operator, ProposalStatus::kAccepted, "").ok());
    ASSERT_TRUE(store->RecordInterval(MadeUpRegion(start), MadeUpOutcome(start)).ok());
  }
  DowngradeToVersion1(path_);
  {
    Reader before(path_);
    ASSERT_EQ(
        before.Query("SELECT * FROM pragma_table_info('proposals') WHERE name = 'role'").size(),
        0u);
  }

  std::unique_ptr<SqliteStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  {
    Reader reader(path_);
    EXPECT_EQ(Int(reader.Query("PRAGMA user_version")[0][0]), kSqliteSchemaVersion);
    std::vector<Row> proposals =
        reader.Query("SELECT agent, role, proposal_id FROM proposals ORDER BY rowid");
    ASSERT_EQ(proposals.size(), 3u);  // every row kept
    EXPECT_EQ(Text(proposals[0][1]), "response");
    EXPECT_EQ(Text(proposals[1][0]), "mallory");
    EXPECT_EQ(Text(proposals[1][1]), "");  // no gridpilot identity: no role
    EXPECT_EQ(Text(proposals[2][1]), "operator");
    std::vector<Row> decisions =
        reader.Query("SELECT asset_id, agent, role, applied_mw FROM decisions ORDER BY asset_id");
    ASSERT_EQ(decisions.size(), 2u);
    EXPECT_EQ(Text(decisions[0][2]), "response");
    EXPECT_DOUBLE_EQ(Real(decisions[0][3]), 25);
    EXPECT_EQ(Text(decisions[1][2]), "");
    EXPECT_EQ(reader.Query("SELECT * FROM audit_events").size(), 0u);
  }
  // The resume path works on the migrated file, and new rows carry their role.
  absl::StatusOr<ResumePoint> point = store->ResumeRun(from, to, "{}");
  ASSERT_TRUE(point.ok()) << point.status();
  EXPECT_EQ(point->intervals_committed, 1);
  region::IntervalOutcome recomputed = MadeUpOutcome(start);
  recomputed.decisions[0].role = "response";
  EXPECT_TRUE(store->VerifyInterval(MadeUpRegion(start), recomputed).ok());
  const absl::Time next = start + absl::Minutes(30);
  region::IntervalOutcome later = MadeUpOutcome(next);
  later.decisions[0].role = "response";
  ASSERT_TRUE(store->RecordInterval(MadeUpRegion(next), later).ok());
  ASSERT_TRUE(store->Flush().ok());
  Reader reader(path_);
  std::vector<Row> roles = reader.Query(
      "SELECT role FROM decisions WHERE interval_start = '2023-01-01T01:00:00Z' AND "
      "asset_id = 'battery-1'");
  ASSERT_EQ(roles.size(), 1u);
  EXPECT_EQ(Text(roles[0][0]), "response");
}

TEST_F(SqliteStoreTest, AFileFromANewerGatewayIsRefusedNamingBothVersions) {
  { ASSERT_NE(OpenStore(), nullptr); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  const std::string newer = absl::StrCat("PRAGMA user_version = ", kSqliteSchemaVersion + 1);
  ASSERT_EQ(sqlite3_exec(db, newer.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(store.status().message()),
              HasSubstr(absl::StrCat("schema version ", kSqliteSchemaVersion + 1)));
  EXPECT_THAT(std::string(store.status().message()),
              HasSubstr(absl::StrCat("this gateway's ", kSqliteSchemaVersion)));
}

TEST_F(SqliteStoreTest, MigratesAVersion2FileAddingTheSamplesTableKeepingItsRows) {
  const absl::Time from = At("2023-01-01T00:00:00Z");
  const absl::Time to = At("2023-01-02T00:00:00Z");
  const absl::Time start = At("2023-01-01T00:30:00Z");
  {
    std::unique_ptr<SqliteStore> store = OpenStore();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->BeginRun(from, to, "{}").ok());
    ASSERT_TRUE(store->RecordProposal(Record(1, "k1", 30), ProposalStatus::kAccepted, "").ok());
    ASSERT_TRUE(store->RecordInterval(MadeUpRegion(start), MadeUpOutcome(start)).ok());
  }
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "DROP TABLE telemetry_samples; PRAGMA user_version = 2", nullptr,
                           nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  std::unique_ptr<SqliteStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  {
    Reader reader(path_);
    EXPECT_EQ(Int(reader.Query("PRAGMA user_version")[0][0]), kSqliteSchemaVersion);
    EXPECT_EQ(reader.Query("SELECT * FROM proposals").size(), 1u);
    EXPECT_EQ(reader.Query("SELECT * FROM telemetry").size(), 1u);
    EXPECT_EQ(reader.Query("SELECT * FROM telemetry_samples").size(), 0u);
  }
  ASSERT_TRUE(store->ResumeRun(from, to, "{}").ok());
  StoredTelemetrySample late;
  late.sample.timestamp = At("2023-01-01T00:10:00Z") + absl::Milliseconds(500);
  late.sample.source = "meter-1";
  late.sample.sequence = 9;
  late.sample.net_load_mw = 301.5;
  late.received_at = At("2023-01-01T00:40:00Z");
  late.late = true;
  ASSERT_TRUE(store->RecordTelemetrySamples({late}).ok());
  ASSERT_TRUE(store->Flush().ok());
  Reader reader(path_);
  std::vector<Row> rows = reader.Query(
      "SELECT run_id, source, sequence, stamp, net_load_mw, solar_mw, received_at, late FROM "
      "telemetry_samples");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(Int(rows[0][0]), 1);
  EXPECT_EQ(Text(rows[0][1]), "meter-1");
  EXPECT_EQ(Int(rows[0][2]), 9);
  EXPECT_EQ(Text(rows[0][3]), "2023-01-01T00:10:00.5Z");
  EXPECT_DOUBLE_EQ(Real(rows[0][4]), 301.5);
  EXPECT_TRUE(IsNull(rows[0][5]));
  EXPECT_EQ(Text(rows[0][6]), "2023-01-01T00:40:00Z");
  EXPECT_EQ(Int(rows[0][7]), 1);
}

StoredTelemetrySample KeyedSample(const char* source, int64_t sequence, int received_minute) {
  StoredTelemetrySample s;
  s.sample.timestamp = At("2023-01-01T00:10:00Z") + absl::Seconds(sequence);
  s.sample.source = source;
  s.sample.sequence = sequence;
  s.sample.net_load_mw = 300.0 + sequence;
  s.received_at = At("2023-01-01T00:10:00Z") + absl::Minutes(received_minute);
  return s;
}

TEST_F(SqliteStoreTest, StoresASampleOncePerRunThroughRedeliveryAndResume) {
  const absl::Time from = At("2023-01-01T00:00:00Z");
  const absl::Time to = At("2023-01-02T00:00:00Z");
  {
    std::unique_ptr<SqliteStore> store = OpenStore();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->BeginRun(from, to, "{}").ok());
    ASSERT_TRUE(
        store->RecordTelemetrySamples({KeyedSample("m-1", 1, 0), KeyedSample("m-2", 1, 0)}).ok());
    // Redelivered (received later), a duplicate inside one batch, and one new sample.
    ASSERT_TRUE(store
                    ->RecordTelemetrySamples({KeyedSample("m-1", 1, 5), KeyedSample("m-1", 2, 5),
                                              KeyedSample("m-1", 2, 6)})
                    .ok());
    ASSERT_TRUE(store->Flush().ok());
  }
  {
    // A resumed gateway offered them all again.
    std::unique_ptr<SqliteStore> store = OpenStore();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->ResumeRun(from, to, "{}").ok());
    ASSERT_TRUE(store
                    ->RecordTelemetrySamples({KeyedSample("m-1", 1, 9), KeyedSample("m-2", 1, 9),
                                              KeyedSample("m-1", 2, 9), KeyedSample("m-2", 2, 9)})
                    .ok());
    ASSERT_TRUE(store->Flush().ok());
  }
  {
    // Another run keeps its own samples under the same numbers.
    std::unique_ptr<SqliteStore> store = OpenStore();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->BeginRun(from, to, "{}").ok());
    ASSERT_TRUE(store->RecordTelemetrySamples({KeyedSample("m-1", 1, 20)}).ok());
    ASSERT_TRUE(store->Flush().ok());
  }
  Reader reader(path_);
  const std::vector<Row> rows = reader.Query(
      "SELECT run_id, source, sequence, received_at FROM telemetry_samples ORDER BY rowid");
  ASSERT_EQ(rows.size(), 5u);
  const std::vector<std::tuple<int64_t, std::string, int64_t, std::string>> expected = {
      {1, "m-1", 1, "2023-01-01T00:10:00Z"},
      {1, "m-2", 1, "2023-01-01T00:10:00Z"},
      {1, "m-1", 2, "2023-01-01T00:15:00Z"},
      {1, "m-2", 2, "2023-01-01T00:19:00Z"},
      {2, "m-1", 1, "2023-01-01T00:30:00Z"}};
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(std::make_tuple(Int(rows[i][0]), Text(rows[i][1]), Int(rows[i][2]), Text(rows[i][3])),
              expected[i])
        << "row " << i;
  }
}

TEST_F(SqliteStoreTest, MigratesAVersion3FileKeepingTheFirstRowOfEachSample) {
  const absl::Time from = At("2023-01-01T00:00:00Z");
  const absl::Time to = At("2023-01-02T00:00:00Z");
  {
    std::unique_ptr<SqliteStore> store = OpenStore();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->BeginRun(from, to, "{}").ok());
    ASSERT_TRUE(store->Flush().ok());
  }
  {
    // A version-3 file: no key, and a sample stored twice (as a resumed gateway could).
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "DROP INDEX telemetry_samples_key; PRAGMA user_version = 3; "
                           "INSERT INTO telemetry_samples VALUES "
                           "(1, 'm-1', 7, '2023-01-01T00:10:07Z', 1, NULL, NULL, NULL, "
                           "'2023-01-01T00:10:00Z', 0), "
                           "(1, 'm-1', 8, '2023-01-01T00:10:08Z', 2, NULL, NULL, NULL, "
                           "'2023-01-01T00:10:00Z', 0), "
                           "(1, 'm-1', 7, '2023-01-01T00:10:07Z', 1, NULL, NULL, NULL, "
                           "'2023-01-01T00:50:00Z', 1)",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  std::unique_ptr<SqliteStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  {
    Reader reader(path_);
    EXPECT_EQ(Int(reader.Query("PRAGMA user_version")[0][0]), 4);
    const std::vector<Row> rows =
        reader.Query("SELECT sequence, received_at, late FROM telemetry_samples ORDER BY rowid");
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(Int(rows[0][0]), 7);
    EXPECT_EQ(Text(rows[0][1]), "2023-01-01T00:10:00Z");
    EXPECT_EQ(Int(rows[0][2]), 0);
    EXPECT_EQ(Int(rows[1][0]), 8);
  }
  ASSERT_TRUE(store->ResumeRun(from, to, "{}").ok());
  ASSERT_TRUE(store->RecordTelemetrySamples({KeyedSample("m-1", 7, 30)}).ok());
  ASSERT_TRUE(store->Flush().ok());
  Reader reader(path_);
  EXPECT_EQ(reader.Query("SELECT * FROM telemetry_samples").size(), 2u);
}

TEST_F(SqliteStoreTest, ListsAuditEventsAndTheGatewaysRefusalsNewestFirst) {
  std::unique_ptr<SqliteStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->BeginRun(At("2023-01-01T00:00:00Z"), At("2023-01-02T00:00:00Z"), "{}").ok());
  security::RefusedCall refused{"/gridpilot.v1.AssetService/SubmitDispatch", "trader", "trader",
                                "PERMISSION_DENIED", "a trader proposes in the trading band"};
  ASSERT_TRUE(store->RecordRefusedCall(At("2026-12-06T10:00:00Z"), refused, 0).ok());
  AuditEvent thresholds;
  thresholds.at = At("2026-12-06T10:01:00Z");
  thresholds.process = "response";
  thresholds.kind = "thresholds";
  thresholds.identity = "operator";
  thresholds.role = "operator";
  thresholds.detail_json = R"({"old":{"ramp_limit_mw":100},"new":{"ramp_limit_mw":90}})";
  ASSERT_TRUE(store->RecordAuditEvent(thresholds).ok());
  AuditEvent flood;
  flood.at = At("2026-12-06T10:02:00Z");
  flood.process = "trader";
  flood.kind = "refusal";
  flood.detail_json = R"({"code":"UNAUTHENTICATED"})";
  flood.dropped_before = 940;
  ASSERT_TRUE(store->RecordAuditEvent(flood).ok());

  // Before any Flush: the listing sees the open batch.
  absl::StatusOr<std::vector<AuditEvent>> all = store->ListAuditEvents(AuditQuery{});
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].process, "trader");
  EXPECT_EQ((*all)[0].dropped_before, 940);
  EXPECT_EQ((*all)[1].kind, "thresholds");
  EXPECT_EQ((*all)[1].identity, "operator");
  EXPECT_EQ((*all)[1].role, "operator");
  EXPECT_EQ((*all)[1].at, At("2026-12-06T10:01:00Z"));
  EXPECT_EQ((*all)[2].process, "gateway");
  EXPECT_EQ((*all)[2].kind, "refusal");
  EXPECT_EQ((*all)[2].role, "trader");
  EXPECT_THAT((*all)[2].detail_json, HasSubstr(R"("code":"PERMISSION_DENIED")"));
  EXPECT_THAT((*all)[2].detail_json, HasSubstr("SubmitDispatch"));

  AuditQuery refusals;
  refusals.kind = "refusal";
  absl::StatusOr<std::vector<AuditEvent>> only = store->ListAuditEvents(refusals);
  ASSERT_TRUE(only.ok());
  EXPECT_EQ(only->size(), 2u);
  AuditQuery recent;
  recent.since = At("2026-12-06T10:00:30Z");
  recent.limit = 1;
  absl::StatusOr<std::vector<AuditEvent>> newest = store->ListAuditEvents(recent);
  ASSERT_TRUE(newest.ok());
  ASSERT_EQ(newest->size(), 1u);
  EXPECT_EQ((*newest)[0].process, "trader");
}

}  // namespace
}  // namespace gridpilot
