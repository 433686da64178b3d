// Integration test of `gridpilot backtest`: the launcher starts the real gateway, forecast,
// response and trader processes, replays one week (2023-03-01 .. 2023-03-07, 336
// half-hours) lock-step, and writes a JSON report and a SQLite store. The test runs the
// launcher as a user would (a child process with a temp run dir), then checks the report
// and the store: the report's keys, the ledger's arithmetic, the battery's energy balance,
// the interlocks, determinism across two runs, the absence of look-ahead (a run whose
// data change from the middle of the week must decide identically before the change),
// and the launcher's errors for a missing or corrupt demand file.
//
// The week's runs are made once per test suite (SetUpTestSuite) and share one model dir,
// so the forecast models are trained once.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/assets/battery.h"
#include "core/assets/peaker.h"
#include "core/region/region_engine.h"
#include "gtest/gtest.h"

extern char** environ;

namespace gridpilot {
namespace {

using Json = nlohmann::json;

// A double NaN: json::value(key, default) returns the default's type, and NAN is a float.
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

constexpr char kFrom[] = "2023-03-01";
constexpr char kTo[] = "2023-03-07";
constexpr int kWeekTicks = 7 * 48;
// The no-look-ahead run changes the data of every interval starting at or after this.
constexpr char kChangeFrom[] = "2023-03-04T12:00:00Z";
constexpr int kTicksBeforeChange = 3 * 48 + 24;
constexpr char kDemandFile[] = "gb_demand_2022_2023.csv";
constexpr char kPriceFile[] = "gb_price_mid_2022-10_2023-12.csv";
// A backtest of a week takes seconds; this only bounds a hung run.
constexpr absl::Duration kRunTimeout = absl::Minutes(5);

const char* const kCauses[] = {"arbitrage_sold", "arbitrage_bought",    "peaker_fuel",
                               "peaker_starts",  "battery_degradation", "instability_penalty"};

std::string RequiredEnv(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

std::string MakeTempDir(const std::string& stem) {
  std::string pattern = ::testing::TempDir() + stem + "_XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) return "";
  return pattern;
}

// ---------------------------------------------------------------------------------------
// Running the launcher.

struct CommandResult {
  int exit_code = -1;  // the exit status; 128 + signal if killed; -1 if it could not run
  bool timed_out = false;
  std::string stdout_text;
  std::string stderr_text;
};

// The pids whose parent is `parent`, from /proc.
std::vector<pid_t> ChildrenOf(pid_t parent) {
  std::vector<pid_t> out;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so parse
    // after the last ')'.
    const std::string stat = ReadFile(entry.path().string() + "/stat");
    const size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 1));
    std::string state;
    pid_t ppid = 0;
    if (rest >> state >> ppid && ppid == parent) out.push_back(std::stoi(name));
  }
  return out;
}

