// PostgresStore against a real PostgreSQL 15 started for the test (postgres_server.h): the
// schema migrations (from an empty database, a failed migration keeping nothing, a newer
// schema refused), the same rows as SqliteStore for the same calls, the commit points,
// ResumeRun, VerifyInterval, LastState, the statement bounds, and a lost connection.
#include "services/gateway/postgres_store.h"

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/gateway/postgres_migrations.h"
#include "services/gateway/sqlite_store.h"
#include "tests/integration/postgres_server.h"
#include "tests/integration/store_rows.h"

namespace gridpilot {
namespace {

using ::gridpilot::testing::PostgresRowsOf;
using ::gridpilot::testing::PostgresServer;
using ::gridpilot::testing::StoreRow;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kDay1[] = "2023-01-01T00:00:00Z";
constexpr char kDay2[] = "2023-01-02T00:00:00Z";

absl::Time At(const char* text) { return *base::ParseUtcTimestamp(text); }
absl::Time Interval(int k) { return At(kDay1) + k * absl::Minutes(30); }

region::ProposalRecord Record(int64_t id, const std::string& key, double power_mw) {
  region::ProposalRecord r;
  r.id = id;
  r.submitted_at = At(kDay1);
  r.proposal.agent = "response";
  r.proposal.asset_id = "battery-1";
  r.proposal.priority = region::DispatchPriority::kResilience;
  r.proposal.power_mw = power_mw;
  r.proposal.start = At(kDay1);
  r.proposal.end = At(kDay1) + absl::Minutes(30);
  r.proposal.idempotency_key = key;
  r.proposal.reason = "ramp ahead";
  return r;
}

// A made-up interval: one battery discharging, one peaker starting.
region::IntervalOutcome MadeUpOutcome(absl::Time start) {
  region::IntervalOutcome out;
  out.interval_start = start;
  region::AssetDecision battery;
  battery.asset_id = "battery-1";
  battery.proposal_id = 3;
  battery.agent = "response";
  battery.priority = region::DispatchPriority::kResilience;
  battery.requested_mw = 30;
  battery.applied_mw = 25;
  battery.reason = "ramp ahead; clamped";
  region::AssetDecision peaker;
  peaker.asset_id = "peaker-1";
  peaker.requested_mw = 0;
  peaker.applied_mw = 0;
  out.decisions = {battery, peaker};
  out.batteries.push_back(assets::BatteryInterval{25, 50, 50 - 12.5 / 0.95, 0, 12.5});
  assets::PeakerInterval p;
  p.next.status = assets::PeakerStatus::kStarting;
  out.peakers.push_back(p);
  out.net_load_mw = 340;
  out.dispatch_mw = 25;
  out.net_load_after_mw = 315;
  out.excess_mw = 0;
  out.baseline_excess_mw = 25;
  out.entries = {
      {start, market::LedgerCause::kArbitrageSold, 1000.5, "battery-1", ""},
      {start, market::LedgerCause::kBatteryDegradation, -62.5, "battery-1", "wear"},
      {start, market::LedgerCause::kInstabilityPenalty, 0, "", ""},
  };
  return out;
}

data::GridInterval MadeUpRegion(absl::Time start) {
  return data::GridInterval{start, 340, std::nullopt, 12.25, 80.04};
}

// One server for the suite (each test has its own database); a test that stops a server
// starts its own.
class PostgresStoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = PostgresServer::Start().release(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(server_, nullptr) << "PostgreSQL did not start";
    static int databases = 0;
    db_ = absl::StrCat("store_test_", ++databases);
    ASSERT_TRUE(server_->CreateDatabase(db_));
    url_ = server_->Url(db_);
  }

  std::unique_ptr<PostgresStore> Open(int commit_every_records = 256) {
    absl::StatusOr<std::unique_ptr<PostgresStore>> store =
        PostgresStore::Open(url_, commit_every_records);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }
  std::vector<StoreRow> Rows(const std::string& sql) { return PostgresRowsOf(url_, sql); }
  int64_t Count(const std::string& sql) {
    const std::vector<StoreRow> rows = Rows(sql);
    return rows.empty() ? -1 : std::atoll(rows[0][0].c_str());
  }
  std::unique_ptr<PostgresConnection> Connect() {
    absl::StatusOr<std::unique_ptr<PostgresConnection>> db = PostgresConnection::Connect(url_, 1);
    EXPECT_TRUE(db.ok()) << db.status();
    return db.ok() ? *std::move(db) : nullptr;
  }

