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
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/gateway/postgres_migrations.h"
#include "services/gateway/sqlite_store.h"
#include "services/gateway/store_open.h"
#include "tests/integration/postgres_server.h"
#include "tests/integration/store_rows.h"
#include "tests/services/gateway/made_up_interval.h"

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

using ::gridpilot::testing::MadeUpOutcome;
using ::gridpilot::testing::MadeUpRegion;
using ::gridpilot::testing::Record;

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
                  "'agent_notes', 'refused_calls', 'plans', 'audit_events', 'approvals', "
                  "'telemetry_samples')"),
            11);
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

// `n` accepted samples of two meters, every third one late, some values absent, -0 and a
// value not exact in decimal among them.
std::vector<StoredTelemetrySample> MadeUpSamples(int n) {
  std::vector<StoredTelemetrySample> out;
  for (int i = 0; i < n; ++i) {
    StoredTelemetrySample s;
    s.sample.timestamp = Interval(0) + absl::Seconds(10 * i) + absl::Milliseconds(250);
    s.sample.source = i % 2 == 0 ? "meter-a" : "meter-b";
    s.sample.sequence = i / 2 + 1;
    s.sample.net_load_mw = 250.0 + i / 3.0;
    if (i % 2 == 0) s.sample.solar_mw = -0.0;
    if (i % 4 == 1) s.sample.price_gbp_per_mwh = -12.5;
    s.received_at = Interval(1) + absl::Milliseconds(i);
    s.late = i % 3 == 2;
    out.push_back(s);
  }
  return out;
}

