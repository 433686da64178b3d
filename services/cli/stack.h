// Stack: the four gridpilot processes started on loopback as separate OS processes, each
// on a free port it picks itself (port 0, reported through a port file), in dependency
// order: gateway, forecast (ready once its models are), response, trader. The
// launcher then starts the clock, follows progress, collects the figures and stops them.
// With credentials, each process also listens on RUN_DIR/sock/<name>.sock (the directory
// 0700), and the stack's own calls (its processes' to each other, the launcher's) go
// there; the TCP ports serve TLS for everyone else. docs/decisions.md, "Unix sockets for
// the local stack".
#ifndef GRIDPILOT_SERVICES_CLI_STACK_H_
#define GRIDPILOT_SERVICES_CLI_STACK_H_

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridpilot/v1/clock.grpc.pb.h"
#include "gridpilot/v1/forecast.grpc.pb.h"
#include "gridpilot/v1/ledger.grpc.pb.h"
#include "gridpilot/v1/response.grpc.pb.h"
#include "gridpilot/v1/trader.grpc.pb.h"
#include "services/cli/child_process.h"

namespace gridpilot {

struct StackOptions {
  std::string bin_dir;        // where the gridpilot-* binaries are
  std::string run_dir;        // logs, port files and the store go here (created)
  std::string config;         // gateway config file; empty = defaults
  std::string demand_csv;     // empty = the gateway's default
  std::string day_ahead_csv;  // empty = the gateway's default; "none" = no operator forecast
  std::string price_csv;
  std::string from = "2023-01-01";
  std::string to = "2023-12-31";
  std::string mode = "lock_step";  // or "live"
  double tick_seconds = 2.0;       // live mode: wall seconds per tick
  // Simulated seconds per tick; 0 = the region's interval (data.resolution_minutes);
  // shorter than the interval = live simulator.
  double step_seconds = 0.0;
  std::string model_dir;             // forecast model cache; empty = DefaultModelDir()
  std::string registry;              // change model registry for the forecast; empty = none
  std::string trader_risk_aversion;  // the trader's --risk_aversion; empty = its default (0)
  absl::Duration start_timeout = absl::Minutes(5);  // includes model training
  // Continue the run in the run dir's store (the gateway's --resume) instead of starting
  // afresh: the store is kept, not deleted.
  bool resume = false;
  // With resume: the gateway's --resume_keep_ticks (the settled intervals to keep; the
  // rest are discarded and re-executed); -1 keeps every committed interval.
  int64_t resume_keep_ticks = -1;
  // Agents left out of this launch (a supervisor gave up on them): not started, not
  // waited for, not collected. Only "response" and "trader" may be left out.
  std::set<std::string> without;
  // The stack's credentials directory (transport_credentials.h), passed to every process
  // as --credentials; empty = plaintext with --insecure, TCP only (PrepareStackCredentials
  // always sets it; only tests leave it empty).
  std::string credentials_dir;
  // The gateway's --store: a PostgreSQL URL (without its password: see
  // SplitPostgresPassword) or a SQLite file, kept across runs; empty = RUN_DIR/store.sqlite,
  // removed at the start of a run that does not resume.
  std::string store;
  // Extra gateway flags for live telemetry in (--telemetry=..., --telemetry_sources=...).
  std::vector<std::string> gateway_telemetry_args;
};

// The agents a lock-step gateway waits for: response and trader, less `without`.
std::vector<std::string> ExpectedAgents(const StackOptions& options);

// $GRIDPILOT_MODEL_DIR, else ~/.cache/gridpilot/models.
std::string DefaultModelDir();

// The figures a finished (or interrupted) run reports, gathered over gRPC.
struct StackFigures {
  v1::GetClockStatusResponse clock;
  v1::GetPnlResponse pnl;
  v1::GetAccuracyResponse accuracy;
  v1::GetModelsResponse models;  // the forecast's served models and retraining schedule
  v1::GetResponseStatusResponse response;
  v1::GetTraderStatusResponse trader;
  v1::GetTraderPnlResponse trader_pnl;
};

class Stack {
 public:
  // Starts every process and waits until all are ready and both agents registered.
  // On failure the processes already started are stopped and the error names the one
  // that failed, with the tail of its log.
  // If a process exited during the launch and `ended_process` is set, its name is stored
  // there ("" when the failure was something else). FailedPrecondition, with the process's
  // last log line, when a process refused to start (services/common/exit_codes.h).
  static absl::StatusOr<std::unique_ptr<Stack>> Launch(const StackOptions& options,
                                                       std::string* ended_process = nullptr);