  static PostgresServer* server_;
  std::string db_;
  std::string url_;
};

PostgresServer* PostgresStoreTest::server_ = nullptr;

TEST_F(PostgresStoreTest, MigratesAnEmptyDatabaseToTheLatestSchemaOnce) {
  ASSERT_NE(Open(), nullptr);
  const int latest = static_cast<int>(StoreMigrations().size());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM schema_version"), latest);
  EXPECT_EQ(Count("SELECT MAX(version) FROM schema_version"), latest);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public' "
                  "AND table_name IN ('runs', 'telemetry', 'proposals', 'decisions', 'ledger', "
                  "'agent_notes', 'refused_calls', 'plans')"),
            8);
  // Opening again applies nothing.
  ASSERT_NE(Open(), nullptr);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM schema_version"), latest);
}

TEST_F(PostgresStoreTest, AFailedMigrationKeepsNothingAndALaterOneAddsOnlyItself) {
  std::unique_ptr<PostgresConnection> db = Connect();
  ASSERT_NE(db, nullptr);
  std::vector<PostgresMigration> migrations = {StoreMigrations()[0]};
  ASSERT_EQ(ApplyMigrations(*db, migrations).value_or(-1), 1);
  migrations.push_back(
      {2, "a broken one", "CREATE TABLE half (a INTEGER); SELECT nothing FROM runs"});
  const absl::StatusOr<int> broken = ApplyMigrations(*db, migrations);
  EXPECT_FALSE(broken.ok());
  EXPECT_THAT(broken.status().message(), HasSubstr("schema migration 2 (a broken one)"));
  EXPECT_EQ(Count("SELECT MAX(version) FROM schema_version"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'half'"), 0);
  // The shape of the next real migration: a column on an existing table.
  migrations[1] = {2, "proposals.role",
                   "ALTER TABLE proposals ADD COLUMN role TEXT NOT NULL DEFAULT ''"};
  ASSERT_EQ(ApplyMigrations(*db, migrations).value_or(-1), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM information_schema.columns WHERE table_name = "
                  "'proposals' AND column_name = 'role'"),
            1);
  migrations[1].version = 3;
  EXPECT_EQ(ApplyMigrations(*db, migrations).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(PostgresStoreTest, RefusesASchemaNewerThanItKnows) {
  ASSERT_NE(Open(), nullptr);
  const int newer = static_cast<int>(StoreMigrations().size()) + 1;
  std::unique_ptr<PostgresConnection> db = Connect();
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->Exec(absl::StrCat("INSERT INTO schema_version VALUES (", newer,
                                    ", '2030-01-01T00:00:00Z', 'from the future')"))
                  .ok());
  absl::StatusOr<std::unique_ptr<PostgresStore>> refused = PostgresStore::Open(url_);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(),
              HasSubstr(absl::StrCat("schema is version ", newer,
                                     ", newer than this gateway knows (", newer - 1, ")")));
  EXPECT_THAT(refused.status().message(), Not(HasSubstr(server_->password())));
}

// The calls of a small run, the same for both stores.
void RecordASmallRun(Store& store) {
  ASSERT_TRUE(store.BeginRun(At(kDay1), At(kDay2), R"({"region": {"scale": 0.1}})").ok());
  ASSERT_TRUE(store.RecordProposal(Record(1, "k1", 30), ProposalStatus::kAccepted, "").ok());
  ASSERT_TRUE(store.RecordProposal(Record(2, "k0", -0.0), ProposalStatus::kAccepted, "").ok());
  ASSERT_TRUE(store
                  .RecordProposal(Record(0, "k2", NAN), ProposalStatus::kRejected,
                                  "power_mw: NaN is not a number")
                  .ok());
  ASSERT_TRUE(store.RecordAgentNote(Interval(0), "response", "held: telemetry suspect").ok());
  AgentPlanRecord plan;
  plan.first_interval_start = Interval(0);
  plan.power_mw = {12.5, -3, 0};
  plan.price_forecast_gbp_per_mwh = {80.04, 91.2, 75};
  plan.expected_value_gbp = 1234.5678;
  plan.reason = "buy low";
  ASSERT_TRUE(store.RecordPlan(Interval(0), "trader", plan).ok());
  security::RefusedCall call;
  call.method = "/gridpilot.v1.AssetService/SubmitProposal";
  call.identity = "mallory";
  call.role = "viewer";
  call.code = "PERMISSION_DENIED";
  call.reason = "role viewer may not submit";
  ASSERT_TRUE(store.RecordRefusedCall(Interval(0), call, 7).ok());
  for (int k = 0; k < 3; ++k) {
    region::IntervalOutcome outcome = MadeUpOutcome(Interval(k));
    outcome.batteries[0].soc_after_mwh = 40.0 + k / 3.0;  // not exact in decimal
    ASSERT_TRUE(store.RecordInterval(MadeUpRegion(Interval(k)), outcome).ok());
  }
  ASSERT_TRUE(store.Flush().ok());
}

TEST_F(PostgresStoreTest, WritesTheSameRowsAsSqliteForTheSameCalls) {
  std::string pattern = ::testing::TempDir() + "/postgres_store_test_XXXXXX";
  ASSERT_NE(mkdtemp(pattern.data()), nullptr);
  const std::string sqlite_path = pattern + "/store.sqlite";
  {
    absl::StatusOr<std::unique_ptr<SqliteStore>> sqlite = SqliteStore::Open(sqlite_path);
    ASSERT_TRUE(sqlite.ok()) << sqlite.status();
    RecordASmallRun(**sqlite);
    std::unique_ptr<PostgresStore> postgres = Open();
    ASSERT_NE(postgres, nullptr);
    RecordASmallRun(*postgres);
  }
  // Every column SQLite has, in insertion order (SQLite's rowid, PostgreSQL's row_seq).
  for (const char* table : {"runs", "telemetry", "proposals", "decisions", "ledger", "agent_notes",
                            "refused_calls", "plans"}) {
    SCOPED_TRACE(table);
    std::vector<std::string> columns;
    for (const StoreRow& row : gridpilot::testing::SqliteRows(
             sqlite_path, absl::StrCat("PRAGMA table_info(", table, ")"))) {
      columns.push_back(row[1].substr(1, row[1].size() - 2));  // unquoted name
    }
    ASSERT_FALSE(columns.empty());
    const std::string select =
        absl::StrCat("SELECT ", absl::StrJoin(columns, ", "), " FROM ", table);
    const std::vector<StoreRow> sqlite_rows =
        gridpilot::testing::SqliteRows(sqlite_path, absl::StrCat(select, " ORDER BY rowid"));
    EXPECT_FALSE(sqlite_rows.empty());
    EXPECT_EQ(gridpilot::testing::DiffStoreRows(
                  sqlite_rows,
                  Rows(absl::StrCat(select, std::string(table) == "runs" ? " ORDER BY run_id"
                                                                         : " ORDER BY row_seq"))),
              "");
  }
  std::filesystem::remove_all(pattern);
}

TEST_F(PostgresStoreTest, BatchedRecordsBecomeVisibleAtTheCommitPointsOnly) {
  std::unique_ptr<PostgresStore> store = Open(/*commit_every_records=*/4);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->BeginRun(At(kDay1), At(kDay2), "{}").ok());
  for (int id = 1; id <= 5; ++id) {
    ASSERT_TRUE(store->RecordProposal(Record(id, "", 1), ProposalStatus::kAccepted, "").ok());
  }
  // Five records, but no interval has ended: nothing is committed.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM proposals"), 0);
  ASSERT_TRUE(store->RecordInterval(MadeUpRegion(Interval(0)), MadeUpOutcome(Interval(0))).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM proposals"), 5);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM telemetry"), 1);
  ASSERT_TRUE(store->RecordProposal(Record(6, "", 1), ProposalStatus::kAccepted, "").ok());
  ASSERT_TRUE(store->RecordInterval(MadeUpRegion(Interval(1)), MadeUpOutcome(Interval(1))).ok());
  // Two records since the commit: below the batch size, so not yet visible.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM telemetry"), 1);
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM telemetry"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM proposals"), 6);
}

