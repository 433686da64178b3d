// `gridpilot backtest --store postgresql://...` against a real PostgreSQL 15 started for
// the test (postgres_server.h): the week's backtest gives the same report and the same rows
// in every table as the same week on the default SQLite store; the URL's password appears
// in no log, no command line and not in run.json; and a server lost mid-run fails the run
// with a clear error instead of losing rows silently.
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

TEST(PostgresBacktestTest, TheWeekOnPostgresqlGivesTheSameReportAndRowsAsOnSqlite) {
  std::unique_ptr<PostgresServer> server = PostgresServer::Start();
  ASSERT_NE(server, nullptr);
  ASSERT_TRUE(server->CreateDatabase("week"));
  const std::string dir = MakeTempDir("postgres_backtest");
  ASSERT_FALSE(dir.empty());

  const CommandResult sqlite = RunGridpilot(
      absl::StrCat("backtest ", kWeek, " --run_dir ", dir, "/sqlite --json ", dir, "/sqlite.json"));
  ASSERT_EQ(sqlite.exit_code, 0) << sqlite.output;
  const CommandResult postgres =
      RunGridpilot(absl::StrCat("backtest ", kWeek, " --run_dir ", dir, "/postgres --json ", dir,
                                "/postgres.json --store ", server->Url("week")));
  ASSERT_EQ(postgres.exit_code, 0) << postgres.output << FileText(dir + "/postgres/gateway.log");

  const Json sqlite_report = ComparableReport(dir + "/sqlite.json");
  ASSERT_TRUE(sqlite_report.is_object());
  EXPECT_EQ(ComparableReport(dir + "/postgres.json"), sqlite_report);

  const std::string sqlite_path = dir + "/sqlite/store.sqlite";
  EXPECT_FALSE(std::filesystem::exists(dir + "/postgres/store.sqlite"));
  for (const auto& [table, sql] : TableQueries(sqlite_path)) {
    SCOPED_TRACE(table);
    const std::vector<StoreRow> sqlite_rows = SqliteRows(sqlite_path, sql);
    // A week without refused calls or agents' notes leaves those two tables empty.
    if (table != "refused_calls" && table != "agent_notes") {
      EXPECT_FALSE(sqlite_rows.empty());
    }
    EXPECT_EQ(DiffStoreRows(sqlite_rows, PostgresRowsOf(server->Url("week"), sql)), "");
  }
  // The week has 336 settled half-hours, each in both stores.
  EXPECT_EQ(PostgresRowsOf(server->Url("week"), "SELECT COUNT(*) FROM telemetry"),
            (std::vector<StoreRow>{{NumberCell(336)}}));

  // The password: in no log or file of the run, nor in the launcher's output.
  EXPECT_THAT(FilesHolding(dir + "/postgres", server->password()), ::testing::IsEmpty());
  EXPECT_THAT(postgres.output, Not(HasSubstr(server->password())));
  EXPECT_THAT(FileText(dir + "/postgres/gateway.log"), HasSubstr("gridpilot@127.0.0.1:"));
  std::filesystem::remove_all(dir);
}

TEST(PostgresBacktestTest, AServerLostMidRunFailsTheRunNamingTheStore) {
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
    absl::StatusOr<std::unique_ptr<PostgresConnection>> db = PostgresConnection::Connect(url, 1);
    if (!db.ok()) continue;
    absl::StatusOr<PostgresRows> rows = (*db)->Query(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'telemetry'",
        PostgresParams());
    if (!rows.ok() || rows->Text(0, 0) != "1") continue;
    rows = (*db)->Query("SELECT COUNT(*) FROM telemetry", PostgresParams());
    committed = rows.ok() && std::atoi(rows->Text(0, 0).c_str()) > 0;
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
