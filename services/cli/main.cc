// gridpilot: the launcher and CLI.
//   gridpilot backtest --from 2023-01-01 --to 2023-12-31 [--config FILE] [--json FILE]
//       starts the four processes on loopback, runs the replay lock-step, stops them,
//       prints a summary and writes the JSON report.
//   gridpilot up [--from DATE] [--to DATE] [--step_seconds S] [--tick_seconds S] [--config FILE]
//       runs the stack live until Ctrl-C: by default the 5-second simulator at real time.
// Every command's options: see cli_usage.cc (`gridpilot COMMAND --help`).
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "core/base/time_util.h"
#include "core/market/price_risk.h"
#include "services/cli/advise_command.h"
#include "services/cli/backtest_html.h"
#include "services/cli/backtest_report.h"
#include "services/cli/cli_usage.h"
#include "services/cli/data_ingest_report.h"
#include "services/cli/detect_command.h"
#include "services/cli/forecast_eval_command.h"
#include "services/cli/launcher_metrics.h"
#include "services/cli/operator_commands.h"
#include "services/cli/optimize_command.h"
#include "services/cli/publish_command.h"
#include "services/cli/run_record.h"
#include "services/cli/stack.h"
#include "services/cli/stack_credentials.h"
#include "services/cli/supervised_backtest.h"
#include "services/cli/supervised_live.h"
#include "services/cli/supervisor.h"
#include "services/cli/supervisor_status_file.h"
#include "services/cli/train_command.h"
#include "services/common/proto_time.h"
#include "services/common/shutdown_signal.h"
#include "services/console/pdf_printer.h"
#include "services/gateway/postgres_url.h"
#include "services/security/credentials_init.h"
#include "services/security/transport_credentials.h"

namespace gridpilot {
namespace {

int Usage(const std::string& error) {
  std::fprintf(stderr, "gridpilot: %s\n%s", error.c_str(), CliUsage().c_str());
  return 2;
}

std::string BinDir() { return std::filesystem::canonical("/proc/self/exe").parent_path().string(); }

// Parses "--key value" and "--key=value" pairs, and switches ("--key" alone, stored as
// "true"); unknown keys are errors.
absl::StatusOr<std::map<std::string, std::string>> ParseOptions(
    int argc, char** argv, const std::vector<std::string>& allowed,
    const std::vector<std::string>& switches = {}) {
  std::map<std::string, std::string> out;
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) return absl::InvalidArgumentError("unexpected argument " + arg);
    std::string key = arg.substr(2), value;
    const size_t eq = key.find('=');
    if (std::find(switches.begin(), switches.end(), key) != switches.end()) {
      out[key] = "true";
      continue;
    }
    if (eq != std::string::npos) {
      value = key.substr(eq + 1);
      key = key.substr(0, eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return absl::InvalidArgumentError("--" + key + " needs a value");
    }
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return absl::InvalidArgumentError("unknown option --" + key);
    }
    out[key] = value;
  }
  return out;
}

StackOptions OptionsFrom(const std::map<std::string, std::string>& o) {
  StackOptions options;
  options.bin_dir = BinDir();
  auto get = [&o](const std::string& key, const std::string& fallback) {
    auto it = o.find(key);
    return it == o.end() ? fallback : it->second;
  };
  options.run_dir = get("run_dir", absl::StrCat("/tmp/gridpilot-", getpid()));
  options.run_dir = std::filesystem::absolute(options.run_dir).string();
  auto absolute = [](const std::string& path) {
    return path.empty() ? path : std::filesystem::absolute(path).string();
  };
  options.config = absolute(get("config", ""));
  options.demand_csv = absolute(get("demand_csv", ""));
  options.price_csv = absolute(get("price_csv", ""));
  options.day_ahead_csv = get("day_ahead_csv", "");
  if (options.day_ahead_csv != "none") options.day_ahead_csv = absolute(options.day_ahead_csv);
  options.model_dir = absolute(get("model_dir", ""));
  options.registry = absolute(get("registry", ""));
  options.trader_risk_aversion = get("trader_risk_aversion", "");
  options.from = get("from", options.from);
  options.to = get("to", options.to);
  options.store = get("store", "");
  if (!IsPostgresUrl(options.store)) options.store = absolute(options.store);
  return options;
}