// The calls of a small run, the same for both stores.
void RecordASmallRun(Store& store) {
  ASSERT_TRUE(store.BeginRun(At(kDay1), At(kDay2), R"({"region": {"scale": 0.1}})").ok());
  region::ProposalRecord by_response = Record(1, "k1", 30);
  by_response.proposal.role = "response";
  ASSERT_TRUE(store.RecordProposal(by_response, ProposalStatus::kAccepted, "").ok());
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
  AuditEvent reload;
  reload.at = Interval(1);
  reload.process = "forecast";
  reload.kind = "model_reload";
  reload.identity = "operator";
  reload.role = "operator";
  reload.detail_json = R"({"model":"demand","ok":true})";
  reload.dropped_before = 2;
  ASSERT_TRUE(store.RecordAuditEvent(reload).ok());
  ApprovalEvent pending;
  pending.kind = ApprovalEvent::Kind::kPending;
  pending.approval_id = 4;
  pending.at = Interval(0);
  pending.requester = "operator";
  pending.requester_role = "operator";
  pending.proposal = Record(0, "k4", 120).proposal;
  pending.reason = "power_mw 120 over the 100 MW limit";
  pending.expires_at = Interval(1);
  ApprovalEvent approved = pending;
  approved.kind = ApprovalEvent::Kind::kApproved;
  approved.decided_by = "alice";
  approved.decided_by_role = "approver";
  approved.reason = "checked with control room";
  approved.proposal_id = 5;
  ApprovalEvent lapsed = pending;
  lapsed.kind = ApprovalEvent::Kind::kLapsed;
  lapsed.proposal.power_mw = NAN;
  for (const ApprovalEvent& event : {pending, approved, lapsed}) {
    ASSERT_TRUE(store.RecordApprovalEvent(event).ok());
  }
  ASSERT_TRUE(store.RecordTelemetrySamples(MadeUpSamples(7)).ok());
  // Redelivered: received later and flagged otherwise, so a stored copy would differ.
  std::vector<StoredTelemetrySample> again = MadeUpSamples(9);
  for (StoredTelemetrySample& s : again) {
    s.received_at += absl::Minutes(5);
    s.late = !s.late;
  }
  ASSERT_TRUE(store.RecordTelemetrySamples(again).ok());  // 2 new samples, the last ones
  for (int k = 0; k < 3; ++k) {
    region::IntervalOutcome outcome = MadeUpOutcome(Interval(k));
    outcome.decisions[0].role = k == 1 ? "operator" : "response";
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
  for (const char* table :
       {"runs", "telemetry", "proposals", "decisions", "ledger", "agent_notes", "refused_calls",
        "plans", "audit_events", "approvals", "telemetry_samples"}) {
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

TEST_F(PostgresStoreTest, ATicksRecordsGoToTheServerInOneRoundTripWithItsInterval) {
  std::unique_ptr<PostgresStore> store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->BeginRun(At(kDay1), At(kDay2), "{}").ok());
  for (int k = 0; k < 3; ++k) {
    const int64_t before = store->round_trips();
    ASSERT_TRUE(
        store->RecordProposal(Record(2 * k + 1, "", 10), ProposalStatus::kAccepted, "").ok());
    ASSERT_TRUE(
        store->RecordProposal(Record(2 * k + 2, "", -5), ProposalStatus::kAccepted, "").ok());
    ASSERT_TRUE(store->RecordAgentNote(Interval(k), "response", "held").ok());
    AgentPlanRecord plan;
    plan.first_interval_start = Interval(k);
    plan.power_mw = {1, 2};
    plan.price_forecast_gbp_per_mwh = {50, 60};
    ASSERT_TRUE(store->RecordPlan(Interval(k), "trader", plan).ok());
    AuditEvent event;
    event.at = Interval(k);
    event.process = "forecast";
    event.kind = "model_reload";
    event.detail_json = "{}";
    ASSERT_TRUE(store->RecordAuditEvent(event).ok());
    EXPECT_EQ(store->round_trips(), before)
        << "tick " << k << ": records sent before the tick's end";
    ASSERT_TRUE(store->RecordInterval(MadeUpRegion(Interval(k)), MadeUpOutcome(Interval(k))).ok());
    // Telemetry, two decisions, three ledger rows and the five records above: one pipeline.
    EXPECT_EQ(store->round_trips(), before + 1) << "tick " << k;
  }
  // A read sees what was queued: the audit list sends the queue first.
  AuditEvent last;
  last.at = Interval(3);
  last.process = "gateway";
  last.kind = "x";
  last.detail_json = "{}";
  ASSERT_TRUE(store->RecordAuditEvent(last).ok());
  const AuditQuery every_kind;
  absl::StatusOr<std::vector<AuditEvent>> listed = store->ListAuditEvents(every_kind);
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(listed->size(), 4u);
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM proposals"), 6);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM agent_notes"), 3);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM plans"), 3);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_events"), 4);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM telemetry"), 3);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM decisions"), 6);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ledger"), 9);
  // In call order: the proposals' insertion order is their ids'.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM (SELECT proposal_id, ROW_NUMBER() OVER (ORDER BY row_seq) "
                  "AS n FROM proposals) AS p WHERE proposal_id = n"),
            6);
}

// Live mode (OpenStore(url, /*commit_every_interval=*/true)): the commit goes with the
// interval's rows, so a tick and the Flush after it cost one round trip and the tick is
// visible to other readers at once.
TEST_F(PostgresStoreTest, CommittingEveryIntervalSendsTheCommitWithTheTick) {
  absl::StatusOr<std::unique_ptr<Store>> opened = OpenStore(url_, /*commit_every_interval=*/true);
  ASSERT_TRUE(opened.ok()) << opened.status();
  auto* store = dynamic_cast<PostgresStore*>(opened->get());
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->BeginRun(At(kDay1), At(kDay2), "{}").ok());
  for (int k = 0; k < 3; ++k) {
    const int64_t before = store->round_trips();
    ASSERT_TRUE(store->RecordProposal(Record(k + 1, "", 10), ProposalStatus::kAccepted, "").ok());
    ASSERT_TRUE(store->RecordInterval(MadeUpRegion(Interval(k)), MadeUpOutcome(Interval(k))).ok());
    ASSERT_TRUE(store->Flush().ok());
    EXPECT_EQ(store->round_trips(), before + 1) << "tick " << k;
    EXPECT_EQ(Count("SELECT COUNT(*) FROM telemetry"), k + 1);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM proposals"), k + 1);
  }
}

