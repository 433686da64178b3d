// gridpilot: the launcher and CLI.
//   gridpilot backtest --from 2023-01-01 --to 2023-12-31 [--config FILE] [--json FILE]
//       starts the four processes on loopback, runs the replay lock-step, stops them,
//       prints a summary and writes the JSON report.
//   gridpilot up [--from DATE] [--to DATE] [--step_seconds S] [--tick_seconds S] [--config FILE]
//       runs the stack live until Ctrl-C: by default the 5-second simulator at real time.
// Every command's options: see cli_usage.cc (`gridpilot COMMAND --help`).
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/base/time_util.h"
#include "core/market/price_risk.h"
#include "services/cli/backtest_html.h"
#include "services/cli/backtest_report.h"
#include "services/cli/cli_usage.h"
#include "services/cli/detect_command.h"
#include "services/cli/forecast_eval_command.h"
#include "services/cli/operator_commands.h"
#include "services/cli/optimize_command.h"
#include "services/cli/stack.h"
#include "services/cli/train_command.h"
#include "services/common/proto_time.h"
#include "services/common/shutdown_signal.h"

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
  return options;
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

int Backtest(int argc, char** argv) {
  absl::StatusOr<std::map<std::string, std::string>> o = ParseOptions(
      argc, argv,
      {"from", "to", "config", "json", "html", "run_dir", "model_dir", "registry", "demand_csv",
       "price_csv", "day_ahead_csv", "step_seconds", "trader_risk_aversion"});
  if (!o.ok()) return Usage(std::string(o.status().message()));
  if (!o->contains("from") || !o->contains("to")) return Usage("backtest needs --from and --to");
  StackOptions options = OptionsFrom(*o);
  options.mode = "lock_step";
  if (!ReadStepSeconds(*o, &options)) {
    return Usage("--step_seconds must be a number in (0, 1800] that divides 1800");
  }
  if (absl::Status risk = CheckRiskAversion(options); !risk.ok()) {
    return Usage(std::string(risk.message()));
  }
  // Wall time measures the run for the report; it is not an input to any decision.
  const absl::Time began = absl::Now();
  absl::StatusOr<std::unique_ptr<Stack>> stack = Stack::Launch(options);
  if (!stack.ok()) {
    std::fprintf(stderr, "gridpilot: cannot start the stack: %s\n(logs in %s)\n",
                 std::string(stack.status().message()).c_str(), options.run_dir.c_str());
    return 1;
  }
  const absl::Time clock_started = absl::Now();
  absl::Status run = (*stack)->StartClock();
  if (run.ok()) {
    run = (*stack)->WaitFinished([](const v1::GetClockStatusResponse& s) {
      std::fprintf(stderr, "\r  %lld / %lld ticks", static_cast<long long>(s.ticks_done()),
                   static_cast<long long>(s.ticks_total()));
    });
    std::fprintf(stderr, "\n");
  }
  const double wall_seconds = absl::ToDoubleSeconds(absl::Now() - clock_started);
  absl::StatusOr<StackFigures> figures =
      run.ok() ? (*stack)->Collect() : absl::StatusOr<StackFigures>(run);
  // The HTML report's charts are read from the processes before they stop.
  BacktestHtmlReport html;
  absl::Status html_status = absl::OkStatus();
  if (figures.ok() && o->contains("html")) html_status = html.Collect(options.run_dir);
  const std::vector<ProcessInfo> processes = Processes(**stack);
  const bool clean = (*stack)->StopAll();
  if (!figures.ok()) {
    std::fprintf(stderr, "gridpilot: backtest failed: %s\n(logs in %s)\n",
                 std::string(figures.status().message()).c_str(), options.run_dir.c_str());
    return 1;
  }
  nlohmann::json report =
      BacktestReportJson(options.from, options.to, wall_seconds, *figures, processes);
  std::printf("%s", BacktestSummary(report).c_str());
  std::printf("  start-up (incl. model load/training) %.1f s; processes stopped %s; run dir %s\n",
              absl::ToDoubleSeconds(clock_started - began), clean ? "cleanly" : "by SIGKILL",
              options.run_dir.c_str());
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
  return 0;
}