// --store: a PostgreSQL URL's password leaves the URL for PGPASSWORD in the launcher's
// environment, which libpq in the gateway reads (the gateway inherits it), so that it is
// on no command line and not in run.json. A resumed backtest takes it from PGPASSWORD or
// ~/.pgpass.
void MoveStorePasswordToEnvironment(std::map<std::string, std::string>* o) {
  auto it = o->find("store");
  if (it == o->end()) return;
  PostgresUrlParts parts = SplitPostgresPassword(it->second);
  if (parts.password.empty()) return;
  setenv("PGPASSWORD", parts.password.c_str(), /*overwrite=*/1);
  it->second = parts.url;
}

std::vector<ProcessInfo> Processes(Stack& stack) {
  std::vector<ProcessInfo> out;
  for (ChildProcess& p : stack.processes()) out.push_back({p.name(), static_cast<int>(p.pid())});
  return out;
}

// Reads --step_seconds into options.step_seconds (left as is when absent). False if bad.
bool ReadStepSeconds(const std::map<std::string, std::string>& o, StackOptions* options) {
  auto it = o.find("step_seconds");
  if (it == o.end()) return true;
  double seconds = 0.0;
  if (!absl::SimpleAtod(it->second, &seconds) || !(seconds > 0) || seconds > 1800 ||
      std::fmod(1800.0, seconds) != 0.0) {
    return false;
  }
  options->step_seconds = seconds;
  return true;
}

// The trader's risk settings as given (InvalidArgument naming the option if not a number
// in [0, 1]), so a bad value stops the command before any process starts.
absl::Status CheckRiskAversion(const StackOptions& options) {
  if (options.trader_risk_aversion.empty()) return absl::OkStatus();
  double risk_aversion = 0.0;
  if (!absl::SimpleAtod(options.trader_risk_aversion, &risk_aversion)) {
    return absl::InvalidArgumentError("--trader_risk_aversion must be a number in [0, 1]");
  }
  absl::Status valid = market::ValidateRiskAversion(risk_aversion);
  if (!valid.ok()) return absl::InvalidArgumentError(absl::StrCat("--trader_", valid.message()));
  return absl::OkStatus();
}

// The options a backtest's run record keeps, with paths made absolute so that
// `--resume` works from any directory.
std::map<std::string, std::string> RunRecordOptions(std::map<std::string, std::string> o,
                                                    const StackOptions& options) {
  o["run_dir"] = options.run_dir;
  if (!options.store.empty()) o["store"] = options.store;
  for (const char* key :
       {"config", "demand_csv", "price_csv", "model_dir", "registry", "json", "html", "pdf"}) {
    if (o.contains(key) && !o[key].empty()) o[key] = std::filesystem::absolute(o[key]).string();
  }
  if (o.contains("day_ahead_csv") && o["day_ahead_csv"] != "none") {
    o["day_ahead_csv"] = std::filesystem::absolute(o["day_ahead_csv"]).string();
  }
  return o;
}

// --resume RUN_DIR: the recorded options, with --json/--html/--pdf given now taking
// precedence.
absl::StatusOr<std::map<std::string, std::string>> ResumedOptions(
    const std::map<std::string, std::string>& given) {
  for (const auto& [key, value] : given) {
    if (key != "resume" && key != "json" && key != "html" && key != "pdf") {
      return absl::InvalidArgumentError(
          absl::StrCat("--resume takes the run's options from its run.json: --", key,
                       " cannot be given with it (only --json, --html and --pdf)"));
    }
  }
  const std::string run_dir = std::filesystem::absolute(given.at("resume")).string();
  absl::StatusOr<std::map<std::string, std::string>> recorded = ReadRunRecord(run_dir);
  if (!recorded.ok()) return recorded.status();
  for (const char* key : {"json", "html", "pdf"}) {
    if (given.contains(key)) (*recorded)[key] = given.at(key);
  }
  (*recorded)["run_dir"] = run_dir;
  return recorded;
}