// Runs `argv` with stdout and stderr captured in files under `log_prefix`, and waits for
// it. On timeout the launcher and the processes it started are killed.
CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& log_prefix) {
  CommandResult result;
  const std::string out_path = log_prefix + ".stdout";
  const std::string err_path = log_prefix + ".stderr";
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    result.stderr_text = absl::StrCat("cannot start ", argv[0], ": ", strerror(rc));
    return result;
  }
  // Poll with a timeout so a hung launcher fails the test instead of stalling it.
  const absl::Time give_up = absl::Now() + kRunTimeout;
  int wait_status = 0;
  while (waitpid(pid, &wait_status, WNOHANG) == 0) {
    if (absl::Now() > give_up) {
      result.timed_out = true;
      // The launcher's children live in their own process groups: stop them by pid.
      const std::vector<pid_t> children = ChildrenOf(pid);
      kill(pid, SIGKILL);
      for (pid_t child : children) kill(child, SIGKILL);
      waitpid(pid, &wait_status, 0);
      break;
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  if (WIFEXITED(wait_status)) {
    result.exit_code = WEXITSTATUS(wait_status);
  } else if (WIFSIGNALED(wait_status)) {
    result.exit_code = 128 + WTERMSIG(wait_status);
  }
  result.stdout_text = ReadFile(out_path);
  result.stderr_text = ReadFile(err_path);
  return result;
}

struct BacktestRun {
  std::string run_dir;
  std::string json_path;
  CommandResult command;
  Json report;  // null if the report could not be read

  std::string store_path() const { return run_dir + "/store.sqlite"; }
  std::string Describe() const {
    return absl::StrCat("exit ", command.exit_code, command.timed_out ? " (timed out)" : "",
                        "\nstdout:\n", command.stdout_text, "\nstderr:\n", command.stderr_text,
                        "\ngateway.log:\n", ReadFile(run_dir + "/gateway.log"));
  }
};

// `gridpilot backtest` over the week, with optional data files.
BacktestRun RunBacktest(const std::string& work_dir, const std::string& name,
                        const std::string& model_dir, const std::string& demand_csv = "",
                        const std::string& price_csv = "", const std::string& config = "") {
  BacktestRun run;
  run.run_dir = absl::StrCat(work_dir, "/", name);
  run.json_path = absl::StrCat(work_dir, "/", name, ".json");
  std::vector<std::string> argv = {RequiredEnv("GRIDPILOT_BIN_DIR") + "/gridpilot",
                                   "backtest",
                                   "--from",
                                   kFrom,
                                   "--to",
                                   kTo,
                                   "--run_dir",
                                   run.run_dir,
                                   "--json",
                                   run.json_path};
  if (!model_dir.empty()) argv.insert(argv.end(), {"--model_dir", model_dir});
  if (!demand_csv.empty()) argv.insert(argv.end(), {"--demand_csv", demand_csv});
  if (!price_csv.empty()) argv.insert(argv.end(), {"--price_csv", price_csv});
  if (!config.empty()) argv.insert(argv.end(), {"--config", config});
  run.command = RunCommand(argv, absl::StrCat(work_dir, "/", name));
  if (run.command.exit_code == 0) {
    run.report = Json::parse(ReadFile(run.json_path), nullptr, /*allow_exceptions=*/false);
  }
  return run;
}

// ---------------------------------------------------------------------------------------
// Reading the store.

using Cell = std::variant<std::monostate, int64_t, double, std::string>;
using Row = std::vector<Cell>;

std::string CellText(const Cell& cell) {
  if (std::holds_alternative<int64_t>(cell)) return absl::StrCat(std::get<int64_t>(cell));
  if (std::holds_alternative<double>(cell)) {
    return absl::StrFormat("%.17g", std::get<double>(cell));
  }
  if (std::holds_alternative<std::string>(cell)) {
    return absl::StrCat("\"", std::get<std::string>(cell), "\"");
  }
  return "NULL";
}

std::string RowText(const Row& row) {
  std::vector<std::string> cells;
  for (const Cell& c : row) cells.push_back(CellText(c));
  return absl::StrCat("(", absl::StrJoin(cells, ", "), ")");
}

// Runs one query on the store at `path`. A failure to open or query is a test failure
// and gives no rows.
std::vector<Row> Query(const std::string& path, const std::string& sql) {
  std::vector<Row> rows;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << path << ": " << (db ? sqlite3_errmsg(db) : "cannot open");
    sqlite3_close(db);
    return rows;
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << path << ": " << sql << ": " << sqlite3_errmsg(db);
    sqlite3_close(db);
    return rows;
  }
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    Row& row = rows.emplace_back();
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      switch (sqlite3_column_type(stmt, i)) {
        case SQLITE_INTEGER: row.emplace_back(sqlite3_column_int64(stmt, i)); break;
        case SQLITE_FLOAT: row.emplace_back(sqlite3_column_double(stmt, i)); break;
        case SQLITE_TEXT:
          row.emplace_back(std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, i)),
                                       static_cast<size_t>(sqlite3_column_bytes(stmt, i))));
          break;
        default: row.emplace_back(std::monostate()); break;
      }
    }
  }
  if (rc != SQLITE_DONE) ADD_FAILURE() << path << ": " << sql << ": " << sqlite3_errmsg(db);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return rows;
}

std::optional<double> AsReal(const Cell& cell) {
  if (std::holds_alternative<double>(cell)) return std::get<double>(cell);
  if (std::holds_alternative<int64_t>(cell)) return static_cast<double>(std::get<int64_t>(cell));
  return std::nullopt;
}

int64_t AsInt(const Cell& cell) {
  return std::holds_alternative<int64_t>(cell) ? std::get<int64_t>(cell) : -1;
}

std::string AsText(const Cell& cell) {
  return std::holds_alternative<std::string>(cell) ? std::get<std::string>(cell) : "";
}

// One row of the decisions table.
struct Decision {
  std::string interval_start;
  std::string asset_id;
  int64_t priority = 0;
  double applied_mw = 0.0;
  std::optional<double> soc_before_mwh, soc_after_mwh, charge_mwh, discharge_mwh;
  std::string peaker_status;
  std::string text;  // the whole row, for failure messages
};

std::vector<Decision> DecisionsOf(const std::string& store, const std::string& asset_id) {
  std::vector<Decision> out;
  for (const Row& r :
       Query(store,
             absl::StrCat(
                 "SELECT interval_start, asset_id, priority, applied_mw, soc_before_mwh, "
                 "soc_after_mwh, charge_mwh, discharge_mwh, peaker_status, reason FROM decisions "
                 "WHERE asset_id = '",
                 asset_id, "' ORDER BY interval_start"))) {
    Decision d;
    d.interval_start = AsText(r[0]);
    d.asset_id = AsText(r[1]);
    d.priority = AsInt(r[2]);
    d.applied_mw = AsReal(r[3]).value_or(kNaN);
    d.soc_before_mwh = AsReal(r[4]);
    d.soc_after_mwh = AsReal(r[5]);
    d.charge_mwh = AsReal(r[6]);
    d.discharge_mwh = AsReal(r[7]);
    d.peaker_status = AsText(r[8]);
    d.text = RowText(r);
    out.push_back(std::move(d));
  }
  return out;
}

