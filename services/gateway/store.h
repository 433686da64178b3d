// Store: where the gateway keeps telemetry, the audit log (every proposal and every
// per-interval decision with its reason) and the ledger. SqliteStore is the default
// implementation; a server database can sit behind the same interface.
#ifndef GRIDPILOT_SERVICES_GATEWAY_STORE_H_
#define GRIDPILOT_SERVICES_GATEWAY_STORE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "core/region/dispatch_arbiter.h"
#include "core/data/grid_series.h"
#include "core/region/region_engine.h"
#include "gridpilot/v1/asset.pb.h"

namespace gridpilot {

// How a submitted proposal was received.
enum class ProposalStatus { kAccepted, kDuplicate, kRejected, kCancelled };

class Store {
 public:
  virtual ~Store() = default;

  // Opens a run; later calls record into it. `config_json` is kept for the record.
  virtual absl::Status BeginRun(absl::Time replay_from, absl::Time replay_to,
                                const std::string& config_json) = 0;
  // A submitted proposal and how it was received. For kRejected, `detail` is the error;
  // `record.id` is 0 when nothing was stored in the arbiter.
  virtual absl::Status RecordProposal(const region::ProposalRecord& record, ProposalStatus status,
                                      const std::string& detail) = 0;
  // An agent's note on its answer to the tick at `tick` (e.g. that it held on suspect
  // telemetry): part of the audit log.
  virtual absl::Status RecordAgentNote(absl::Time tick, const std::string& agent,
                                       const std::string& note) = 0;
  // The plan an agent's answer to the tick at `tick` came from: part of the audit log.
  virtual absl::Status RecordPlan(absl::Time tick, const std::string& agent,
                                  const v1::AgentPlan& plan) = 0;
  // One applied interval: its measured region values, the decision for every asset
  // (with battery state), and its ledger entries; written in one transaction.
  virtual absl::Status RecordInterval(const data::GridInterval& region_values,
                                      const region::IntervalOutcome& outcome) = 0;
  // Makes everything recorded so far durable and visible to other readers.
  virtual absl::Status Flush() = 0;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_GATEWAY_STORE_H_