TEST_F(PostgresStoreTest, AKilledWriterKeepsWholeIntervalsOnly) {
  // As SqliteStore's test: batches of 4 records; interval 1 commits the first batch; three
  // later proposals are in an open transaction when the process dies.
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    absl::StatusOr<std::unique_ptr<PostgresStore>> opened = PostgresStore::Open(url_, 4);
    bool ok = opened.ok() && (*opened)->BeginRun(At(kDay1), At(kDay2), "{}").ok();
    PostgresStore* store = opened.ok() ? opened->get() : nullptr;
    for (int k = 0; k < 2 && ok; ++k) {
      ok = store->RecordProposal(Record(k + 1, "", 1), ProposalStatus::kAccepted, "").ok() &&
           store->RecordInterval(MadeUpRegion(Interval(k)), MadeUpOutcome(Interval(k))).ok();
    }
    for (int id = 3; id <= 5 && ok; ++id) {
      ok = store->RecordProposal(Record(id, "", 1), ProposalStatus::kAccepted, "").ok();
    }
    _exit(ok ? 0 : 1);  // no destructor: as a killed process
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM telemetry"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM decisions"), 4);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM proposals"), 2);
}

TEST_F(PostgresStoreTest, AFailedIntervalUndoesOnlyItselfNotItsBatch) {
  std::unique_ptr<PostgresStore> store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->BeginRun(At(kDay1), At(kDay2), "{}").ok());
  ASSERT_TRUE(store->RecordProposal(Record(1, "", 1), ProposalStatus::kAccepted, "").ok());
  ASSERT_TRUE(store->RecordInterval(MadeUpRegion(Interval(0)), MadeUpOutcome(Interval(0))).ok());
  // The same interval again breaks the telemetry table's primary key: none of its rows
  // may stay, and the batch before it must.
  region::IntervalOutcome again = MadeUpOutcome(Interval(0));
  const absl::Status failed = store->RecordInterval(MadeUpRegion(Interval(0)), again);
  EXPECT_EQ(failed.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(failed.message(), HasSubstr("duplicate key"));
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM proposals"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM telemetry"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ledger"), 3);
}