// Compares two row lists; describes the first few differences (empty if equal).
std::string DiffRows(const std::vector<Row>& a, const std::vector<Row>& b) {
  std::string out;
  if (a.size() != b.size()) out = absl::StrCat(a.size(), " rows vs ", b.size(), " rows\n");
  int shown = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()) && shown < 5; ++i) {
    if (a[i] != b[i]) {
      absl::StrAppend(&out, "row ", i, ":\n  ", RowText(a[i]), "\n  ", RowText(b[i]), "\n");
      ++shown;
    }
  }
  return out;
}

// Every decision column except the arbiter's proposal_id, which numbers proposals in
// the order they reached the gateway: two agents answering the same tick may arrive in
// either order. The governing proposal is named by its idempotency key instead, which
// the agents derive from agent, asset and interval.
std::string DecisionsSql(const std::string& where) {
  return absl::StrCat(
      "SELECT d.interval_start, d.asset_id, d.agent, d.priority, d.requested_mw, "
      "d.applied_mw, d.soc_before_mwh, d.soc_after_mwh, d.charge_mwh, d.discharge_mwh, "
      "d.peaker_status, d.reason, (SELECT p.idempotency_key FROM proposals p WHERE "
      "p.run_id = d.run_id AND p.proposal_id = d.proposal_id AND p.status = 'accepted') "
      "FROM decisions d ",
      where, " ORDER BY d.interval_start, d.asset_id");
}

// Every proposal column but proposal_id (arrival order, see DecisionsSql), in an order
// that does not depend on arrival either.
constexpr char kProposalsSql[] =
    "SELECT status, submitted_at, agent, asset_id, priority, power_mw, lease_start, lease_end, "
    "idempotency_key, reason, detail FROM proposals "
    "ORDER BY submitted_at, agent, idempotency_key, status, rowid";

int CountDifferentRows(const std::vector<Row>& a, const std::vector<Row>& b) {
  int different = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) different += a[i] != b[i];
  return different + static_cast<int>(std::max(a.size(), b.size()) - std::min(a.size(), b.size()));
}

bool NearRelative(double a, double b, double relative) {
  return std::abs(a - b) <= relative * std::max({1.0, std::abs(a), std::abs(b)});
}

// ---------------------------------------------------------------------------------------
// Data files.

// Copies `from` to `to`, passing every data row (split on ',') through `edit` along with
// its 1-based line number; the header and line ends are kept as they are. `edit` returns
// false to leave the row unchanged.
bool CopyCsv(const std::string& from, const std::string& to,
             const std::function<bool(int line, const std::vector<std::string>& header,
                                      std::vector<std::string>* fields)>& edit) {
  const std::string text = ReadFile(from);
  if (text.empty()) return false;
  std::string out;
  out.reserve(text.size() + text.size() / 4);
  std::vector<std::string> header;
  int line = 0;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    const bool has_newline = end != std::string::npos;
    if (!has_newline) end = text.size();
    const std::string content = text.substr(begin, end - begin);
    ++line;
    std::vector<std::string> fields = absl::StrSplit(content, ',');
    if (line == 1) {
      header = fields;
      out += content;
    } else if (edit(line, header, &fields)) {
      out += absl::StrJoin(fields, ",");
    } else {
      out += content;
    }
    if (has_newline) out += '\n';
    begin = end + 1;
  }
  return WriteFile(to, out);
}

int ColumnOf(const std::vector<std::string>& header, const std::string& name) {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return static_cast<int>(i);
  }
  return -1;
}

// Rewrites `column` as `a * value + b` in rows whose timestamp_utc (column 0) is at or
// after kChangeFrom; empty (missing) values stay empty.
std::function<bool(int, const std::vector<std::string>&, std::vector<std::string>*)>
ScaleFromChange(const std::string& column, double a, double b) {
  return [column, a, b](int, const std::vector<std::string>& header,
                        std::vector<std::string>* fields) {
    const int c = ColumnOf(header, column);
    // ISO 8601 UTC stamps of one format order as strings.
    if (c < 0 || fields->size() <= static_cast<size_t>(c) || (*fields)[0] < kChangeFrom ||
        (*fields)[c].empty()) {
      return false;
    }
    (*fields)[c] = absl::StrFormat("%.2f", a * std::stod((*fields)[c]) + b);
    return true;
  };
}

// ---------------------------------------------------------------------------------------
// The week's runs: A and B are identical runs on the shipped data; "changed" replays
// files whose demand and price differ from kChangeFrom on.

struct WeekRuns {
  std::string work_dir;
  std::string setup_error;  // non-empty if the runs could not be made
  BacktestRun a, b, changed;
  BacktestRun arbitrage_only;  // the shipped deploy/arbitrage-only.json
};

class BacktestWeekTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    runs_ = new WeekRuns();
    WeekRuns& runs = *runs_;
    const std::string source_dir = RequiredEnv("GRIDPILOT_SOURCE_DIR");
    if (RequiredEnv("GRIDPILOT_BIN_DIR").empty() || source_dir.empty()) {
      runs.setup_error = "GRIDPILOT_BIN_DIR and GRIDPILOT_SOURCE_DIR must be set (ctest sets them)";
      return;
    }
    runs.work_dir = MakeTempDir("gridpilot_backtest");
    if (runs.work_dir.empty()) {
      runs.setup_error = "cannot create a temp dir";
      return;
    }
    const std::string model_dir = runs.work_dir + "/models";
    const std::string demand = runs.work_dir + "/" + kDemandFile;
    const std::string price = runs.work_dir + "/" + kPriceFile;
    if (!CopyCsv(source_dir + "/data/" + kDemandFile, demand, ScaleFromChange("ND", 1.3, 500)) ||
        !CopyCsv(source_dir + "/data/" + kPriceFile, price, ScaleFromChange("Price", 2, 40))) {
      runs.setup_error = "cannot write the changed data files";
      return;
    }
    runs.a = RunBacktest(runs.work_dir, "runA", model_dir);  // trains the models
    runs.b = RunBacktest(runs.work_dir, "runB", model_dir);
    runs.changed = RunBacktest(runs.work_dir, "runChanged", model_dir, demand, price);
    runs.arbitrage_only = RunBacktest(runs.work_dir, "runArbitrageOnly", model_dir, "", "",
                                      source_dir + "/deploy/arbitrage-only.json");
    std::printf("run A report:\n%s\n", runs.a.report.dump(2).c_str());
  }

  static void TearDownTestSuite() {
    // Keep the run dirs of a failed suite for a person to look at.
    if (!::testing::UnitTest::GetInstance()->Failed() && !runs_->work_dir.empty()) {
      std::filesystem::remove_all(runs_->work_dir);
    } else if (!runs_->work_dir.empty()) {
      std::printf("run dirs kept in %s\n", runs_->work_dir.c_str());
    }
    delete runs_;
    runs_ = nullptr;
  }

  // Every test reads run A; the tests that compare runs also check the other run.
  void SetUp() override {
    ASSERT_TRUE(runs_->setup_error.empty()) << runs_->setup_error;
    ASSERT_TRUE(Ran(A()));
  }

  static ::testing::AssertionResult Ran(const BacktestRun& run) {
    if (run.command.exit_code != 0) return ::testing::AssertionFailure() << run.Describe();
    if (!run.report.is_object()) {
      return ::testing::AssertionFailure() << run.json_path << " is not a JSON object";
    }
    return ::testing::AssertionSuccess();
  }

  static const BacktestRun& A() { return runs_->a; }
  static const BacktestRun& B() { return runs_->b; }
  static const BacktestRun& Changed() { return runs_->changed; }
  static const BacktestRun& ArbitrageOnly() { return runs_->arbitrage_only; }

 private:
  static inline WeekRuns* runs_ = nullptr;
};