TEST_F(PostgresStoreTest, ARowTheServerRefusesFailsTheSendAndUndoesOnlyTheRecordsQueuedWithIt) {
  std::unique_ptr<PostgresStore> store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->BeginRun(At(kDay1), At(kDay2), "{}").ok());
  ASSERT_TRUE(store->RecordProposal(Record(1, "", 1), ProposalStatus::kAccepted, "").ok());
  ASSERT_TRUE(store->RecordInterval(MadeUpRegion(Interval(0)), MadeUpOutcome(Interval(0))).ok());
  // Queued with an interval the server refuses (the same interval again: duplicate key).
  ASSERT_TRUE(store->RecordProposal(Record(2, "", 2), ProposalStatus::kAccepted, "").ok());
  ASSERT_TRUE(store->RecordAgentNote(Interval(1), "response", "lost with the interval").ok());
  const absl::Status failed =
      store->RecordInterval(MadeUpRegion(Interval(0)), MadeUpOutcome(Interval(0)));
  EXPECT_EQ(failed.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(failed.message(), HasSubstr("duplicate key"));
  EXPECT_THAT(failed.message(), HasSubstr("the 3 records queued with it are not stored"));
  // The store goes on: the batch before the refusal and the next tick are kept.
  ASSERT_TRUE(store->RecordProposal(Record(3, "", 3), ProposalStatus::kAccepted, "").ok());
  ASSERT_TRUE(store->RecordInterval(MadeUpRegion(Interval(1)), MadeUpOutcome(Interval(1))).ok());
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM proposals WHERE proposal_id IN (1, 3)"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM proposals"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM agent_notes"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM telemetry"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ledger"), 6);
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

TEST_F(PostgresStoreTest, KeepsTheRoleOfEveryProposalAndDecision) {
  std::unique_ptr<PostgresStore> store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->BeginRun(At(kDay1), At(kDay2), "{}").ok());
  region::ProposalRecord by_operator = Record(1, "k1", 30);
  by_operator.proposal.agent = "operator";
  by_operator.proposal.role = "operator";
  ASSERT_TRUE(store->RecordProposal(by_operator, ProposalStatus::kAccepted, "").ok());
  region::IntervalOutcome outcome = MadeUpOutcome(Interval(1));
  outcome.decisions[0].agent = "operator";
  outcome.decisions[0].role = "operator";
  ASSERT_TRUE(store->RecordInterval(MadeUpRegion(Interval(1)), outcome).ok());
  ASSERT_TRUE(store->Flush().ok());
  const std::vector<StoreRow> proposals = Rows("SELECT role FROM proposals");
  ASSERT_EQ(proposals.size(), 1u);
  EXPECT_EQ(proposals[0][0], "\"operator\"");
  const std::vector<StoreRow> roles = Rows("SELECT role FROM decisions ORDER BY asset_id");
  ASSERT_EQ(roles.size(), 2u);
  EXPECT_EQ(roles[0][0], "\"operator\"");
  EXPECT_EQ(roles[1][0], "\"\"");  // the idle peaker
}

// Turns a current database into what a gateway of migration 1 wrote: the same tables
// without role, no audit_events or approvals, schema version 1.
void DowngradeToMigration1(PostgresConnection& db) {
  ASSERT_TRUE(db.Exec("ALTER TABLE decisions DROP COLUMN role; ALTER TABLE proposals DROP "
                      "COLUMN role; DROP TABLE audit_events; DROP TABLE approvals; "
                      "DROP INDEX refused_calls_by_at; DROP TABLE telemetry_samples; "
                      "DELETE FROM schema_version WHERE version >= 2")
                  .ok());
}