TEST_F(PostgresStoreTest, RecordingBeforeBeginRunIsFailedPrecondition) {
  std::unique_ptr<PostgresStore> store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->RecordProposal(Record(1, "", 1), ProposalStatus::kAccepted, "").code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store->VerifyInterval(MadeUpRegion(Interval(0)), MadeUpOutcome(Interval(0))).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(PostgresStoreTest, BoundsAStatementsSizeAndRefusesNulBytesStoringNothing) {
  std::unique_ptr<PostgresStore> store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->BeginRun(At(kDay1), At(kDay2), "{}").ok());
  const absl::Status huge = store->RecordAgentNote(
      Interval(0), "response", std::string(PostgresConnection::kMaxStatementBytes, 'x'));
  EXPECT_EQ(huge.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(huge.message(), HasSubstr("above the bound"));
  const absl::Status nul =
      store->RecordAgentNote(Interval(0), "response", std::string("held\0now", 8));
  EXPECT_EQ(nul.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(nul.message(), HasSubstr("NUL byte"));
  ASSERT_TRUE(store->RecordAgentNote(Interval(0), "response", "fine").ok());
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM agent_notes"), 1);
}

TEST_F(PostgresStoreTest, ResumeRunContinuesTheMatchingRunAfterItsLastInterval) {
  {
    std::unique_ptr<PostgresStore> store = Open(1);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->BeginRun(At(kDay1), At(kDay2), "{\"a\": 1}").ok());  // run 1
    ASSERT_TRUE(store->BeginRun(At(kDay1), At(kDay2), "{}").ok());          // run 2
    for (int k = 0; k < 3; ++k) {
      ASSERT_TRUE(
          store->RecordInterval(MadeUpRegion(Interval(k)), MadeUpOutcome(Interval(k))).ok());
    }
    region::ProposalRecord late = Record(9, "k9", 1);
    late.submitted_at = Interval(3);
    ASSERT_TRUE(store->RecordProposal(late, ProposalStatus::kAccepted, "").ok());
    ASSERT_TRUE(store->RecordAgentNote(Interval(3), "response", "held").ok());
    ASSERT_TRUE(store->BeginRun(At(kDay2), At(kDay2) + absl::Hours(24), "{}").ok());  // run 3
  }
  std::unique_ptr<PostgresStore> store = Open();
  ASSERT_NE(store, nullptr);
  absl::StatusOr<ResumePoint> point = store->ResumeRun(At(kDay1), At(kDay2), "{}");
  ASSERT_TRUE(point.ok()) << point.status();
  EXPECT_EQ(point->run_id, 2);
  EXPECT_EQ(point->intervals_committed, 3);
  EXPECT_EQ(point->intervals_discarded, 0);
  EXPECT_EQ(point->last_interval_start, Interval(2));
  EXPECT_EQ(store->run_id(), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM proposals WHERE run_id = 2"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM agent_notes WHERE run_id = 2"), 0);
  ASSERT_TRUE(store->RecordInterval(MadeUpRegion(Interval(3)), MadeUpOutcome(Interval(3))).ok());
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM telemetry WHERE run_id = 2"), 4);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM runs"), 3);
}