// 1. The report has every documented key, with the right types, and one tick per
//    half-hour of the week.
TEST_F(BacktestWeekTest, ReportHasEveryDocumentedKey) {
  const Json& r = A().report;
  const std::vector<std::string> numbers = {"/wall_seconds", "/baseline_instability_penalty_gbp",
                                            "/battery_cycles", "/forecast_change_30min_mae_mw"};
  const std::vector<std::string> integers = {"/ticks", "/ramp_events"};
  for (const std::string& key : numbers) {
    ASSERT_TRUE(r.contains(Json::json_pointer(key))) << key;
    EXPECT_TRUE(r.at(Json::json_pointer(key)).is_number())
        << key << " = " << r.at(Json::json_pointer(key));
  }
  for (const std::string& key : integers) {
    ASSERT_TRUE(r.contains(Json::json_pointer(key))) << key;
    EXPECT_TRUE(r.at(Json::json_pointer(key)).is_number_integer()) << key;
  }
  for (const char* cause : kCauses) {
    ASSERT_TRUE(r["ledger_gbp"].contains(cause)) << cause;
    EXPECT_TRUE(r["ledger_gbp"][cause].is_number()) << cause;
  }
  ASSERT_TRUE(r["ledger_gbp"].contains("net"));
  EXPECT_TRUE(r["ledger_gbp"]["net"].is_number());

  EXPECT_EQ(r.value("from", ""), kFrom);
  EXPECT_EQ(r.value("to", ""), kTo);
  EXPECT_EQ(r.value("ticks", -1), kWeekTicks);
  EXPECT_GT(r.value("wall_seconds", 0.0), 0.0);
  EXPECT_GE(r.value("ramp_events", -1), 0);
  EXPECT_GE(r.value("battery_cycles", -1.0), 0.0);
  EXPECT_GE(r.value("forecast_change_30min_mae_mw", -1.0), 0.0);
  EXPECT_GE(r.value("baseline_instability_penalty_gbp", -1.0), 0.0);
  EXPECT_EQ(r.value("trader_risk_aversion", -1.0), 0.0);  // risk-neutral by default
  ASSERT_TRUE(r.contains("region"));
  EXPECT_EQ(r["region"].value("name", ""), region::RegionConfig().name);
  EXPECT_EQ(r["region"].value("ramp_limit_mw", kNaN), region::RegionConfig().ramp_limit_mw);
  EXPECT_EQ(r["region"].value("instability_penalty_gbp_per_mw", kNaN),
            region::RegionConfig().instability_penalty_gbp_per_mw);
  // Costs are negative cash flows.
  for (const char* cost :
       {"peaker_fuel", "peaker_starts", "battery_degradation", "instability_penalty"}) {
    EXPECT_LE(r["ledger_gbp"].value(cost, 1.0), 0.0) << cost;
  }

  ASSERT_TRUE(r.contains("dispatches") && r["dispatches"].is_object());
  for (const std::string& asset : {assets::BatteryParams{}.id, assets::PeakerParams{}.id}) {
    ASSERT_TRUE(r["dispatches"].contains(asset)) << r["dispatches"];
    const Json& d = r["dispatches"][asset];
    ASSERT_TRUE(d.contains("count") && d["count"].is_number_integer()) << d;
    ASSERT_TRUE(d.contains("mwh") && d["mwh"].is_number()) << d;
    EXPECT_GE(d["count"].get<int64_t>(), 0);
    EXPECT_LE(d["count"].get<int64_t>(), kWeekTicks);
    EXPECT_GE(d["mwh"].get<double>(), 0.0);
  }

  ASSERT_TRUE(r.contains("processes") && r["processes"].is_array());
  std::map<std::string, int> pids;
  for (const Json& p : r["processes"]) {
    ASSERT_TRUE(p.contains("name") && p["name"].is_string()) << p;
    ASSERT_TRUE(p.contains("pid") && p["pid"].is_number_integer()) << p;
    pids[p["name"].get<std::string>()] = p["pid"].get<int>();
  }
  EXPECT_EQ(pids.size(), 5u) << r["processes"];
  std::set<int> distinct;
  for (const char* name : {"gateway", "forecast", "response", "trader", "mcp"}) {
    ASSERT_TRUE(pids.contains(name)) << name << " missing from " << r["processes"];
    EXPECT_GT(pids[name], 0) << name;
    distinct.insert(pids[name]);
    // The launcher stopped it: no gridpilot process runs under that pid any more.
    const std::string cmdline = ReadFile(absl::StrCat("/proc/", pids[name], "/cmdline"));
    EXPECT_EQ(cmdline.find("gridpilot-"), std::string::npos)
        << name << " (pid " << pids[name] << ") still runs after the backtest";
  }
  EXPECT_EQ(distinct.size(), 5u) << r["processes"];
}

// 2. The report's net is the sum of its causes, and the store's ledger rows add up to
//    the report's figure for each cause.
TEST_F(BacktestWeekTest, LedgerSumsToItsCauses) {
  const Json& ledger = A().report["ledger_gbp"];
  double sum = 0.0;
  for (const char* cause : kCauses) sum += ledger.value(cause, kNaN);
  const double net = ledger.value("net", kNaN);
  EXPECT_TRUE(NearRelative(net, sum, 1e-6)) << "net " << net << " vs sum of causes " << sum;

  std::map<std::string, double> stored;
  for (const Row& r : Query(A().store_path(),
                            "SELECT cause, SUM(amount_gbp), COUNT(*) FROM ledger GROUP BY cause")) {
    stored[AsText(r[0])] = AsReal(r[1]).value_or(kNaN);
  }
  std::set<std::string> known(std::begin(kCauses), std::end(kCauses));
  for (const auto& [cause, amount] : stored) {
    EXPECT_TRUE(known.contains(cause)) << "unknown cause in the ledger table: " << cause;
  }
  for (const char* cause : kCauses) {
    const double reported = ledger.value(cause, kNaN);
    const double in_store = stored.contains(cause) ? stored[cause] : 0.0;
    EXPECT_TRUE(NearRelative(in_store, reported, 1e-6))
        << cause << ": ledger table sums to " << in_store << " GBP, report says " << reported;
  }
}