TEST_F(PostgresStoreTest, MigratesAVersion1DatabaseFillingRolesFromTheAgentsAndStillResumes) {
  {
    std::unique_ptr<PostgresStore> store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->BeginRun(At(kDay1), At(kDay2), "{}").ok());
    ASSERT_TRUE(store->RecordProposal(Record(1, "k1", 30), ProposalStatus::kAccepted, "").ok());
    region::ProposalRecord forged = Record(2, "k2", 10);
    forged.proposal.agent = "mallory";  // a name a plaintext stack once accepted
    ASSERT_TRUE(store->RecordProposal(forged, ProposalStatus::kAccepted, "").ok());
    region::ProposalRecord by_operator = Record(3, "k3", 10);
    by_operator.proposal.agent = "operator";
    ASSERT_TRUE(store->RecordProposal(by_operator, ProposalStatus::kAccepted, "").ok());
    ASSERT_TRUE(store->RecordInterval(MadeUpRegion(Interval(1)), MadeUpOutcome(Interval(1))).ok());
    ASSERT_TRUE(store->Flush().ok());
  }
  {
    std::unique_ptr<PostgresConnection> db = Connect();
    ASSERT_NE(db, nullptr);
    DowngradeToMigration1(*db);
  }
  ASSERT_EQ(Count("SELECT COUNT(*) FROM information_schema.columns WHERE table_name = "
                  "'proposals' AND column_name = 'role'"),
            0);

  std::unique_ptr<PostgresStore> store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Count("SELECT MAX(version) FROM schema_version"),
            static_cast<int64_t>(StoreMigrations().size()));
  const std::vector<StoreRow> proposals =
      Rows("SELECT agent, role FROM proposals ORDER BY row_seq");
  ASSERT_EQ(proposals.size(), 3u);  // every row kept
  EXPECT_EQ(proposals[0][1], "\"response\"");
  EXPECT_EQ(proposals[1][0], "\"mallory\"");
  EXPECT_EQ(proposals[1][1], "\"\"");  // no gridpilot identity: no role
  EXPECT_EQ(proposals[2][1], "\"operator\"");
  const std::vector<StoreRow> decisions =
      Rows("SELECT asset_id, role FROM decisions ORDER BY asset_id");
  ASSERT_EQ(decisions.size(), 2u);
  EXPECT_EQ(decisions[0][1], "\"response\"");
  EXPECT_EQ(decisions[1][1], "\"\"");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_events"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM approvals"), 0);

  // The resume path works on the migrated database, and new rows carry their role.
  absl::StatusOr<ResumePoint> point = store->ResumeRun(At(kDay1), At(kDay2), "{}");
  ASSERT_TRUE(point.ok()) << point.status();
  EXPECT_EQ(point->intervals_committed, 1);
  region::IntervalOutcome recomputed = MadeUpOutcome(Interval(1));
  recomputed.decisions[0].role = "response";
  EXPECT_TRUE(store->VerifyInterval(MadeUpRegion(Interval(1)), recomputed).ok());
  region::IntervalOutcome later = MadeUpOutcome(Interval(2));
  later.decisions[0].role = "response";
  ASSERT_TRUE(store->RecordInterval(MadeUpRegion(Interval(2)), later).ok());
  ASSERT_TRUE(store->Flush().ok());
  const std::vector<StoreRow> roles = Rows(
      "SELECT role FROM decisions WHERE interval_start = '2023-01-01T01:00:00Z' AND "
      "asset_id = 'battery-1'");
  ASSERT_EQ(roles.size(), 1u);
  EXPECT_EQ(roles[0][0], "\"response\"");
}