  absl::Status StartClock();
  absl::StatusOr<v1::GetClockStatusResponse> ClockStatus();
  // Polls until the run is finished; calls `progress` about every 0.1 s (gridpilot-mcp's
  // what-if tool reads a child run's progress from these reports, so a short run must
  // report too).
  // Unavailable if a process dies on the way (FirstEnded() names it); Internal with the
  // gateway's message if its run failed; Cancelled on SIGINT/SIGTERM
  // (the caller blocks them with BlockShutdownSignals and then stops the stack). Launch also
  // returns Cancelled when interrupted. `on_poll`, if set, sees every status polled (about every 20
  // ms).
  absl::Status WaitFinished(
      const std::function<void(const v1::GetClockStatusResponse&)>& progress,
      const std::function<void(const v1::GetClockStatusResponse&)>& on_poll = nullptr);
  // The clock status WaitFinished saw last (ticks_done where a death interrupted it).
  const v1::GetClockStatusResponse& last_status() const { return last_status_; }
  // Ticks settled while every process was alive: the ticks_done of the last clock status
  // that WaitFinished saw with every process still running after it was read.
  int64_t ticks_done_all_alive() const { return ticks_done_all_alive_; }
  // The first child that has ended, or nullptr while all run (reaps ended children).
  ChildProcess* FirstEnded();
  absl::StatusOr<StackFigures> Collect();
  // Stops every process (SIGTERM, then SIGKILL); true if all stopped on SIGTERM.
  bool StopAll();
  // SIGKILLs every process at once, the gateway first: after a death in lock-step, ticks
  // the gateway settled since are suspect (an agent may have answered without its
  // forecast), and a SIGTERM would let it commit them.
  void KillAll();

  // Restarts the ended process `name` with the same arguments on the same port, so peers
  // holding its address reconnect; the gateway also gets --resume. Returns once it
  // listens (and, for the forecast, answers). NotFound for an unknown name;
  // FailedPrecondition if it still runs or refused to start (services/common/exit_codes.h);
  // Unavailable if it fails to start.
  absl::Status Restart(const std::string& name);
  // The running-or-ended child `name`, or nullptr.
  ChildProcess* Find(const std::string& name);

  std::vector<ChildProcess>& processes() { return processes_; }
  const std::string& store_path() const { return store_path_; }
  // The gateway's TCP (TLS) address, "127.0.0.1:port", for people and tools.
  const std::string& gateway_address() const { return gateway_address_; }

 private:
  // How a child was started, to start it again the same way.
  struct ProcessSpec {
    std::string name;
    std::string binary;
    std::vector<std::string> args;  // without the port flags
    int port = 0;                   // the port it bound first; reused on restart
  };

  Stack() = default;
  // Launch's work: every process started in order, the agents registered.
  absl::Status StartAll();
  // Makes RUN_DIR/sock (0700) when the stack has credentials and the paths fit; leaves
  // socket_dir_ empty (TCP only, with a warning) when the run dir is too long for them.
  absl::Status PrepareSocketDir();
  // `name`'s socket path, or "" when the stack uses no sockets.
  std::string UnixSocketPath(const std::string& name) const;
  // Starts `name` on `port` (0 = any free port) and its socket, if any, and waits for it
  // to listen. Returns the address its peers use: "unix:PATH", else "127.0.0.1:port".
  absl::StatusOr<std::string> StartProcess(const std::string& name, const std::string& binary,
                                           std::vector<std::string> args, int port);
  absl::Status WaitForecastReady(absl::Duration timeout);

  StackOptions options_;
  std::vector<ProcessSpec> specs_;
  std::vector<ChildProcess> processes_;
  std::string store_path_;
  v1::GetClockStatusResponse last_status_;
  int64_t ticks_done_all_alive_ = 0;
  std::string gateway_address_;
  std::string socket_dir_;  // RUN_DIR/sock, or "" without sockets
  std::unique_ptr<v1::ClockService::Stub> clock_;
  std::unique_ptr<v1::LedgerService::Stub> ledger_;
  std::unique_ptr<v1::ForecastService::Stub> forecast_;
  std::unique_ptr<v1::ResponseService::Stub> response_;
  std::unique_ptr<v1::TraderService::Stub> trader_;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CLI_STACK_H_
