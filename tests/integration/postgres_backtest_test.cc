// `gridpilot backtest --store postgresql://...` against a real PostgreSQL 15 started for
// the test (postgres_server.h): the week's backtest gives the same report and the same rows
// in every table as the same week on the default SQLite store, also when its gateway is
// SIGKILLed mid-run and resumes from PostgreSQL; the URL's password appears in no log, no
// file of the run and not in the launcher's output; and a server lost mid-run fails the run
// with a clear error instead of losing rows silently.
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/postgres_server.h"
#include "tests/integration/run_gridpilot.h"
#include "tests/integration/store_rows.h"
#include "tests/integration/test_env.h"

namespace gridpilot::testing {
namespace {

using Json = nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kWeek[] = "--from 2023-06-01 --to 2023-06-07";

std::string FileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The report without what differs between any two runs: wall time and pids.
Json ComparableReport(const std::string& path) {
  Json report = Json::parse(FileText(path), nullptr, /*allow_exceptions=*/false);
  if (report.is_object()) {
    report.erase("wall_seconds");
    report.erase("processes");
  }
  return report;
}

// Every file under `dir` whose text holds `secret`.
std::vector<std::string> FilesHolding(const std::string& dir, const std::string& secret) {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() &&
        FileText(entry.path().string()).find(secret) != std::string::npos) {
      out.push_back(entry.path().string());
    }
  }
  return out;
}

// The telemetry rows committed in the database at `url`; 0 until it has the table.
int CommittedIntervals(const std::string& url) {
  absl::StatusOr<std::unique_ptr<PostgresConnection>> db = PostgresConnection::Connect(url, 1);
  if (!db.ok()) return 0;
  absl::StatusOr<PostgresRows> rows =
      (*db)->Query("SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'telemetry'",
                   PostgresParams());
  if (!rows.ok() || rows->Text(0, 0) != "1") return 0;
  rows = (*db)->Query("SELECT COUNT(*) FROM telemetry", PostgresParams());
  return rows.ok() ? std::atoi(rows->Text(0, 0).c_str()) : 0;
}

// Each table's rows as a query both stores answer alike: every column but proposal_id
// (numbered in arrival order: two agents answering one tick arrive in either order; a
// decision names its proposal by the accepted proposal's idempotency key instead), sorted
// by every column, so that neither arrival order nor insertion order matters.
std::map<std::string, std::string> TableQueries(const std::string& sqlite_path) {
  std::map<std::string, std::string> out;
  for (const char* table : {"runs", "telemetry", "proposals", "decisions", "ledger", "agent_notes",
                            "refused_calls", "plans"}) {
    std::vector<std::string> columns;
    for (const StoreRow& row :
         SqliteRows(sqlite_path, absl::StrCat("PRAGMA table_info(", table, ")"))) {
      const std::string name = row[1].substr(1, row[1].size() - 2);
      if (name == "proposal_id" && std::string(table) == "decisions") {
        columns.push_back(
            "(SELECT p.idempotency_key FROM proposals p WHERE p.run_id = t.run_id AND "
            "p.proposal_id = t.proposal_id AND p.status = 'accepted')");
      } else if (name != "proposal_id") {
        columns.push_back(absl::StrCat("t.", name));
      }
    }
    std::vector<std::string> order;
    for (size_t i = 1; i <= columns.size(); ++i) order.push_back(absl::StrCat(i, " NULLS FIRST"));
    out[table] = absl::StrCat("SELECT ", absl::StrJoin(columns, ", "), " FROM ", table,
                              " t ORDER BY ", absl::StrJoin(order, ", "));
  }
  return out;
}

// One server and one SQLite run of the week for the suite; each test has its own database.
class PostgresBacktestTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(MakeTempDir("postgres_backtest"));
    server_ = PostgresServer::Start().release();
    sqlite_ = new CommandResult(RunGridpilot(absl::StrCat(
        "backtest ", kWeek, " --run_dir ", *dir_, "/sqlite --json ", *dir_, "/sqlite.json")));
  }
  static void TearDownTestSuite() {
    delete server_;
    std::filesystem::remove_all(*dir_);
    delete dir_;
    delete sqlite_;
  }
  void SetUp() override {
    ASSERT_NE(server_, nullptr) << "PostgreSQL did not start";
    ASSERT_EQ(sqlite_->exit_code, 0) << sqlite_->output;
  }
  static std::string SqlitePath() { return *dir_ + "/sqlite/store.sqlite"; }
  // Every table's rows in the PostgreSQL database `url` equal the SQLite week's.
  static void ExpectSameRowsAsSqlite(const std::string& url) {
    for (const auto& [table, sql] : TableQueries(SqlitePath())) {
      SCOPED_TRACE(table);
      const std::vector<StoreRow> sqlite_rows = SqliteRows(SqlitePath(), sql);
      // A week without refused calls or agents' notes leaves those two tables empty.
      if (table != "refused_calls" && table != "agent_notes") {
        EXPECT_FALSE(sqlite_rows.empty());
      }
      EXPECT_EQ(DiffStoreRows(sqlite_rows, PostgresRowsOf(url, sql)), "");
    }
  }

  static std::string* dir_;
  static PostgresServer* server_;
  static CommandResult* sqlite_;
};

std::string* PostgresBacktestTest::dir_ = nullptr;
PostgresServer* PostgresBacktestTest::server_ = nullptr;
CommandResult* PostgresBacktestTest::sqlite_ = nullptr;