int Up(int argc, char** argv) {
  absl::StatusOr<std::map<std::string, std::string>> o = ParseOptions(
      argc, argv,
      {"from", "to", "config", "step_seconds", "tick_seconds", "run_dir", "model_dir", "registry",
       "demand_csv", "price_csv", "day_ahead_csv", "trader_risk_aversion"});
  if (!o.ok()) return Usage(std::string(o.status().message()));
  StackOptions options = OptionsFrom(*o);
  options.mode = "live";
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
  absl::StatusOr<std::unique_ptr<Stack>> stack = Stack::Launch(options);
  if (!stack.ok()) {
    std::fprintf(stderr, "gridpilot: cannot start the stack: %s\n",
                 std::string(stack.status().message()).c_str());
    return 1;
  }
  std::printf(
      "gridpilot is up: gateway at %s (gRPC, reflection on), %.0f simulated seconds "
      "every %.1f s of wall time.\nlogs and store in %s. Ctrl-C stops it.\n",
      (*stack)->gateway_address().c_str(), options.step_seconds, options.tick_seconds,
      options.run_dir.c_str());
  std::fflush(stdout);
  absl::Status started = (*stack)->StartClock();
  if (!started.ok()) {
    std::fprintf(stderr, "gridpilot: %s\n", std::string(started.message()).c_str());
    return 1;
  }
  // Report progress every few seconds until Ctrl-C (or SIGTERM).
  while (WaitForShutdownSignalFor(5000) == 0) {
    absl::StatusOr<v1::GetClockStatusResponse> s = (*stack)->ClockStatus();
    if (!s.ok()) {
      std::fprintf(stderr, "gridpilot: gateway unreachable: %s\n",
                   std::string(s.status().message()).c_str());
      break;
    }
    std::printf("  simulated time %s, %lld ticks settled\n",
                base::FormatUtcTimestamp(FromProtoTime(s->now())).c_str(),
                static_cast<long long>(s->ticks_done()));
    std::fflush(stdout);
  }
  std::printf("stopping...\n");
  const bool clean = (*stack)->StopAll();
  std::printf("stopped %s\n", clean ? "cleanly" : "(some by SIGKILL)");
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
  if (gridpilot::WantsHelp(argc, argv)) {
    const std::string usage = gridpilot::CommandUsage(command);
    if (usage.empty()) return gridpilot::Usage("unknown command " + command);
    std::printf("%s", usage.c_str());
    return 0;
  }
  if (command == "backtest") return gridpilot::Backtest(argc, argv);
  if (command == "up") return gridpilot::Up(argc, argv);
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
       {"target", "from", "to", "out", "model_dir", "demand_csv", "price_csv", "day_ahead_csv"},
       gridpilot::RunForecastEvalCommand},
      {"train",
       {"target", "from", "to", "registry", "every_days", "training_days", "demand_csv",
        "price_csv", "day_ahead_csv"},
       gridpilot::RunTrainCommand},
      {"detect",
       {"input", "column", "time-column", "train", "contamination", "residual-threshold",
        "flat-rows", "seed", "features", "out"},
       gridpilot::RunDetectCommand},
  };
  for (const gridpilot::OperatorCommand& op : gridpilot::OperatorCommands()) {
    if (command != op.name) continue;
    std::vector<std::string> options = gridpilot::OperatorAddressOptions();
    options.insert(options.end(), op.options.begin(), op.options.end());
    const std::vector<std::string> switches = command == "dispatch"
                                                  ? std::vector<std::string>{"json", "yes"}
                                                  : std::vector<std::string>{"json"};
    absl::StatusOr<std::map<std::string, std::string>> o =
        gridpilot::ParseOptions(argc, argv, options, switches);
    if (!o.ok()) return gridpilot::Usage(std::string(o.status().message()));
    const int code = op.run(*o);
    if (code == 2) std::fprintf(stderr, "%s", gridpilot::CommandUsage(command).c_str());
    return code;
  }
  for (const LocalCommand& local : local_commands) {
    if (command != local.name) continue;
    absl::StatusOr<std::map<std::string, std::string>> o =
        gridpilot::ParseOptions(argc, argv, local.options);
    if (!o.ok()) return gridpilot::Usage(std::string(o.status().message()));
    const int code = local.run(*o);
    if (code == 2) std::fprintf(stderr, "%s", gridpilot::CommandUsage(command).c_str());
    return code;
  }
  return gridpilot::Usage("unknown command " + command);
}
