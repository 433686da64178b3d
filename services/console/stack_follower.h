// StackFollower: the console's gRPC edge. It follows a running stack as any client would
// (telemetry and anomaly streams, and a poll of the ramp events, the trader's schedule,
// the ledger and the audit log) and feeds what it reads into a ConsoleState. It never
// touches the gateway's store. A peer that is down is retried; its error is shown on the
// page through ConsoleState::SetSourceStatus.
#ifndef GRIDPILOT_SERVICES_CONSOLE_STACK_FOLLOWER_H_
#define GRIDPILOT_SERVICES_CONSOLE_STACK_FOLLOWER_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gridpilot/v1/anomaly.grpc.pb.h"
#include "gridpilot/v1/asset.grpc.pb.h"
#include "gridpilot/v1/forecast.grpc.pb.h"
#include "gridpilot/v1/ledger.grpc.pb.h"
#include "gridpilot/v1/response.grpc.pb.h"
#include "gridpilot/v1/telemetry.grpc.pb.h"
#include "gridpilot/v1/trader.grpc.pb.h"
#include "services/common/tick_subscription.h"
#include "services/console/console_state.h"
#include "services/console/stack_addresses.h"

namespace gridpilot {

struct StackFollowerOptions {
  absl::Duration poll_period = absl::Seconds(1);    // events, schedule, P&L, decisions
  absl::Duration retry_period = absl::Seconds(1);   // after a stream ends or fails
  absl::Duration forecast_wait = absl::Seconds(2);  // for the forecast of a new tick
  int events_limit = 500;                           // newest ramp events and episodes
  int decisions_limit = 500;                        // newest audit-log decisions
  int anomalies_limit = 2000;                       // anomalies listed on (re)connection
  // The launcher's RUN_DIR/supervisor.json, read on every poll for the processes'
  // states and restarts; empty = none (a stack not started by the launcher).
  std::string supervisor_status_path;
};

class StackFollower {
 public:
  // `state` is not owned and must outlive the follower.
  StackFollower(const StackAddresses& addresses, ConsoleState* state,
                StackFollowerOptions options = {});
  ~StackFollower();  // Stop()

  // Starts the threads that follow the stack (once).
  void Start();
  // Cancels the streams and joins the threads. Idempotent.
  void Stop();

  // Reads a stack whose run has finished (a backtest before the launcher stops it) into
  // `state` in one pass: every tick, the forecasts the forecast service still holds (its
  // newest 512), the anomalies, ramp events, schedule, ledger and newest decisions.
  // DeadlineExceeded if the telemetry stream has not ended within `timeout` (the run is
  // still going); Unavailable (with the peer's message) if a peer cannot be read.
  static absl::Status CollectFinishedRun(const StackAddresses& addresses, ConsoleState* state,
                                         absl::Duration timeout, StackFollowerOptions options = {});

 private:
  void FollowTelemetry();
  void FollowAnomalies();
  void Poll();
  // Reads one forecast (max_wait as given) into the state; NotFound (too old) is not an error.
  void FetchForecast(const google::protobuf::Timestamp& issue_time, absl::Duration max_wait);
  void PollOnce();
  // RUN_DIR/supervisor.json into the state (options_.supervisor_status_path).
  void ReadSupervisorStatus();
  // Sleeps up to `d`; false if Stop() was called.
  bool Pause(absl::Duration d);
  // Registers a call so Stop() can cancel it; false if already stopping.
  bool Track(grpc::ClientContext* context);
  void Untrack(grpc::ClientContext* context);

  const StackFollowerOptions options_;
  ConsoleState* const state_;
  std::unique_ptr<v1::TelemetryService::Stub> telemetry_;
  // Not stopped at a run's end: the console keeps following the gateway until Stop().
  std::unique_ptr<TickSubscription> ticks_;
  std::unique_ptr<v1::AssetService::Stub> assets_;
  std::unique_ptr<v1::LedgerService::Stub> ledger_;
  std::unique_ptr<v1::ForecastService::Stub> forecast_;
  std::unique_ptr<v1::AnomalyService::Stub> anomalies_;
  std::unique_ptr<v1::ResponseService::Stub> response_;
  std::unique_ptr<v1::TraderService::Stub> trader_;

  absl::Notification stopping_;
  absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  std::set<grpc::ClientContext*> calls_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> threads_;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CONSOLE_STACK_FOLLOWER_H_