// The store holds every interval once, and the report's dispatch and penalty figures are
// those of the store's rows.
TEST_F(BacktestWeekTest, ReportAgreesWithStore) {
  const std::string store = A().store_path();
  const std::vector<Row> runs = Query(store, "SELECT replay_from, replay_to FROM runs");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(AsText(runs[0][0]), "2023-03-01T00:00:00Z");
  EXPECT_EQ(AsText(runs[0][1]), "2023-03-08T00:00:00Z");

  const std::vector<Row> telemetry =
      Query(store,
            "SELECT COUNT(*), MIN(interval_start), MAX(interval_start), SUM(excess_mw), "
            "SUM(baseline_excess_mw) FROM telemetry");
  ASSERT_EQ(telemetry.size(), 1u);
  EXPECT_EQ(AsInt(telemetry[0][0]), kWeekTicks);
  EXPECT_EQ(AsText(telemetry[0][1]), "2023-03-01T00:00:00Z");
  EXPECT_EQ(AsText(telemetry[0][2]), "2023-03-07T23:30:00Z");
  const double penalty_gbp_per_mw = region::RegionConfig{}.instability_penalty_gbp_per_mw;
  const double excess_mw = AsReal(telemetry[0][3]).value_or(kNaN);
  const double baseline_excess_mw = AsReal(telemetry[0][4]).value_or(kNaN);
  EXPECT_TRUE(NearRelative(A().report.value("baseline_instability_penalty_gbp", kNaN),
                           baseline_excess_mw * penalty_gbp_per_mw, 1e-6))
      << A().report["baseline_instability_penalty_gbp"] << " vs " << baseline_excess_mw;
  EXPECT_TRUE(NearRelative(A().report["ledger_gbp"].value("instability_penalty", kNaN),
                           -excess_mw * penalty_gbp_per_mw, 1e-6))
      << A().report["ledger_gbp"]["instability_penalty"] << " vs " << excess_mw;

  // One decision per asset per interval; dispatch counts and energy as in the report.
  const double hours = 0.5;
  for (const std::string& asset : {assets::BatteryParams{}.id, assets::PeakerParams{}.id}) {
    const std::vector<Decision> decisions = DecisionsOf(store, asset);
    EXPECT_EQ(decisions.size(), static_cast<size_t>(kWeekTicks)) << asset;
    int64_t count = 0;
    double mwh = 0.0;
    for (const Decision& d : decisions) {
      if (std::abs(d.applied_mw) > 1e-9) ++count;
      mwh += std::abs(d.applied_mw) * hours;
    }
    const Json& reported = A().report["dispatches"][asset];
    EXPECT_EQ(reported.value("count", int64_t{-1}), count) << asset;
    EXPECT_NEAR(reported.value("mwh", kNaN), mwh, 1e-6 * std::max(1.0, mwh)) << asset;
  }
}

// 3. Each battery interval conserves energy with the default efficiencies, and each
//    interval starts where the previous one ended.
TEST_F(BacktestWeekTest, BatteryEnergyBalances) {
  const assets::BatteryParams battery;  // the gateway's default battery
  const std::vector<Decision> decisions = DecisionsOf(A().store_path(), battery.id);
  ASSERT_EQ(decisions.size(), static_cast<size_t>(kWeekTicks));
  EXPECT_NEAR(*decisions.front().soc_before_mwh, battery.soc_initial_mwh, 1e-9);
  for (size_t i = 0; i < decisions.size(); ++i) {
    const Decision& d = decisions[i];
    ASSERT_TRUE(d.soc_before_mwh && d.soc_after_mwh && d.charge_mwh && d.discharge_mwh) << d.text;
    const double expected_change =
        *d.charge_mwh * battery.charge_efficiency - *d.discharge_mwh / battery.discharge_efficiency;
    EXPECT_NEAR(*d.soc_after_mwh - *d.soc_before_mwh, expected_change, 1e-6) << d.text;
    if (i > 0) {
      EXPECT_NEAR(*d.soc_before_mwh, *decisions[i - 1].soc_after_mwh, 1e-9)
          << decisions[i - 1].text << "\n"
          << d.text;
    }
  }
}

// 4. The interlocks hold: battery state of charge, power and reserve; peaker output.
TEST_F(BacktestWeekTest, InterlocksAreNeverViolated) {
  const assets::BatteryParams battery;
  const assets::PeakerParams peaker;
  const double hours = 0.5;
  const double reserve_floor_mwh = battery.soc_min_mwh + battery.reserve_mwh;
  int trading_or_idle = 0, resilience = 0;
  for (const Decision& d : DecisionsOf(A().store_path(), battery.id)) {
    ASSERT_TRUE(d.soc_before_mwh && d.soc_after_mwh && d.charge_mwh && d.discharge_mwh) << d.text;
    for (double soc : {*d.soc_before_mwh, *d.soc_after_mwh}) {
      EXPECT_GE(soc, battery.soc_min_mwh - 1e-6) << d.text;
      EXPECT_LE(soc, battery.soc_max_mwh + 1e-6) << d.text;
    }
    EXPECT_LE(d.applied_mw, battery.max_discharge_mw + 1e-9) << d.text;
    EXPECT_GE(d.applied_mw, -battery.max_charge_mw - 1e-9) << d.text;
    EXPECT_NEAR(*d.discharge_mwh, std::max(0.0, d.applied_mw) * hours, 1e-6) << d.text;
    EXPECT_NEAR(*d.charge_mwh, std::max(0.0, -d.applied_mw) * hours, 1e-6) << d.text;
    if (d.priority == static_cast<int>(region::DispatchPriority::kResilience)) {
      ++resilience;
      continue;
    }
    ++trading_or_idle;
    if (*d.soc_before_mwh >= reserve_floor_mwh - 1e-9) {
      EXPECT_GE(*d.soc_after_mwh, reserve_floor_mwh - 1e-6)
          << "trading or idle took the battery into the reserve: " << d.text;
    } else {
      EXPECT_EQ(*d.discharge_mwh, 0.0)
          << "trading or idle discharged a battery already in the reserve: " << d.text;
    }
  }
  EXPECT_EQ(trading_or_idle + resilience, kWeekTicks);

  for (const Decision& d : DecisionsOf(A().store_path(), peaker.id)) {
    if (d.applied_mw == 0.0) continue;
    EXPECT_GE(d.applied_mw, peaker.min_stable_load_mw - 1e-9) << d.text;
    EXPECT_LE(d.applied_mw, peaker.capacity_mw + 1e-9) << d.text;
    EXPECT_EQ(d.peaker_status, "on") << "output from a peaker that is not on: " << d.text;
  }
}

