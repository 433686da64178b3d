#include "services/cli/stack.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "core/base/logging.h"
#include "services/cli/retrain_config.h"
#include "services/common/exit_codes.h"
#include "services/common/grpc_status.h"
#include "services/common/server_runner.h"
#include "services/common/shutdown_signal.h"
#include "services/gateway/gateway_config.h"

namespace gridpilot {
namespace {

// How often WaitFinished reports progress.
constexpr absl::Duration kProgressPeriod = absl::Milliseconds(100);

std::chrono::system_clock::time_point Deadline(absl::Duration d) {
  return absl::ToChronoTime(absl::Now() + d);
}

// True if the config file at `path` has a top-level "alerts" section (README.md, "Alerts").
// A file that cannot be read or parsed is the gateway's to report.
bool ConfigHasAlerts(const std::string& path) {
  if (path.empty()) return false;
  std::ifstream in(path);
  const nlohmann::json root = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  return root.is_object() && root.contains("alerts");
}

}  // namespace

std::string DefaultModelDir() {
  // Models are cached across runs: the file names carry a fingerprint of the training
  // data and parameters, so a cached model is only reused for exactly the same training.
  if (const char* dir = std::getenv("GRIDPILOT_MODEL_DIR"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return absl::StrCat(home, "/.cache/gridpilot/models");
  }
  return "/tmp/gridpilot-models";
}

std::vector<std::string> ExpectedAgents(const StackOptions& options) {
  std::vector<std::string> agents;
  for (const char* agent : {"response", "trader"}) {
    if (!options.without.contains(agent)) agents.push_back(agent);
  }
  return agents;
}

absl::StatusOr<std::string> Stack::StartProcess(const std::string& name, const std::string& binary,
                                                std::vector<std::string> args, int port) {
  const bool restart = port != 0;
  if (!restart) specs_.push_back({name, binary, args, 0});
  const std::string port_file = absl::StrCat(options_.run_dir, "/", name, ".port");
  std::filesystem::remove(port_file);
  args.push_back(absl::StrCat("--port=", port));
  args.push_back(absl::StrCat("--port_file=", port_file));
  // Every process serves Prometheus metrics on a free port of its own, named in the run
  // directory (<name>.metrics.port) for tests, scrapers and operators.
  const std::string metrics_port_file = absl::StrCat(options_.run_dir, "/", name, ".metrics.port");
  std::filesystem::remove(metrics_port_file);
  args.push_back("--metrics_port=0");
  if (!options_.credentials_dir.empty()) {
    args.push_back(absl::StrCat("--credentials=", options_.credentials_dir));
  } else {
    args.push_back("--insecure");
  }
  const std::string socket = UnixSocketPath(name);
  if (!socket.empty()) args.push_back(absl::StrCat("--unix_socket=", socket));
  args.push_back(absl::StrCat("--metrics_port_file=", metrics_port_file));
  absl::StatusOr<ChildProcess> child =
      ChildProcess::Start(name, absl::StrCat(options_.bin_dir, "/", binary), args,
                          absl::StrCat(options_.run_dir, "/", name, ".log"), restart);
  if (!child.ok()) return child.status();
  ChildProcess* slot = Find(name);
  if (slot == nullptr) {
    processes_.push_back(*std::move(child));
    slot = &processes_.back();
  } else {
    *slot = *std::move(child);
  }
  absl::StatusOr<int> bound = slot->WaitForPort(port_file, absl::Seconds(60));
  if (!bound.ok() && slot->exit_code() == kExitStartRefused) {
    // Restarting it would be refused the same way: its last log line says why.
    return absl::FailedPreconditionError(
        absl::StrCat(name, " refused to start: ", slot->LogTail(1)));
  }
  if (!bound.ok()) return bound.status();
  for (ProcessSpec& spec : specs_) {
    if (spec.name == name) spec.port = *bound;
  }
  if (name == "gateway") gateway_address_ = absl::StrCat("127.0.0.1:", *bound);
  if (!socket.empty()) return absl::StrCat("unix:", socket);
  return absl::StrCat("127.0.0.1:", *bound);
}

std::string Stack::UnixSocketPath(const std::string& name) const {
  if (socket_dir_.empty()) return "";
  return absl::StrCat(socket_dir_, "/", name, ".sock");
}

absl::Status Stack::PrepareSocketDir() {
  if (options_.credentials_dir.empty()) return absl::OkStatus();
  const std::string dir = absl::StrCat(options_.run_dir, "/sock");
  // The longest socket name a stack process gets ("response.sock", "forecast.sock", ...).
  constexpr size_t kLongestSocketName = std::string_view("/response.sock").size();
  if (dir.size() + kLongestSocketName > kMaxUnixSocketPathBytes) {
    base::LogWarning(absl::StrCat("run dir ", options_.run_dir, " is too long for Unix socket ",
                                  "paths (", kMaxUnixSocketPathBytes,
                                  " bytes): the stack talks over loopback TLS instead"));
    return absl::OkStatus();
  }
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return absl::UnavailableError(absl::StrCat(dir, ": ", error.message()));
  // Only the launcher's user may reach the sockets: the directory is 0700 whatever the
  // umask, and the servers still check each call's token.
  if (chmod(dir.c_str(), 0700) != 0) {
    return absl::UnavailableError(absl::StrCat(dir, ": chmod 0700: ", std::strerror(errno)));
  }
  socket_dir_ = dir;
  return absl::OkStatus();
}

ChildProcess* Stack::Find(const std::string& name) {
  for (ChildProcess& p : processes_) {
    if (p.name() == name) return &p;
  }
  return nullptr;
}

absl::Status Stack::WaitForecastReady(absl::Duration timeout) {
  // Ready when it answers (it says UNAVAILABLE while its models load or train).
  const absl::Time give_up = absl::Now() + timeout;
  ChildProcess* forecast = Find("forecast");
  while (true) {
    grpc::ClientContext context;
    context.set_deadline(Deadline(absl::Seconds(2)));
    v1::GetAccuracyResponse accuracy;
    if (forecast_->GetAccuracy(&context, {}, &accuracy).ok()) return absl::OkStatus();
    if (!forecast->Running()) {
      return absl::UnavailableError(absl::StrCat("forecast exited (", forecast->exit_description(),
                                                 "):\n", forecast->LogTail(15)));
    }
    if (absl::Now() > give_up) return absl::DeadlineExceededError("forecast never became ready");
    if (WaitForShutdownSignalFor(0) != 0) return absl::CancelledError("interrupted");
    absl::SleepFor(absl::Milliseconds(100));
  }
}

absl::Status Stack::Restart(const std::string& name) {
  const ProcessSpec* spec = nullptr;
  for (const ProcessSpec& s : specs_) {
    if (s.name == name) spec = &s;
  }
  ChildProcess* child = Find(name);
  if (spec == nullptr || child == nullptr) {
    return absl::NotFoundError(absl::StrCat("no process named ", name));
  }
  if (child->Running()) return absl::FailedPreconditionError(absl::StrCat(name, " still runs"));
  std::vector<std::string> args = spec->args;
  // A restarted gateway continues the run in its store (live: from the last stored
  // interval's state); without the flag it would start a second run.
  if (name == "gateway" && std::find(args.begin(), args.end(), "--resume") == args.end()) {
    args.push_back("--resume");
  }
  const std::string binary = spec->binary;
  const int port = spec->port;
  absl::StatusOr<std::string> address = StartProcess(name, binary, std::move(args), port);
  if (!address.ok()) return address.status();
  if (name == "forecast") return WaitForecastReady(options_.start_timeout);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Stack>> Stack::Launch(const StackOptions& options,
                                                     std::string* ended_process) {
  std::unique_ptr<Stack> stack(new Stack());
  stack->options_ = options;
  absl::Status started = stack->StartAll();
  if (started.ok()) return stack;
  if (ended_process != nullptr) {
    ChildProcess* ended = stack->FirstEnded();
    *ended_process = ended == nullptr ? "" : ended->name();
  }
  return started;
}

absl::Status Stack::StartAll() {
  const StackOptions& options = options_;
  std::error_code ec;
  std::filesystem::create_directories(options.run_dir, ec);
  if (ec) return absl::UnavailableError(absl::StrCat(options.run_dir, ": ", ec.message()));
  store_path_ =
      options.store.empty() ? absl::StrCat(options.run_dir, "/store.sqlite") : options.store;
  if (!options.resume && options.store.empty()) {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(store_path_ + suffix);
    }
  }

  // Scheduled retraining (README.md, "Scheduled retraining"): in lock-step the tick at a
  // cut-off waits for the training; the gateway holds it until the forecast process answers
  // it (--forecast_deadline_seconds), so no process needs a longer wait.
  absl::StatusOr<forecast::RetrainSchedule> retrain = ReadRetrainConfig(options.config);
  if (!retrain.ok()) return retrain.status();
  const bool retraining = retrain->cadence != forecast::RetrainCadence::kNone;
  // The forecast process reads the region's holidays from the config the gateway reads.
  absl::StatusOr<GatewayConfig> region_config = LoadGatewayConfig(options.config);
  if (!region_config.ok()) return region_config.status();
  const int resolution_minutes = region_config->data_format.resolution_minutes;
  const double step_seconds =
      options.step_seconds > 0.0 ? options.step_seconds : 60.0 * resolution_minutes;
  std::vector<std::string> gateway_args = {absl::StrCat("--from=", options.from),
                                           absl::StrCat("--to=", options.to),
                                           absl::StrCat("--mode=", options.mode),
                                           absl::StrCat("--tick_seconds=", options.tick_seconds),
                                           absl::StrCat("--step_seconds=", step_seconds),
                                           absl::StrCat("--store=", store_path_)};
  if (options.mode == "lock_step") {
    gateway_args.push_back(
        absl::StrCat("--expected_agents=", absl::StrJoin(ExpectedAgents(options), ",")));
  }
  if (options.resume) {
    gateway_args.push_back("--resume");
    if (options.resume_keep_ticks >= 0) {
      gateway_args.push_back(absl::StrCat("--resume_keep_ticks=", options.resume_keep_ticks));
    }
  }
  for (const std::string& arg : options.gateway_telemetry_args) gateway_args.push_back(arg);
  if (!options.config.empty()) gateway_args.push_back(absl::StrCat("--config=", options.config));
  if (!options.demand_csv.empty()) {
    gateway_args.push_back(absl::StrCat("--demand_csv=", options.demand_csv));
  }
  if (!options.price_csv.empty()) {
    gateway_args.push_back(absl::StrCat("--price_csv=", options.price_csv));
  }
  if (!options.day_ahead_csv.empty()) {
    gateway_args.push_back(absl::StrCat("--day_ahead_csv=", options.day_ahead_csv));
  }
  if (absl::Status prepared = PrepareSocketDir(); !prepared.ok()) return prepared;
  absl::StatusOr<std::string> gateway =
      StartProcess("gateway", "gridpilot-gateway", gateway_args, 0);
  if (!gateway.ok()) return gateway.status();
  std::shared_ptr<grpc::Channel> gateway_channel = MakeChannel(*gateway);
  clock_ = v1::ClockService::NewStub(gateway_channel);
  ledger_ = v1::LedgerService::NewStub(gateway_channel);

  const std::string model_dir = options.model_dir.empty() ? DefaultModelDir() : options.model_dir;
  std::vector<std::string> forecast_args = {
      absl::StrCat("--gateway=", *gateway), absl::StrCat("--model_dir=", model_dir),
      absl::StrCat("--resolution_minutes=", resolution_minutes),
      absl::StrCat("--registry=", options.registry)};
  if (retraining) {
    // Retrained sets are published to the registry, by default the run dir's.
    if (options.registry.empty()) {
      forecast_args.back() = absl::StrCat("--registry=", options.run_dir, "/registry");
    }
    for (std::string& flag : RetrainForecastFlags(*retrain, options.mode == "lock_step")) {
      forecast_args.push_back(std::move(flag));
    }
  }
  if (region_config->holidays != "uk") {
    forecast_args.push_back(absl::StrCat("--holidays=", region_config->holidays));
  }
  if (region_config->data_format.time_zone != "UTC") {
    forecast_args.push_back(
        absl::StrCat("--holidays_time_zone=", region_config->data_format.time_zone));
  }
  absl::StatusOr<std::string> forecast =
      StartProcess("forecast", "gridpilot-forecast", forecast_args, 0);
  if (!forecast.ok()) return forecast.status();
  forecast_ = v1::ForecastService::NewStub(MakeChannel(*forecast));
  const absl::Time give_up = absl::Now() + options.start_timeout;
  if (absl::Status ready = WaitForecastReady(options.start_timeout); !ready.ok()) {
    return ready;
  }

  if (!options.without.contains("response")) {
    std::vector<std::string> response_args = {absl::StrCat("--gateway=", *gateway),
                                              absl::StrCat("--forecast=", *forecast)};
    absl::StatusOr<std::string> response =
        StartProcess("response", "gridpilot-response", response_args, 0);
    if (!response.ok()) return response.status();
    response_ = v1::ResponseService::NewStub(MakeChannel(*response));
  }
  if (!options.without.contains("trader")) {
    std::vector<std::string> trader_args = {absl::StrCat("--gateway=", *gateway),
                                            absl::StrCat("--forecast=", *forecast)};
    if (!options.trader_risk_aversion.empty()) {
      trader_args.push_back(absl::StrCat("--risk_aversion=", options.trader_risk_aversion));
    }
    absl::StatusOr<std::string> trader = StartProcess("trader", "gridpilot-trader", trader_args, 0);
    if (!trader.ok()) return trader.status();
    trader_ = v1::TraderService::NewStub(MakeChannel(*trader));
  }

  // gridpilot-alerter (services/alerts) follows the stack when the config has an "alerts"
  // section. Started before the clock, so that it follows a backtest from its first ticks.
  if (ConfigHasAlerts(options.config)) {
    absl::StatusOr<std::string> alerter = StartProcess(
        "alerter", "gridpilot-alerter",
        {absl::StrCat("--config=", options.config), absl::StrCat("--run_dir=", options.run_dir),
         "--linger_after_run", "--drain_seconds=4"},
        0);
    if (!alerter.ok()) return alerter.status();
  }

  // gridpilot-mcp (services/mcp) serves MCP for AI clients on loopback HTTP; its port is
  // RUN_DIR/mcp.port. Given each address (its Unix socket where it has one), so that an
  // agent left out is just unavailable, whatever an earlier run left in the run dir.
  {
    std::vector<std::string> mcp_args = {absl::StrCat("--run_dir=", options.run_dir),
                                         absl::StrCat("--gateway=", *gateway),
                                         absl::StrCat("--forecast=", *forecast)};
    for (const ProcessSpec& spec : specs_) {
      if (spec.name == "response" || spec.name == "trader") {
        const std::string socket = UnixSocketPath(spec.name);
        mcp_args.push_back(absl::StrCat("--", spec.name, "=",
                                        socket.empty() ? absl::StrCat("127.0.0.1:", spec.port)
                                                       : absl::StrCat("unix:", socket)));
      }
    }
    // Its what-if tool replays windows with this stack's config and data.
    if (!options.config.empty()) {
      mcp_args.push_back(
          absl::StrCat("--whatif_config=", std::filesystem::absolute(options.config).string()));
    }
    std::vector<std::string> whatif_flags;
    for (const auto& [key, value] :
         {std::pair{"model_dir", options.model_dir}, std::pair{"registry", options.registry},
          std::pair{"demand_csv", options.demand_csv}, std::pair{"price_csv", options.price_csv},
          std::pair{"day_ahead_csv", options.day_ahead_csv}}) {
      if (value.empty()) continue;
      whatif_flags.push_back(absl::StrCat(
          key, "=", value == "none" ? value : std::filesystem::absolute(value).string()));
    }
    if (!whatif_flags.empty()) {
      mcp_args.push_back(
          absl::StrCat("--whatif_backtest_flags=", absl::StrJoin(whatif_flags, ",")));
    }
    absl::StatusOr<std::string> mcp = StartProcess("mcp", "gridpilot-mcp", mcp_args, 0);
    if (!mcp.ok()) return mcp.status();
  }

  // The agents must be registered before the clock starts, or the first ticks would
  // not wait for them.
  const int agents = static_cast<int>(ExpectedAgents(options).size());
  while (true) {
    absl::StatusOr<v1::GetClockStatusResponse> status = ClockStatus();
    if (status.ok() && status->registered_agents_size() >= agents) break;
    for (ChildProcess& p : processes_) {
      if (!p.Running()) {
        return absl::UnavailableError(
            absl::StrCat(p.name(), " exited (", p.exit_description(), "):\n", p.LogTail(15)));
      }
    }
    if (absl::Now() > give_up) return absl::DeadlineExceededError("agents never registered");
    if (WaitForShutdownSignalFor(0) != 0) return absl::CancelledError("interrupted");
    absl::SleepFor(absl::Milliseconds(20));
  }
  return absl::OkStatus();
}

absl::Status Stack::StartClock() {
  grpc::ClientContext context;
  context.set_deadline(Deadline(absl::Seconds(5)));
  v1::StartResponse response;
  return FromGrpcStatus(clock_->Start(&context, {}, &response));
}

absl::StatusOr<v1::GetClockStatusResponse> Stack::ClockStatus() {
  grpc::ClientContext context;
  context.set_deadline(Deadline(absl::Seconds(5)));
  v1::GetClockStatusResponse status;
  grpc::Status rc = clock_->GetClockStatus(&context, {}, &status);
  if (!rc.ok()) return FromGrpcStatus(rc);
  return status;
}

ChildProcess* Stack::FirstEnded() {
  for (ChildProcess& p : processes_) {
    if (!p.Running()) return &p;
  }
  return nullptr;
}

absl::Status Stack::WaitFinished(
    const std::function<void(const v1::GetClockStatusResponse&)>& progress,
    const std::function<void(const v1::GetClockStatusResponse&)>& on_poll) {
  absl::Time next_report = absl::Now() + kProgressPeriod;
  while (true) {
    if (ChildProcess* ended = FirstEnded(); ended != nullptr) {
      return absl::UnavailableError(
          absl::StrCat(ended->name(), " exited during the run (", ended->exit_description(), ")"));
    }
    absl::StatusOr<v1::GetClockStatusResponse> status = ClockStatus();
    if (!status.ok()) {
      // A gateway that died answers "connection reset" before it is reaped: give the
      // death a moment to show, so the error names the process, not the socket.
      for (int i = 0; i < 50; ++i) {
        if (ChildProcess* ended = FirstEnded(); ended != nullptr) {
          return absl::UnavailableError(absl::StrCat(ended->name(), " exited during the run (",
                                                     ended->exit_description(), ")"));
        }
        absl::SleepFor(absl::Milliseconds(20));
      }
      return status.status();
    }
    last_status_ = *status;
    if (on_poll) on_poll(*status);
    if (status->state() == v1::RUN_STATE_FINISHED) {
      if (!status->failure().empty()) {
        return absl::InternalError(absl::StrCat("the gateway's run failed at tick ",
                                                status->ticks_done(), ": ", status->failure()));
      }
      return absl::OkStatus();
    }
    if (WaitForShutdownSignalFor(0) != 0) return absl::CancelledError("interrupted");
    if (absl::Now() >= next_report) {
      progress(*status);
      next_report = absl::Now() + kProgressPeriod;
    }
    // Deaths are looked for every millisecond (waitpid is cheap), the clock every 20: the
    // sooner a death is seen, the fewer ticks a lock-step run settles after it.
    for (int i = 0; i < 20; ++i) {
      if (ChildProcess* ended = FirstEnded(); ended != nullptr) {
        return absl::UnavailableError(absl::StrCat(ended->name(), " exited during the run (",
                                                   ended->exit_description(), ")"));
      }
      // Every process outlived the status read: its settled ticks had all of them.
      if (i == 0) ticks_done_all_alive_ = status->ticks_done();
      absl::SleepFor(absl::Milliseconds(1));
    }
  }
}

absl::StatusOr<StackFigures> Stack::Collect() {
  StackFigures figures;
  absl::StatusOr<v1::GetClockStatusResponse> clock = ClockStatus();
  if (!clock.ok()) return clock.status();
  figures.clock = *clock;
  grpc::ClientContext ledger_context, forecast_context, response_context, trader_context;
  for (grpc::ClientContext* c :
       {&ledger_context, &forecast_context, &response_context, &trader_context}) {
    c->set_deadline(Deadline(absl::Seconds(5)));
  }
  grpc::Status rc = ledger_->GetPnl(&ledger_context, {}, &figures.pnl);
  if (!rc.ok()) return FromGrpcStatus(rc);
  rc = forecast_->GetAccuracy(&forecast_context, {}, &figures.accuracy);
  if (!rc.ok()) return FromGrpcStatus(rc);
  grpc::ClientContext models_context;
  models_context.set_deadline(Deadline(absl::Seconds(5)));
  rc = forecast_->GetModels(&models_context, {}, &figures.models);
  if (!rc.ok()) return FromGrpcStatus(rc);
  // An agent left out of the launch has no figures: its fields stay empty.
  if (response_ != nullptr) {
    rc = response_->GetResponseStatus(&response_context, {}, &figures.response);
    if (!rc.ok()) return FromGrpcStatus(rc);
  }
  if (trader_ == nullptr) return figures;
  rc = trader_->GetTraderStatus(&trader_context, {}, &figures.trader);
  if (!rc.ok()) return FromGrpcStatus(rc);
  grpc::ClientContext trader_pnl_context;
  // The perfect-foresight solve over a long window takes a moment.
  trader_pnl_context.set_deadline(Deadline(absl::Seconds(60)));
  rc = trader_->GetTraderPnl(&trader_pnl_context, {}, &figures.trader_pnl);
  if (!rc.ok()) return FromGrpcStatus(rc);
  return figures;
}

void Stack::KillAll() {
  for (ChildProcess& p : processes_) p.Kill();
}

bool Stack::StopAll() {
  bool all_clean = true;
  // Agents first, then the forecast, then the gateway they talk to.
  for (auto it = processes_.rbegin(); it != processes_.rend(); ++it) {
    if (it->Running() && !it->Stop(absl::Seconds(5))) all_clean = false;
  }
  return all_clean;
}

}  // namespace gridpilot