TEST_F(PostgresStoreTest, MigratesAVersion2DatabaseAddingTheSamplesTableKeepingItsRows) {
  {
    std::unique_ptr<PostgresStore> store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->BeginRun(At(kDay1), At(kDay2), "{}").ok());
    ASSERT_TRUE(store->RecordProposal(Record(1, "k1", 30), ProposalStatus::kAccepted, "").ok());
    ASSERT_TRUE(store->RecordInterval(MadeUpRegion(Interval(1)), MadeUpOutcome(Interval(1))).ok());
    ASSERT_TRUE(store->Flush().ok());
    std::unique_ptr<PostgresConnection> db = Connect();
    ASSERT_NE(db, nullptr);
    ASSERT_TRUE(
        db->Exec("DROP TABLE telemetry_samples; DELETE FROM schema_version WHERE version >= 3")
            .ok());
  }
  ASSERT_EQ(Count("SELECT MAX(version) FROM schema_version"), 2);
  std::unique_ptr<PostgresStore> store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Count("SELECT MAX(version) FROM schema_version"),
            static_cast<int64_t>(StoreMigrations().size()));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM proposals"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM telemetry"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM telemetry_samples"), 0);
  ASSERT_TRUE(store->ResumeRun(At(kDay1), At(kDay2), "{}").ok());
  ASSERT_TRUE(store->RecordTelemetrySamples(MadeUpSamples(4)).ok());
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM telemetry_samples"), 4);
}

TEST_F(PostgresStoreTest, StoresASampleOncePerRunThroughRedeliveryAndResume) {
  {
    std::unique_ptr<PostgresStore> store = Open();
    ASSERT_NE(store, nullptr);
    store->set_sample_rows_per_insert(3);  // duplicates within a statement and across them
    ASSERT_TRUE(store->BeginRun(At(kDay1), At(kDay2), "{}").ok());
    ASSERT_TRUE(store->RecordTelemetrySamples(MadeUpSamples(4)).ok());
    std::vector<StoredTelemetrySample> again = MadeUpSamples(6);
    again.push_back(again[5]);
    for (StoredTelemetrySample& s : again) s.received_at += absl::Minutes(5);
    ASSERT_TRUE(store->RecordTelemetrySamples(again).ok());
    ASSERT_TRUE(store->Flush().ok());
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM telemetry_samples"), 6);
  {
    std::unique_ptr<PostgresStore> store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->ResumeRun(At(kDay1), At(kDay2), "{}").ok());
    ASSERT_TRUE(store->RecordTelemetrySamples(MadeUpSamples(8)).ok());
    ASSERT_TRUE(store->Flush().ok());
  }
  {
    std::unique_ptr<PostgresStore> store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->BeginRun(At(kDay1), At(kDay2), "{}").ok());  // another run: its own
    ASSERT_TRUE(store->RecordTelemetrySamples(MadeUpSamples(2)).ok());
    ASSERT_TRUE(store->Flush().ok());
  }
  const std::vector<StoreRow> per_run = Rows(
      "SELECT run_id, COUNT(*), COUNT(DISTINCT (source, sequence)) FROM telemetry_samples "
      "GROUP BY run_id ORDER BY run_id");
  ASSERT_EQ(per_run.size(), 2u);
  EXPECT_EQ(per_run[0][1], "8");
  EXPECT_EQ(per_run[0][2], "8");
  EXPECT_EQ(per_run[1][1], "2");
  // The first stored copy is the one kept: samples 0-3 as first received, 4-5 from the
  // second call, 6-7 from the resumed gateway.
  const std::vector<StoreRow> received = Rows(
      "SELECT received_at FROM telemetry_samples WHERE run_id = (SELECT MIN(run_id) FROM runs) "
      "ORDER BY row_seq");
  ASSERT_EQ(received.size(), 8u);
  const std::vector<StoredTelemetrySample> first = MadeUpSamples(8);
  for (size_t i = 0; i < received.size(); ++i) {
    const absl::Time at =
        first[i].received_at + (i == 4 || i == 5 ? absl::Minutes(5) : absl::ZeroDuration());
    EXPECT_EQ(received[i][0], absl::StrCat("\"", FormatSampleTime(at), "\"")) << "row " << i;
  }
}