// 5. Two runs of the same week give the same report (apart from wall time and pids) and
//    the same decisions and ledger, row by row.
TEST_F(BacktestWeekTest, TwoRunsAreIdentical) {
  ASSERT_TRUE(Ran(B()));
  Json a = A().report, b = B().report;
  for (Json* r : {&a, &b}) {
    r->erase("wall_seconds");
    r->erase("processes");
  }
  EXPECT_EQ(a, b) << "run A:\n" << a.dump(2) << "\nrun B:\n" << b.dump(2);

  const std::vector<std::pair<std::string, std::string>> tables = {
      {"decisions", DecisionsSql("")},
      {"ledger", "SELECT * FROM ledger ORDER BY rowid"},
      {"telemetry", "SELECT * FROM telemetry ORDER BY interval_start"},
      {"proposals", kProposalsSql},
  };
  for (const auto& [table, sql] : tables) {
    const std::vector<Row> rows_a = Query(A().store_path(), sql);
    EXPECT_FALSE(rows_a.empty()) << table;
    EXPECT_EQ(DiffRows(rows_a, Query(B().store_path(), sql)), "") << table;
  }
}

// 6. No look-ahead: changing the demand and price from kChangeFrom on leaves every
//    decision and proposal before it unchanged, and changes some decision after it.
TEST_F(BacktestWeekTest, DecisionsBeforeADataChangeDoNotDependOnIt) {
  ASSERT_TRUE(Ran(Changed()));
  const std::string decisions_before =
      DecisionsSql(absl::StrCat("WHERE d.interval_start < '", kChangeFrom, "'"));
  const std::vector<Row> original = Query(A().store_path(), decisions_before);
  EXPECT_EQ(original.size(), static_cast<size_t>(2 * kTicksBeforeChange));
  EXPECT_EQ(DiffRows(original, Query(Changed().store_path(), decisions_before)), "")
      << "decisions before " << kChangeFrom << " depend on data after it";

  const std::string proposals_before = absl::StrCat(
      "SELECT agent, asset_id, priority, power_mw, lease_start, lease_end, status, "
      "submitted_at, idempotency_key, reason FROM proposals WHERE lease_start < '",
      kChangeFrom,
      "' ORDER BY lease_start, agent, asset_id, submitted_at, idempotency_key, status, rowid");
  const std::vector<Row> original_proposals = Query(A().store_path(), proposals_before);
  EXPECT_FALSE(original_proposals.empty());
  EXPECT_EQ(DiffRows(original_proposals, Query(Changed().store_path(), proposals_before)), "")
      << "proposals for leases before " << kChangeFrom << " depend on data after it";

  const std::string decisions_after =
      DecisionsSql(absl::StrCat("WHERE d.interval_start >= '", kChangeFrom, "'"));
  const std::vector<Row> after_original = Query(A().store_path(), decisions_after);
  const std::vector<Row> after_changed = Query(Changed().store_path(), decisions_after);
  EXPECT_EQ(after_original.size(), static_cast<size_t>(2 * (kWeekTicks - kTicksBeforeChange)));
  EXPECT_GT(CountDifferentRows(after_original, after_changed), 0)
      << "the changed data made no difference: was it read at all?";
}

// ---------------------------------------------------------------------------------------
// 7. Bad input through the launcher: it fails, and says which file (and where).

struct FailedLaunch {
  CommandResult command;
  std::string gateway_log;
};

FailedLaunch BacktestWithDemand(const std::string& work_dir, const std::string& demand_csv) {
  BacktestRun run = RunBacktest(work_dir, "run", work_dir + "/models", demand_csv);
  return {run.command, ReadFile(run.run_dir + "/gateway.log")};
}