TEST_F(PostgresStoreTest, ResumeRunDiscardsTheIntervalsFromDiscardFromWithTheirTicks) {
  {
    std::unique_ptr<PostgresStore> store = Open(1);
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
  std::unique_ptr<PostgresStore> store = Open();
  ASSERT_NE(store, nullptr);
  absl::StatusOr<ResumePoint> point = store->ResumeRun(At(kDay1), At(kDay2), "{}", Interval(2));
  ASSERT_TRUE(point.ok()) << point.status();
  EXPECT_EQ(point->intervals_committed, 2);
  EXPECT_EQ(point->intervals_discarded, 2);
  EXPECT_EQ(point->last_interval_start, Interval(1));
  const std::string cut = base::FormatUtcTimestamp(Interval(2));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM telemetry"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM proposals"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ledger WHERE interval_start >= '" + cut + "'"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM decisions WHERE interval_start >= '" + cut + "'"), 0);
}

TEST_F(PostgresStoreTest, ResumeRunNamesWhatDiffersWhenNoRunMatches) {
  std::unique_ptr<PostgresStore> store = Open();
  ASSERT_NE(store, nullptr);
  absl::StatusOr<ResumePoint> empty = store->ResumeRun(At(kDay1), At(kDay2), "{}");
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(empty.status().message(), HasSubstr("holds no run"));
  ASSERT_TRUE(store->BeginRun(At(kDay1), At(kDay2), "{\"region\": {\"scale\": 0.1}}").ok());
  absl::StatusOr<ResumePoint> other_window =
      store->ResumeRun(At(kDay1), At(kDay2) + absl::Hours(24), "{\"region\": {\"scale\": 0.1}}");
  EXPECT_THAT(other_window.status().message(),
              HasSubstr("run 1, differs in replay_to (stored 2023-01-02T00:00:00Z, this run "
                        "2023-01-03T00:00:00Z)"));
  absl::StatusOr<ResumePoint> other_config =
      store->ResumeRun(At(kDay1), At(kDay2), "{\"region\": {\"scale\": 0.2}}");
  EXPECT_THAT(other_config.status().message(),
              HasSubstr("config (first difference at byte 23: stored \"1}}\", this run \"2}}\")"));
}

TEST_F(PostgresStoreTest, VerifyIntervalAcceptsTheStoredIntervalAndNamesTheFirstDifference) {
  std::unique_ptr<PostgresStore> store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->BeginRun(At(kDay1), At(kDay2), "{}").ok());
  const absl::Time start = Interval(0);
  region::IntervalOutcome stored = MadeUpOutcome(start);
  stored.batteries[0].soc_after_mwh = 40.0 + 1.0 / 3.0;  // needs all 17 digits
  ASSERT_TRUE(store->RecordInterval(MadeUpRegion(start), stored).ok());
  ASSERT_TRUE(store->Flush().ok());
  ASSERT_TRUE(store->ResumeRun(At(kDay1), At(kDay2), "{}").ok());
  EXPECT_TRUE(store->VerifyInterval(MadeUpRegion(start), stored).ok());

  region::IntervalOutcome soc = stored;
  soc.batteries[0].soc_after_mwh = std::nextafter(soc.batteries[0].soc_after_mwh, 100.0);
  absl::Status differs = store->VerifyInterval(MadeUpRegion(start), soc);
  EXPECT_EQ(differs.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(differs.message(), HasSubstr("interval 2023-01-01T00:00:00Z of run 1"));
  EXPECT_THAT(differs.message(), HasSubstr("decisions[0] (battery-1).soc_after_mwh: stored "));

  region::IntervalOutcome ledger = stored;
  ledger.entries.pop_back();
  differs = store->VerifyInterval(MadeUpRegion(start), ledger);
  EXPECT_THAT(differs.message(), HasSubstr("ledger: 3 or more rows stored, 2 recomputed"));

  data::GridInterval price = MadeUpRegion(start);
  price.price_gbp_per_mwh = 81.0;
  differs = store->VerifyInterval(price, stored);
  EXPECT_THAT(differs.message(),
              HasSubstr("telemetry.price_gbp_per_mwh: stored 80.040000000000006, recomputed 81"));

  differs = store->VerifyInterval(MadeUpRegion(Interval(1)), MadeUpOutcome(Interval(1)));
  EXPECT_THAT(differs.message(), HasSubstr("decisions: 0 stored, 2 recomputed"));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM telemetry"), 1);
}