int Backtest(int argc, char** argv) {
  absl::StatusOr<std::map<std::string, std::string>> o =
      ParseOptions(argc, argv,
                   {"from", "to", "config", "json", "html", "pdf", "run_dir", "model_dir",
                    "registry", "demand_csv", "price_csv", "day_ahead_csv", "step_seconds",
                    "trader_risk_aversion", "resume", "credentials", "store"});
  if (!o.ok()) return Usage(std::string(o.status().message()));
  MoveStorePasswordToEnvironment(&*o);
  const bool resume = o->contains("resume");
  if (resume) {
    o = ResumedOptions(*o);
    if (!o.ok()) {
      std::fprintf(stderr, "gridpilot: backtest --resume: %s\n",
                   std::string(o.status().message()).c_str());
      return 2;
    }
  }
  if (!o->contains("from") || !o->contains("to")) return Usage("backtest needs --from and --to");
  StackOptions options = OptionsFrom(*o);
  options.mode = "lock_step";
  options.resume = resume;
  if (!ReadStepSeconds(*o, &options)) {
    return Usage("--step_seconds must be a number in (0, 1800] that divides 1800");
  }
  if (absl::Status risk = CheckRiskAversion(options); !risk.ok()) {
    return Usage(std::string(risk.message()));
  }
  // A PDF needs Chromium: missing, the run would be wasted.
  if (o->contains("pdf")) {
    if (absl::StatusOr<std::string> chromium = FindChromium(PdfPrintOptions{}); !chromium.ok()) {
      std::fprintf(stderr, "gridpilot: --pdf: %s\n",
                   std::string(chromium.status().message()).c_str());
      return 2;
    }
  }
  // The region's files are read here first, so bad input stops the run before any process
  // starts, and the report can say what the files held.
  absl::StatusOr<std::optional<nlohmann::json>> data_report =
      DataIngestReport(options.config, options.demand_csv, options.price_csv);
  if (!data_report.ok()) {
    std::fprintf(stderr, "gridpilot: %s\n", std::string(data_report.status().message()).c_str());
    return 2;
  }
  std::error_code dir_error;
  std::filesystem::create_directories(options.run_dir, dir_error);
  const absl::Status recorded =
      resume ? absl::OkStatus() : WriteRunRecord(options.run_dir, RunRecordOptions(*o, options));
  if (dir_error || !recorded.ok()) {
    std::fprintf(stderr, "gridpilot: run dir %s: %s\n", options.run_dir.c_str(),
                 dir_error ? dir_error.message().c_str() : std::string(recorded.message()).c_str());
    return 1;
  }
  if (absl::Status secured =
          PrepareStackCredentials(o->contains("credentials") ? o->at("credentials") : "", &options);
      !secured.ok()) {
    std::fprintf(stderr, "gridpilot: credentials: %s\n", std::string(secured.message()).c_str());
    return 1;
  }
  absl::StatusOr<std::unique_ptr<LauncherMetrics>> metrics =
      LauncherMetrics::Start(options.run_dir);
  if (!metrics.ok()) {
    std::fprintf(stderr, "gridpilot: launcher metrics: %s\n",
                 std::string(metrics.status().message()).c_str());
    return 1;
  }
  absl::StatusOr<SupervisedBacktest> run =
      RunSupervisedBacktest(options, RestartPolicy{}, metrics->get());
  if (!run.ok()) {
    std::fprintf(stderr, "gridpilot: backtest failed: %s\n(logs in %s)\n",
                 std::string(run.status().message()).c_str(), options.run_dir.c_str());
    return 1;
  }
  Stack& stack = *run->stack;
  absl::StatusOr<StackFigures> figures = stack.Collect();
  // The HTML report's charts are read from the processes before they stop.
  BacktestHtmlReport html;
  absl::Status html_status = absl::OkStatus();
  if (figures.ok() && (o->contains("html") || o->contains("pdf"))) {
    html_status = html.Collect(options.run_dir);
  }
  const std::vector<ProcessInfo> processes = Processes(stack);
  const bool clean = stack.StopAll();
  if (!figures.ok()) {
    std::fprintf(stderr, "gridpilot: backtest failed: %s\n(logs in %s)\n",
                 std::string(figures.status().message()).c_str(), options.run_dir.c_str());
    return 1;
  }
  nlohmann::json report =
      BacktestReportJson(options.from, options.to, run->clock_seconds, *figures, processes);
  nlohmann::json restarts = nlohmann::json::array();
  for (const BacktestRestart& r : run->restarts) {
    restarts.push_back({{"process", r.process},
                        {"tick", r.tick},
                        {"exit", r.exit},
                        {"recovery_seconds", r.recovery_seconds}});
  }
  report["restarts"] = restarts;
  report["processes_given_up"] = run->given_up;
  report["resumed"] = resume;
  if (data_report->has_value()) report["data"] = **data_report;
  std::printf("%s", BacktestSummary(report).c_str());
  if (data_report->has_value()) std::printf("%s", DataIngestSummary(**data_report).c_str());
  std::printf("  start-up (incl. model load/training) %.1f s; processes stopped %s; run dir %s\n",
              run->startup_seconds, clean ? "cleanly" : "by SIGKILL", options.run_dir.c_str());
  if (o->contains("json")) {
    std::ofstream out(o->at("json"));
    out << report.dump(2) << "\n";
    if (!out) {
      std::fprintf(stderr, "gridpilot: cannot write %s\n", o->at("json").c_str());
      return 1;
    }
    std::printf("  report written to %s\n", o->at("json").c_str());
  }
  if (o->contains("html")) {
    if (html_status.ok()) html_status = html.Write(report, o->at("html"));
    if (!html_status.ok()) {
      std::fprintf(stderr, "gridpilot: --html %s: %s\n", o->at("html").c_str(),
                   std::string(html_status.message()).c_str());
      return 1;
    }
    std::printf("  HTML report written to %s\n", o->at("html").c_str());
  }
  if (o->contains("pdf")) {
    if (html_status.ok()) html_status = html.WritePdf(report, o->at("pdf"));
    if (!html_status.ok()) {
      std::fprintf(stderr, "gridpilot: --pdf %s: %s\n", o->at("pdf").c_str(),
                   std::string(html_status.message()).c_str());
      return 1;
    }
    std::printf("  PDF report written to %s\n", o->at("pdf").c_str());
  }
  return 0;
}

