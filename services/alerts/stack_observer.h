// StackObserver: the alerter's gRPC edge. It reads what the rules need from a running stack
// as any client would (the response agent's and the trader's status, the ledger, the
// forecast service's new anomalies) and the supervisor's file, into an AlertObservation
// stamped with the gateway's clock read last.
// A peer that does not answer leaves its fields unset (its rules keep their state) and is
// logged once per change of error.
#ifndef GRIDPILOT_SERVICES_ALERTS_STACK_OBSERVER_H_
#define GRIDPILOT_SERVICES_ALERTS_STACK_OBSERVER_H_

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "core/alerts/alert_observation.h"
#include "gridpilot/v1/anomaly.grpc.pb.h"
#include "gridpilot/v1/clock.grpc.pb.h"
#include "gridpilot/v1/ledger.grpc.pb.h"
#include "gridpilot/v1/response.grpc.pb.h"
#include "gridpilot/v1/trader.grpc.pb.h"
#include "services/console/stack_addresses.h"

namespace gridpilot {

class StackObserver {
 public:
  // `supervisor_file` may be empty (no supervisor) or name a file that does not exist yet.
  StackObserver(const StackAddresses& addresses, std::string supervisor_file,
                absl::Duration rpc_timeout);

  // Fills every field of `observation` but `since_last_tick`. Anomalies are those flagged
  // since the previous call; the first call only notes where the book stands (an alerter
  // started mid-run does not alert on history). `now` is the gateway's run clock read after
  // every other field, so it is never earlier than a tick any counter read includes (a
  // lock-step backtest runs ahead while the counters are read); it is at least `tick_time`
  // (the tick this observation follows) and at least the previous observation's `now`, and
  // falls back to them when the clock does not answer. Not thread-safe.
  void Observe(absl::Time tick_time, alerts::AlertObservation* observation);

 private:
  void ReadAnomalies(alerts::AlertObservation* observation);
  void ReadSupervisor(alerts::AlertObservation* observation);
  // The gateway's run clock; nullopt (logged) when it does not answer.
  std::optional<absl::Time> ReadClock();
  // Logs `error` for `peer` if it differs from the last one logged; empty clears it.
  void NoteError(const std::string& peer, const std::string& error);

  const std::string supervisor_file_;
  const absl::Duration rpc_timeout_;
  std::unique_ptr<v1::AnomalyService::Stub> anomalies_;
  std::unique_ptr<v1::ResponseService::Stub> response_;
  std::unique_ptr<v1::TraderService::Stub> trader_;
  std::unique_ptr<v1::LedgerService::Stub> ledger_;
  std::unique_ptr<v1::ClockService::Stub> clock_;
  bool anomalies_baselined_ = false;
  std::optional<absl::Time> last_anomaly_start_;
  std::optional<absl::Time> last_now_;
  std::map<std::string, std::string> last_errors_;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_ALERTS_STACK_OBSERVER_H_