TEST_F(PostgresStoreTest, LastStateIsTheLastIntervalsAssetsAndTheLedgerTotals) {
  std::unique_ptr<PostgresStore> store = Open();
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
  EXPECT_DOUBLE_EQ(state->ledger_totals_gbp[static_cast<int>(market::LedgerCause::kArbitrageSold)],
                   3001.5);
  EXPECT_DOUBLE_EQ(
      state->ledger_totals_gbp[static_cast<int>(market::LedgerCause::kBatteryDegradation)], -187.5);
  EXPECT_DOUBLE_EQ(state->ledger_totals_gbp[static_cast<int>(market::LedgerCause::kPeakerFuel)],
                   0.0);
}

TEST_F(PostgresStoreTest, ServerUnreachableIsUnavailableAfterBoundedAttemptsWithoutThePassword) {
  // Port 1 on loopback: nothing listens there, so every attempt is refused.
  const std::string url = absl::StrCat("postgresql://gridpilot:", server_->password(),
                                       "@127.0.0.1:1/", db_, "?connect_timeout=2");
  absl::StatusOr<std::unique_ptr<PostgresStore>> store = PostgresStore::Open(url, 256, 2);
  EXPECT_EQ(store.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(store.status().message(), HasSubstr("cannot connect"));
  EXPECT_THAT(store.status().message(), HasSubstr("gridpilot:***@127.0.0.1:1"));
  EXPECT_THAT(store.status().message(), Not(HasSubstr(server_->password())));
}

TEST_F(PostgresStoreTest, AWrongPasswordIsRefusedAtOnce) {
  const std::string url =
      absl::StrCat("postgresql://gridpilot:wrong@127.0.0.1:", server_->port(), "/", db_);
  absl::StatusOr<std::unique_ptr<PostgresStore>> store = PostgresStore::Open(url);
  EXPECT_EQ(store.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(store.status().message(), HasSubstr("password authentication failed"));
  EXPECT_THAT(store.status().message(), Not(HasSubstr(":wrong@")));
}

// Its own server: the test kills it.
TEST(PostgresStoreConnectionTest, ALostConnectionIsUnavailableAndLosesOnlyTheOpenBatch) {
  std::unique_ptr<PostgresServer> server = PostgresServer::Start();
  ASSERT_NE(server, nullptr);
  absl::StatusOr<std::unique_ptr<PostgresStore>> opened =
      PostgresStore::Open(server->Url("postgres"), 4);
  ASSERT_TRUE(opened.ok()) << opened.status();
  PostgresStore& store = **opened;
  ASSERT_TRUE(store.BeginRun(At(kDay1), At(kDay2), "{}").ok());
  for (int k = 0; k < 4; ++k) {
    ASSERT_TRUE(store.RecordInterval(MadeUpRegion(Interval(k)), MadeUpOutcome(Interval(k))).ok());
  }
  ASSERT_TRUE(store.RecordProposal(Record(9, "", 1), ProposalStatus::kAccepted, "").ok());
  server->Stop("immediate");
  absl::Status lost = store.RecordInterval(MadeUpRegion(Interval(4)), MadeUpOutcome(Interval(4)));
  if (lost.ok()) lost = store.Flush();
  EXPECT_EQ(lost.code(), absl::StatusCode::kUnavailable) << lost;
  EXPECT_THAT(lost.message(), HasSubstr("connection lost"));
  EXPECT_THAT(lost.message(), Not(HasSubstr(server->password())));
  // Nothing later succeeds silently.
  EXPECT_FALSE(store.RecordAgentNote(Interval(5), "response", "after").ok());
  EXPECT_FALSE(store.Flush().ok());
}

}  // namespace
}  // namespace gridpilot