TEST_F(PostgresStoreTest, MigratesAVersion3DatabaseKeepingTheFirstRowOfEachSample) {
  {
    std::unique_ptr<PostgresStore> store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->BeginRun(At(kDay1), At(kDay2), "{}").ok());
    ASSERT_TRUE(store->Flush().ok());
    // A version-3 database: no key, and samples stored twice (as a resumed gateway could).
    std::unique_ptr<PostgresConnection> db = Connect();
    ASSERT_NE(db, nullptr);
    ASSERT_TRUE(db->Exec("DROP INDEX telemetry_samples_key; "
                         "DELETE FROM schema_version WHERE version >= 4; "
                         "INSERT INTO telemetry_samples (run_id, source, sequence, stamp, "
                         "net_load_mw, received_at, late) VALUES "
                         "(1, 'm-1', 7, '2023-01-01T00:10:07Z', 1, '2023-01-01T00:10:00Z', 0), "
                         "(1, 'm-1', 8, '2023-01-01T00:10:08Z', 2, '2023-01-01T00:10:00Z', 0), "
                         "(1, 'm-1', 7, '2023-01-01T00:10:07Z', 1, '2023-01-01T00:50:00Z', 1), "
                         "(1, 'm-1', 7, '2023-01-01T00:10:07Z', 1, '2023-01-01T00:55:00Z', 1)")
                    .ok());
  }
  ASSERT_EQ(Count("SELECT COUNT(*) FROM telemetry_samples"), 4);
  std::unique_ptr<PostgresStore> store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Count("SELECT MAX(version) FROM schema_version"), 4);
  const std::vector<StoreRow> rows =
      Rows("SELECT sequence, received_at, late FROM telemetry_samples ORDER BY row_seq");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (StoreRow{"7", "\"2023-01-01T00:10:00Z\"", "0"}));
  EXPECT_EQ(rows[1][0], "8");
}

TEST_F(PostgresStoreTest, SamplesGoInMultiRowInsertsInOrderAllOrNone) {
  std::unique_ptr<PostgresStore> store = Open();
  ASSERT_NE(store, nullptr);
  store->set_sample_rows_per_insert(3);  // 7 samples: INSERTs of 3, 3 and 1 rows
  ASSERT_TRUE(store->BeginRun(At(kDay1), At(kDay2), "{}").ok());
  ASSERT_TRUE(store->RecordTelemetrySamples(MadeUpSamples(7)).ok());
  // A NUL byte in the 7th sample's source, so the third INSERT fails after two succeeded.
  std::vector<StoredTelemetrySample> spoilt = MadeUpSamples(7);
  spoilt[6].sample.source = std::string("meter\0c", 7);
  const absl::Status refused = store->RecordTelemetrySamples(spoilt);
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument) << refused;
  ASSERT_TRUE(store->Flush().ok());
  const std::vector<StoreRow> rows = Rows(
      "SELECT source, sequence, stamp, solar_mw, price_gbp_per_mwh, received_at, late "
      "FROM telemetry_samples ORDER BY row_seq");
  ASSERT_EQ(rows.size(), 7u);  // the first call's rows only
  EXPECT_EQ(rows[0][0], "\"meter-a\"");
  EXPECT_EQ(rows[0][2], "\"2023-01-01T00:00:00.25Z\"");
  EXPECT_EQ(rows[0][3], "0");
  EXPECT_EQ(rows[1][3], "NULL");
  EXPECT_EQ(rows[1][4], "-12.5");
  EXPECT_EQ(rows[2][6], "1");
  EXPECT_EQ(rows[6][0], "\"meter-a\"");
  EXPECT_EQ(rows[6][1], "4");
}

// The calls of SqliteStore's audit listing test, to either store.
void RecordAuditCalls(Store& store) {
  ASSERT_TRUE(store.BeginRun(At(kDay1), At(kDay2), "{}").ok());
  security::RefusedCall refused{"/gridpilot.v1.AssetService/SubmitDispatch", "trader", "trader",
                                "PERMISSION_DENIED", "a trader proposes \"in\" the trading band"};
  ASSERT_TRUE(store.RecordRefusedCall(At("2026-12-06T10:00:00Z"), refused, 0).ok());
  AuditEvent thresholds;
  thresholds.at = At("2026-12-06T10:01:00Z");
  thresholds.process = "response";
  thresholds.kind = "thresholds";
  thresholds.identity = "operator";
  thresholds.role = "operator";
  thresholds.detail_json = R"({"old":{"ramp_limit_mw":100},"new":{"ramp_limit_mw":90}})";
  ASSERT_TRUE(store.RecordAuditEvent(thresholds).ok());
  AuditEvent flood;
  flood.at = At("2026-12-06T10:02:00Z");
  flood.process = "trader";
  flood.kind = "refusal";
  flood.detail_json = R"({"code":"UNAUTHENTICATED"})";
  flood.dropped_before = 940;
  ASSERT_TRUE(store.RecordAuditEvent(flood).ok());
}