int Up(int argc, char** argv) {
  absl::StatusOr<std::map<std::string, std::string>> o = ParseOptions(
      argc, argv,
      {"from", "to", "config", "step_seconds", "tick_seconds", "run_dir", "model_dir", "registry",
       "demand_csv", "price_csv", "day_ahead_csv", "trader_risk_aversion", "credentials", "store",
       "telemetry", "telemetry_sources", "telemetry_late_seconds", "telemetry_silence_seconds",
       "telemetry_max_ahead_seconds"});
  if (!o.ok()) return Usage(std::string(o.status().message()));
  MoveStorePasswordToEnvironment(&*o);
  StackOptions options = OptionsFrom(*o);
  options.mode = "live";
  // Live telemetry in: passed to the gateway as they are (it validates them).
  for (const char* key : {"telemetry", "telemetry_sources", "telemetry_late_seconds",
                          "telemetry_silence_seconds", "telemetry_max_ahead_seconds"}) {
    if (o->contains(key)) {
      options.gateway_telemetry_args.push_back(absl::StrCat("--", key, "=", o->at(key)));
    }
  }
  // Default: the live simulator, one 5-second step per 5 seconds of wall time.
  options.step_seconds = 5.0;
  if (!ReadStepSeconds(*o, &options)) {
    return Usage("--step_seconds must be a number in (0, 1800] that divides 1800");
  }
  if (absl::Status risk = CheckRiskAversion(options); !risk.ok()) {
    return Usage(std::string(risk.message()));
  }
  options.tick_seconds = options.step_seconds;
  if (o->contains("tick_seconds") &&
      (!absl::SimpleAtod(o->at("tick_seconds"), &options.tick_seconds) ||
       !(options.tick_seconds > 0))) {
    return Usage("--tick_seconds must be a positive number");
  }
  std::error_code dir_error;
  std::filesystem::create_directories(options.run_dir, dir_error);
  if (dir_error) {
    std::fprintf(stderr, "gridpilot: run dir %s: %s\n", options.run_dir.c_str(),
                 dir_error.message().c_str());
    return 1;
  }
  if (absl::Status secured =
          PrepareStackCredentials(o->contains("credentials") ? o->at("credentials") : "", &options);
      !secured.ok()) {
    std::fprintf(stderr, "gridpilot: credentials: %s\n", std::string(secured.message()).c_str());
    return 1;
  }
  absl::StatusOr<std::unique_ptr<Stack>> stack = Stack::Launch(options);
  if (!stack.ok()) {
    std::fprintf(stderr, "gridpilot: cannot start the stack: %s\n",
                 std::string(stack.status().message()).c_str());
    return 1;
  }
  absl::StatusOr<std::unique_ptr<LauncherMetrics>> metrics =
      LauncherMetrics::Start(options.run_dir);
  if (!metrics.ok()) {
    std::fprintf(stderr, "gridpilot: launcher metrics: %s\n",
                 std::string(metrics.status().message()).c_str());
    return 1;
  }
  std::printf(
      "gridpilot is up: gateway at %s (gRPC, reflection on), %.0f simulated seconds "
      "every %.1f s of wall time.\nlogs and store in %s. Ctrl-C stops it.\n",
      (*stack)->gateway_address().c_str(), options.step_seconds, options.tick_seconds,
      options.run_dir.c_str());
  std::printf(
      "web console: gridpilot-console --run_dir %s, then log in with the token in "
      "%s/operator.token (viewer.token to watch only).\n",
      options.run_dir.c_str(), options.credentials_dir.c_str());
  std::fflush(stdout);
  absl::Status started = (*stack)->StartClock();
  if (!started.ok()) {
    std::fprintf(stderr, "gridpilot: %s\n", std::string(started.message()).c_str());
    return 1;
  }
  Supervisor supervisor(RestartPolicy{});
  for (ChildProcess& p : (*stack)->processes()) supervisor.Started(p.name(), p.pid());
  const LiveRunEnd end =
      SuperviseLive(**stack, supervisor, metrics->get(), options.run_dir, absl::Seconds(5));
  // Every child must be running when asked to stop: one that died and was not brought back
  // makes the run unsound even if the clock went on.
  std::vector<std::string> unsound;
  for (ChildProcess& p : (*stack)->processes()) {
    if (!p.Running()) unsound.push_back(absl::StrCat(p.name(), " (", p.exit_description(), ")"));
  }
  std::printf("stopping...\n");
  const bool clean = (*stack)->StopAll();
  if (end == LiveRunEnd::kFailed) {
    std::fprintf(stderr, "gridpilot: the run failed: the gateway kept dying (see %s)\n",
                 SupervisorStatusPath(options.run_dir).c_str());
    return 1;
  }
  if (!unsound.empty() || supervisor.AnyGivenUp()) {
    std::fprintf(stderr,
                 "gridpilot: the run did not complete soundly: not running at the end: %s\n",
                 unsound.empty() ? "none (a process was given up on earlier)"
                                 : absl::StrJoin(unsound, ", ").c_str());
    return 1;
  }
  if (!clean) {
    std::fprintf(stderr, "gridpilot: stopped, but some processes needed SIGKILL\n");
    return 1;
  }
  std::printf("stopped cleanly (%s)\n",
              end == LiveRunEnd::kFinished ? "end of the replay window" : "as asked");
  return 0;
}

}  // namespace
}  // namespace gridpilot

