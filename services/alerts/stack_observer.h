// StackObserver: the alerter's gRPC edge. It reads what the rules need from a running stack
// as any client would (the response agent's and the trader's status, the ledger, the
// forecast service's new anomalies) and the supervisor's file, into an AlertObservation.
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

  // Fills every field of `observation` but `now` and `since_last_tick`. Anomalies are those
  // flagged since the previous call; the first call only notes where the book stands (an
  // alerter started mid-run does not alert on history). Not thread-safe.
  void Observe(alerts::AlertObservation* observation);

 private:
  void ReadAnomalies(alerts::AlertObservation* observation);
  void ReadSupervisor(alerts::AlertObservation* observation);
  // Logs `error` for `peer` if it differs from the last one logged; empty clears it.
  void NoteError(const std::string& peer, const std::string& error);

  const std::string supervisor_file_;
  const absl::Duration rpc_timeout_;
  std::unique_ptr<v1::AnomalyService::Stub> anomalies_;
  std::unique_ptr<v1::ResponseService::Stub> response_;
  std::unique_ptr<v1::TraderService::Stub> trader_;
  std::unique_ptr<v1::LedgerService::Stub> ledger_;
  bool anomalies_baselined_ = false;
  std::optional<absl::Time> last_anomaly_start_;
  std::map<std::string, std::string> last_errors_;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_ALERTS_STACK_OBSERVER_H_