TEST_F(PostgresStoreTest, ListsAuditEventsAndTheGatewaysRefusalsNewestFirst) {
  std::unique_ptr<PostgresStore> store = Open();
  ASSERT_NE(store, nullptr);
  RecordAuditCalls(*store);

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
  EXPECT_EQ((*all)[1].detail_json, R"({"old":{"ramp_limit_mw":100},"new":{"ramp_limit_mw":90}})");
  EXPECT_EQ((*all)[2].process, "gateway");
  EXPECT_EQ((*all)[2].kind, "refusal");
  EXPECT_EQ((*all)[2].role, "trader");
  EXPECT_THAT((*all)[2].detail_json, HasSubstr(R"("code":"PERMISSION_DENIED")"));
  EXPECT_THAT((*all)[2].detail_json, HasSubstr("SubmitDispatch"));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_events"), 0);  // not yet committed
  // The listing left the batch usable: it commits whole.
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_events"), 2);

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
  AuditQuery from_the_second;  // inside 10:01:00: that whole second is included
  from_the_second.since = At("2026-12-06T10:01:00Z") + absl::Milliseconds(400);
  absl::StatusOr<std::vector<AuditEvent>> two = store->ListAuditEvents(from_the_second);
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->size(), 2u);

  // The same listing, field for field, as SqliteStore's for the same calls.
  std::string pattern = ::testing::TempDir() + "/postgres_audit_test_XXXXXX";
  ASSERT_NE(mkdtemp(pattern.data()), nullptr);
  absl::StatusOr<std::unique_ptr<SqliteStore>> sqlite = SqliteStore::Open(pattern + "/s.sqlite");
  ASSERT_TRUE(sqlite.ok()) << sqlite.status();
  RecordAuditCalls(**sqlite);
  absl::StatusOr<std::vector<AuditEvent>> expected = (*sqlite)->ListAuditEvents(AuditQuery{});
  ASSERT_TRUE(expected.ok());
  ASSERT_EQ(expected->size(), all->size());
  for (size_t i = 0; i < all->size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ((*all)[i].at, (*expected)[i].at);
    EXPECT_EQ((*all)[i].process, (*expected)[i].process);
    EXPECT_EQ((*all)[i].kind, (*expected)[i].kind);
    EXPECT_EQ((*all)[i].identity, (*expected)[i].identity);
    EXPECT_EQ((*all)[i].role, (*expected)[i].role);
    EXPECT_EQ((*all)[i].detail_json, (*expected)[i].detail_json);
    EXPECT_EQ((*all)[i].dropped_before, (*expected)[i].dropped_before);
  }
  std::filesystem::remove_all(pattern);
}

}  // namespace
}  // namespace gridpilot