// 8. In the shipped arbitrage-only region (deploy/arbitrage-only.json: a ramp limit nothing
//    reaches) the battery only trades: the response agent never takes it, nothing is
//    penalised, and the trader, told the region's limit over gRPC, steps further than its
//    share of the default 15 MW limit allows.
TEST_F(BacktestWeekTest, ArbitrageOnlyRegionLeavesTheBatteryToTheTrader) {
  ASSERT_TRUE(Ran(ArbitrageOnly()));
  const Json& report = ArbitrageOnly().report;
  EXPECT_EQ(report["region"].value("name", ""), "arbitrage-only");
  EXPECT_EQ(report["ledger_gbp"].value("instability_penalty", kNaN), 0.0);
  EXPECT_EQ(report.value("resilience_dispatch_cost_gbp", kNaN), 0.0);
  const assets::BatteryParams battery;
  const std::vector<Decision> decisions = DecisionsOf(ArbitrageOnly().store_path(), battery.id);
  ASSERT_EQ(decisions.size(), static_cast<size_t>(kWeekTicks));
  double largest_step_mw = 0.0;
  for (size_t i = 0; i < decisions.size(); ++i) {
    EXPECT_NE(decisions[i].priority, static_cast<int>(region::DispatchPriority::kResilience))
        << decisions[i].text;
    if (i > 0) {
      largest_step_mw = std::max(largest_step_mw,
                                 std::abs(decisions[i].applied_mw - decisions[i - 1].applied_mw));
    }
  }
  // In the default region the trader steps at most 10.5 MW past the change of load it
  // expects (the battery's largest step of this week there: 20.9 MW; of 2023: 27.3 MW);
  // here it swings from charging to discharging between intervals (49.4 MW this week).
  EXPECT_GT(largest_step_mw, 40.0);
  EXPECT_GT(report.value("trader_pnl_gbp", kNaN), A().report.value("trader_pnl_gbp", kNaN));
}

TEST(BacktestBadInputTest, MissingDemandFileIsNamed) {
  ASSERT_FALSE(RequiredEnv("GRIDPILOT_BIN_DIR").empty());
  const std::string work_dir = MakeTempDir("gridpilot_missing");
  ASSERT_FALSE(work_dir.empty());
  const std::string missing = work_dir + "/no_such_demand.csv";
  const FailedLaunch launch = BacktestWithDemand(work_dir, missing);
  EXPECT_FALSE(launch.command.timed_out);
  EXPECT_NE(launch.command.exit_code, 0);
  // The launcher repeats the failed process's last log lines (stack.h), so the user sees
  // the cause on the terminal; the gateway's log has it too.
  EXPECT_NE(launch.command.stderr_text.find(missing), std::string::npos)
      << "stderr:\n"
      << launch.command.stderr_text << "\ngateway.log:\n"
      << launch.gateway_log;
  EXPECT_NE(launch.gateway_log.find(missing), std::string::npos) << launch.gateway_log;
  std::filesystem::remove_all(work_dir);
}

TEST(BacktestBadInputTest, RiskAversionOutsideZeroToOneIsRefusedBeforeAnythingStarts) {
  ASSERT_FALSE(RequiredEnv("GRIDPILOT_BIN_DIR").empty());
  const std::string work_dir = MakeTempDir("gridpilot_risk");
  ASSERT_FALSE(work_dir.empty());
  for (const char* bad : {"1.5", "-0.1", "high"}) {
    SCOPED_TRACE(bad);
    const CommandResult run =
        RunCommand({RequiredEnv("GRIDPILOT_BIN_DIR") + "/gridpilot", "backtest", "--from", kFrom,
                    "--to", kTo, "--run_dir", work_dir + "/run", "--trader_risk_aversion", bad},
                   work_dir + "/risk");
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_NE(run.stderr_text.find("--trader_risk_aversion"), std::string::npos) << run.stderr_text;
    EXPECT_FALSE(std::filesystem::exists(work_dir + "/run/store.sqlite"));
  }
  std::filesystem::remove_all(work_dir);
}

TEST(BacktestBadInputTest, CorruptDemandValueIsLocated) {
  const std::string source_dir = RequiredEnv("GRIDPILOT_SOURCE_DIR");
  ASSERT_FALSE(source_dir.empty());
  const std::string work_dir = MakeTempDir("gridpilot_corrupt");
  ASSERT_FALSE(work_dir.empty());
  const std::string corrupt = work_dir + "/corrupt_demand.csv";
  // Within the replayed week, so the value matters to the run.
  const std::string bad_row = "2023-03-02T10:00:00Z";
  int bad_line = 0;
  ASSERT_TRUE(CopyCsv(
      source_dir + "/data/" + kDemandFile, corrupt,
      [&](int line, const std::vector<std::string>& header, std::vector<std::string>* fields) {
        const int nd = ColumnOf(header, "ND");
        if ((*fields)[0] != bad_row || nd < 0) return false;
        (*fields)[nd] = "abc";
        bad_line = line;
        return true;
      }));
  ASSERT_GT(bad_line, 1);

  const FailedLaunch launch = BacktestWithDemand(work_dir, corrupt);
  EXPECT_FALSE(launch.command.timed_out);
  EXPECT_NE(launch.command.exit_code, 0);
  // "<file>:<line>: column ND: ..."
  const std::string location = absl::StrCat(corrupt, ":", bad_line, ": column ND");
  EXPECT_NE(launch.command.stderr_text.find(location), std::string::npos)
      << "expected \"" << location << "\" in stderr:\n"
      << launch.command.stderr_text << "\ngateway.log:\n"
      << launch.gateway_log;
  EXPECT_NE(launch.gateway_log.find(location), std::string::npos) << launch.gateway_log;
  std::filesystem::remove_all(work_dir);
}

}  // namespace
}  // namespace gridpilot