TEST_F(PostgresBacktestTest, TheWeekOnPostgresqlGivesTheSameReportAndRowsAsOnSqlite) {
  ASSERT_TRUE(server_->CreateDatabase("week"));
  const std::string& dir = *dir_;
  const CommandResult postgres =
      RunGridpilot(absl::StrCat("backtest ", kWeek, " --run_dir ", dir, "/postgres --json ", dir,
                                "/postgres.json --store ", server_->Url("week")));
  ASSERT_EQ(postgres.exit_code, 0) << postgres.output << FileText(dir + "/postgres/gateway.log");

  const Json sqlite_report = ComparableReport(dir + "/sqlite.json");
  ASSERT_TRUE(sqlite_report.is_object());
  EXPECT_EQ(ComparableReport(dir + "/postgres.json"), sqlite_report);
  EXPECT_FALSE(std::filesystem::exists(dir + "/postgres/store.sqlite"));
  ExpectSameRowsAsSqlite(server_->Url("week"));
  // The week has 336 settled half-hours, each in both stores.
  EXPECT_EQ(PostgresRowsOf(server_->Url("week"), "SELECT COUNT(*) FROM telemetry"),
            (std::vector<StoreRow>{{NumberCell(336)}}));

  // The password: in no log or file of the run, nor in the launcher's output.
  EXPECT_THAT(FilesHolding(dir + "/postgres", server_->password()), ::testing::IsEmpty());
  EXPECT_THAT(postgres.output, Not(HasSubstr(server_->password())));
  EXPECT_THAT(FileText(dir + "/postgres/gateway.log"), HasSubstr("gridpilot@127.0.0.1:"));
}

// The gateway SIGKILLed mid-week: the launcher restarts the stack, the gateway resumes the
// run from PostgreSQL (ResumeRun, then VerifyInterval over the re-executed intervals), and
// the report and the rows are the uninterrupted SQLite run's.
TEST_F(PostgresBacktestTest, AGatewayKilledMidRunResumesFromPostgresqlToTheSameRows) {
  ASSERT_TRUE(server_->CreateDatabase("killed"));
  const std::string url = server_->Url("killed");
  const std::string run_dir = *dir_ + "/killed";
  CommandResult run;
  std::thread launcher([&] {
    run = RunGridpilot(absl::StrCat("backtest ", kWeek, " --run_dir ", run_dir, " --json ", *dir_,
                                    "/killed.json --store ", url));
  });
  bool killed = false;
  for (int i = 0; i < 6000 && !killed; ++i) {
    absl::SleepFor(absl::Milliseconds(50));
    if (CommittedIntervals(url) < 100) continue;
    const Json status = Json::parse(FileText(run_dir + "/supervisor.json"), nullptr, false);
    if (!status.is_object() || !status.contains("processes")) continue;
    for (const Json& p : status["processes"]) {
      if (p.value("name", "") == "gateway" && p.value("pid", 0) > 0) {
        killed = kill(p["pid"].get<int>(), SIGKILL) == 0;
      }
    }
  }
  launcher.join();
  ASSERT_TRUE(killed) << run.output;
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("gateway exited: signal 9 at tick "));
  const Json report = Json::parse(FileText(*dir_ + "/killed.json"), nullptr, false);
  ASSERT_TRUE(report.is_object());
  ASSERT_EQ(report["restarts"].size(), 1u) << report.dump(2);
  EXPECT_EQ(report["restarts"][0]["process"], "gateway");
  Json comparable = ComparableReport(*dir_ + "/killed.json");
  comparable.erase("restarts");
  Json baseline = ComparableReport(*dir_ + "/sqlite.json");
  baseline.erase("restarts");
  EXPECT_EQ(comparable, baseline);
  ExpectSameRowsAsSqlite(url);
}

// Its own server: the test stops it.
TEST(PostgresBacktestLostServerTest, AServerLostMidRunFailsTheRunNamingTheStore) {
  std::unique_ptr<PostgresServer> server = PostgresServer::Start();
  ASSERT_NE(server, nullptr);
  ASSERT_TRUE(server->CreateDatabase("lost"));
  const std::string dir = MakeTempDir("postgres_lost");
  ASSERT_FALSE(dir.empty());
  const std::string url = server->Url("lost");
  CommandResult run;
  std::thread launcher([&] {
    run = RunGridpilot(absl::StrCat("backtest --from 2023-06-01 --to 2023-06-30 --run_dir ", dir,
                                    "/run --json ", dir, "/run.json --store ", url));
  });
  // Stop the server once the run has committed some intervals (bounded wait).
  bool committed = false;
  for (int i = 0; i < 1200 && !committed; ++i) {
    absl::SleepFor(absl::Milliseconds(250));
    committed = CommittedIntervals(url) > 0;
  }
  const std::string password = server->password();
  server->Stop("immediate");
  launcher.join();
  ASSERT_TRUE(committed) << "the run committed nothing in 5 minutes: " << run.output;
  EXPECT_NE(run.exit_code, 0) << run.output;
  EXPECT_FALSE(std::filesystem::exists(dir + "/run.json"));
  EXPECT_THAT(run.output, HasSubstr("postgresql://gridpilot@127.0.0.1:")) << run.output;
  EXPECT_THAT(run.output, HasSubstr("connection lost")) << run.output;
  EXPECT_THAT(run.output, Not(HasSubstr(password)));
  EXPECT_THAT(FilesHolding(dir, password), ::testing::IsEmpty());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace gridpilot::testing