namespace gridpilot {
namespace {

// Records approval events into a begun run of `store`, then reopens it with `reopen` and
// ResumeRun and returns LoadApprovals: 1 approved, 2 still pending, 3 lapsed, 4 pending
// again after an earlier life's 4 was rejected (ids of a pre-restart life could repeat).
StoredApprovals LoadAfterEvents(Store& store, const std::function<Store*()>& reopen) {
  EXPECT_TRUE(store.BeginRun(At(kDay1), At(kDay2), "{}").ok());
  auto event = [&](int64_t id, ApprovalEvent::Kind kind, double power_mw) {
    ApprovalEvent e;
    e.kind = kind;
    e.approval_id = id;
    e.at = Interval(static_cast<int>(id));
    e.requester = "ai-agent";
    e.requester_role = "ai-agent";
    e.proposal = Record(0, absl::StrCat("k", id), power_mw).proposal;
    e.proposal.agent = "ai-agent";
    e.reason = absl::StrCat("|power_mw| ", power_mw, " is above its limit");
    e.expires_at = e.at + absl::Minutes(15);
    EXPECT_TRUE(store.RecordApprovalEvent(e).ok());
  };
  using Kind = ApprovalEvent::Kind;
  event(1, Kind::kPending, 11);
  event(2, Kind::kPending, -12);
  event(4, Kind::kPending, 14);
  event(1, Kind::kApproved, 11);
  event(3, Kind::kPending, 13);
  event(3, Kind::kLapsed, 13);
  event(4, Kind::kRejected, 14);
  event(4, Kind::kPending, 15);
  EXPECT_TRUE(store.Flush().ok());
  Store* again = reopen();
  EXPECT_TRUE(again->ResumeRun(At(kDay1), At(kDay2), "{}").ok());
  absl::StatusOr<StoredApprovals> loaded = again->LoadApprovals();
  EXPECT_TRUE(loaded.ok()) << loaded.status();
  return loaded.ok() ? *loaded : StoredApprovals();
}

TEST_F(PostgresStoreTest, LoadApprovalsGivesTheStillPendingOnesAsSqliteDoes) {
  std::string pattern = ::testing::TempDir() + "/postgres_store_test_XXXXXX";
  ASSERT_NE(mkdtemp(pattern.data()), nullptr);
  const std::string sqlite_path = pattern + "/store.sqlite";
  std::vector<StoredApprovals> loaded;
  {
    absl::StatusOr<std::unique_ptr<SqliteStore>> sqlite = SqliteStore::Open(sqlite_path);
    ASSERT_TRUE(sqlite.ok()) << sqlite.status();
    std::unique_ptr<SqliteStore> reopened;
    loaded.push_back(LoadAfterEvents(**sqlite, [&]() -> Store* {
      sqlite->reset();
      reopened = *SqliteStore::Open(sqlite_path);
      return reopened.get();
    }));
    std::unique_ptr<PostgresStore> postgres = Open(1);
    ASSERT_NE(postgres, nullptr);
    std::unique_ptr<PostgresStore> reopened_pg;
    loaded.push_back(LoadAfterEvents(*postgres, [&]() -> Store* {
      postgres.reset();
      reopened_pg = Open(1);
      return reopened_pg.get();
    }));
  }
  for (const StoredApprovals& stored : loaded) {
    EXPECT_EQ(stored.max_approval_id, 4);
    ASSERT_EQ(stored.pending.size(), 2u);
    EXPECT_EQ(stored.pending[0].id, 2);
    EXPECT_EQ(stored.pending[0].proposal.power_mw, -12);
    EXPECT_EQ(stored.pending[0].created_at, Interval(2));
    EXPECT_EQ(stored.pending[0].expires_at, Interval(2) + absl::Minutes(15));
    EXPECT_EQ(stored.pending[1].id, 4);
    EXPECT_EQ(stored.pending[1].proposal.power_mw, 15);
    ASSERT_TRUE(stored.first_approved.has_value());  // a lock-step resume refuses the run
    EXPECT_EQ(stored.first_approved->id, 1);
    EXPECT_EQ(stored.first_approved->decided_at, Interval(1));
    EXPECT_EQ(stored.approved_count, 1);
  }
  const region::PendingApproval& s = loaded[0].pending[0];
  const region::PendingApproval& p = loaded[1].pending[0];
  EXPECT_EQ(std::tie(s.identity, s.role, s.reason, s.proposal.asset_id, s.proposal.start,
                     s.proposal.end, s.proposal.idempotency_key, s.proposal.reason),
            std::tie(p.identity, p.role, p.reason, p.proposal.asset_id, p.proposal.start,
                     p.proposal.end, p.proposal.idempotency_key, p.proposal.reason));
  std::filesystem::remove_all(pattern);
}

}  // namespace
}  // namespace gridpilot