int main(int argc, char** argv) {
  gridpilot::BlockShutdownSignals();
  if (argc < 2) return gridpilot::Usage("missing command");
  const std::string command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    std::printf("%s", gridpilot::CliUsage().c_str());
    return 0;
  }
  if (command == "mcp" && !gridpilot::WantsHelp(argc, argv)) {
    // The MCP server of a running stack, e.g. `gridpilot mcp --stdio --run_dir DIR` as a
    // desktop MCP client launches it: this process becomes gridpilot-mcp.
    const std::string binary = gridpilot::BinDir() + "/gridpilot-mcp";
    std::vector<char*> args = {const_cast<char*>(binary.c_str())};
    for (int i = 2; i < argc; ++i) args.push_back(argv[i]);
    args.push_back(nullptr);
    execv(binary.c_str(), args.data());
    std::fprintf(stderr, "gridpilot mcp: cannot run %s: %s\n", binary.c_str(),
                 std::strerror(errno));
    return 1;
  }
  if (gridpilot::WantsHelp(argc, argv)) {
    const std::string usage = gridpilot::CommandUsage(command);
    if (usage.empty()) return gridpilot::Usage("unknown command " + command);
    std::printf("%s", usage.c_str());
    return 0;
  }
  if (command == "backtest") return gridpilot::Backtest(argc, argv);
  if (command == "up") return gridpilot::Up(argc, argv);
  if (command == "credentials") {
    if (argc != 4 || std::string(argv[2]) != "init") {
      return gridpilot::Usage("usage: gridpilot credentials init DIR");
    }
    const absl::Status made = gridpilot::security::InitCredentials(argv[3]);
    if (!made.ok()) {
      std::fprintf(stderr, "gridpilot credentials init: %s\n", std::string(made.message()).c_str());
      return 1;
    }
    std::printf("credentials written to %s (CA ca.pem; tokens <role>.token, 0600)\n", argv[3]);
    return 0;
  }
  // Commands that run in this process: their allowed options and entry point.
  struct LocalCommand {
    const char* name;
    std::vector<std::string> options;
    int (*run)(const std::map<std::string, std::string>&);
  };
  const LocalCommand local_commands[] = {
      {"optimize",
       {"prices", "from", "to", "config", "out", "json", "soc_terminal_mwh"},
       gridpilot::RunOptimizeCommand},
      {"forecast-eval",
       {"target", "from", "to", "out", "model_dir", "demand_csv", "price_csv", "day_ahead_csv",
        "walk_forward", "correction", "rolling_months", "months_out", "config", "training_days"},
       gridpilot::RunForecastEvalCommand},
      {"train",
       {"target", "from", "to", "registry", "every_days", "training_days", "demand_csv",
        "price_csv", "day_ahead_csv", "config"},
       gridpilot::RunTrainCommand},
      {"detect",
       {"input", "column", "time-column", "train", "contamination", "residual-threshold",
        "flat-rows", "seed", "features", "out"},
       gridpilot::RunDetectCommand},
      {"advise",
       {"input", "column", "time-column", "unit", "prices", "price_column", "tariff",
        "flexible_share", "peak_limit", "peak_percentile", "date", "battery_capacity",
        "battery_power", "battery_efficiency", "battery_wear_gbp_per_mwh", "from", "to", "out"},
       gridpilot::RunAdviseCommand},
      {"publish",
       {"to", "from", "until", "speed", "sample_seconds", "source", "first_seq", "inject_step",
        "demand_csv", "price_csv", "credentials", "run_dir", "role"},
       gridpilot::RunPublishCommand},
  };
  for (const gridpilot::OperatorCommand& op : gridpilot::OperatorCommands()) {
    if (command != op.name) continue;
    std::vector<std::string> options = gridpilot::OperatorAddressOptions();
    options.insert(options.end(), op.options.begin(), op.options.end());
    const std::vector<std::string> switches = command == "dispatch"
                                                  ? std::vector<std::string>{"json", "yes"}
                                                  : std::vector<std::string>{"json"};
    // `gridpilot approve ID`: the approval id is the one positional argument, read as --id.
    std::vector<char*> args(argv, argv + argc);
    std::string id_flag = "--id";
    if ((command == "approve" || command == "reject") && argc > 2 &&
        std::string(argv[2]).rfind("--", 0) != 0) {
      args.insert(args.begin() + 2, id_flag.data());
    }
    absl::StatusOr<std::map<std::string, std::string>> o =
        gridpilot::ParseOptions(static_cast<int>(args.size()), args.data(), options, switches);
    if (!o.ok()) return gridpilot::Usage(std::string(o.status().message()));
    // A stack with credentials is called over TLS with a person's token: --role's, else the
    // least role the command needs.
    const std::string credentials = gridpilot::security::ResolveCredentialsDir(
        o->contains("credentials") ? o->at("credentials") : "",
        o->contains("run_dir") ? o->at("run_dir") : "");
    if (!credentials.empty()) {
      const std::string role =
          o->contains("role")                                                    ? o->at("role")
          : command == "dispatch" || command == "approve" || command == "reject" ? "operator"
          : command == "reload-model"                                            ? "admin"
                                                                                 : "viewer";
      const absl::Status secured = gridpilot::security::InstallClientToken(credentials, role);
      if (!secured.ok()) {
        std::fprintf(stderr, "gridpilot %s: credentials: %s\n", command.c_str(),
                     std::string(secured.message()).c_str());
        return 2;
      }
    }
    const int code = op.run(*o);
    if (code == 2) std::fprintf(stderr, "%s", gridpilot::CommandUsage(command).c_str());
    return code;
  }
  for (const LocalCommand& local : local_commands) {
    if (command != local.name) continue;
    absl::StatusOr<std::map<std::string, std::string>> o = gridpilot::ParseOptions(
        argc, argv, local.options,
        command == "advise" ? std::vector<std::string>{"score"} : std::vector<std::string>{});
    if (!o.ok()) return gridpilot::Usage(std::string(o.status().message()));
    const int code = local.run(*o);
    if (code == 2) std::fprintf(stderr, "%s", gridpilot::CommandUsage(command).c_str());
    return code;
  }
  return gridpilot::Usage("unknown command " + command);
}
