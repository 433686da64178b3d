// Store: where the gateway keeps telemetry, the audit log (every proposal and how it was
// received, every agent's plan and note, every per-step decision with its reason) and
// the ledger. SqliteStore is the default implementation; a server database can sit
// behind the same interface. The interface speaks domain types only: the gRPC edge
// converts before it calls.
//
// Contract, for every implementation:
//  - Thread-safety: every method may be called from any thread, concurrently (the
//    gateway's tick loop records steps while gRPC threads record proposals).
//  - Ownership: arguments are borrowed for the call only; the store copies what it keeps.
//  - Order and durability: records are kept in the order of the calls that returned OK.
//    OK means the record is accepted into the current write batch; it is durable and
//    visible to other readers of the database after the next Flush() that returns OK.
//  - Commit points: an implementation may also commit earlier (e.g. every few hundred
//    records), but only at the end of a RecordInterval call that returned OK. So what is
//    durable after a crash is always a prefix of the calls that ends with a whole settled
//    interval, with every proposal, plan and note recorded before it; never half a tick.
//    A resumed run (ResumeRun) continues from the end of that prefix.
//  - Errors: a record call that fails has stored nothing of that record (a step is
//    written whole or not at all). A failed commit (from Flush, or from a record call
//    that filled a batch) may lose the uncommitted records of the batch. Codes:
//    FailedPrecondition when called before BeginRun; Unavailable when the database
//    cannot be reached or is locked (may succeed if retried later); Internal for a
//    write or commit the database refused (disk full, I/O error, corruption).
//    The gateway treats any failure as fatal to the run: an audit log must not silently
//    lose rows (docs/decisions.md, "Audit writes").
#ifndef GRIDPILOT_SERVICES_GATEWAY_STORE_H_
#define GRIDPILOT_SERVICES_GATEWAY_STORE_H_

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/data/grid_series.h"
#include "core/data/telemetry_sample.h"
#include "core/region/dispatch_arbiter.h"
#include "core/region/region_engine.h"
#include "services/gateway/stored_approvals.h"
#include "services/security/refusal_observer.h"

namespace gridpilot {

// How a submitted proposal was received.
enum class ProposalStatus { kAccepted, kDuplicate, kRejected, kCancelled };

// The plan an agent's answer came from, as the agent sent it: informational, kept so that
// a decision can be traced to the plan behind it.
// Where a resumed run continues: the run and the intervals of it the store holds.
struct ResumePoint {
  int64_t run_id = 0;
  int64_t intervals_committed = 0;  // held after the discard
  int64_t intervals_discarded = 0;  // removed because they started at or after discard_from
  // Start of the latest interval held; InfinitePast when none is.
  absl::Time last_interval_start = absl::InfinitePast();
};

// What a restarted live run carries over (Store::LastState): the last stored interval's
// asset state and the run's ledger totals.
struct StoredRunState {
  int64_t intervals = 0;                                              // intervals stored
  absl::Time last_interval_start = absl::InfinitePast();              // InfinitePast when none
  std::map<std::string, double> battery_soc_mwh;                      // asset id -> soc_after_mwh
  std::map<std::string, assets::PeakerState> peakers;                 // asset id -> status, output
  std::array<double, market::kLedgerCauseCount> ledger_totals_gbp{};  // sums by cause
};

// One step in the life of a pending approval (docs/decisions.md, "Limits and approvals").
struct ApprovalEvent {
  enum class Kind { kPending, kApproved, kRejected, kLapsed };
  Kind kind = Kind::kPending;
  int64_t approval_id = 0;
  // The gateway's wall clock; a lapse is at its expiry, or at a lock-step resume if earlier.
  absl::Time at;
  std::string requester;  // the identity that proposed (the proposal's agent)
  std::string requester_role;
  std::string decided_by;       // approved, rejected: the approver's identity; else empty
  std::string decided_by_role;  // its role; else empty
  region::DispatchProposal proposal;
  std::string reason;       // pending: the limits exceeded; approved, rejected: the approver's
                            // reason; lapsed: why
  absl::Time expires_at;    // when it lapses (lapses) unless decided
  int64_t proposal_id = 0;  // approved: the arbiter's id; else 0
};

struct AgentPlanRecord {
  absl::Time first_interval_start = absl::UnixEpoch();  // start of power_mw[0], UTC
  std::vector<double> power_mw;  // one per settlement interval; > 0 discharge, < 0 charge
  std::vector<double> price_forecast_gbp_per_mwh;  // one per interval, or empty
  double expected_value_gbp = 0.0;                 // the agent's own estimate, £
  std::string reason;
};

// An act or refusal on one of the stack's other servers, as their processes report it
// (AuditService.RecordAuditEvent), for the audit log. docs/decisions.md, "Audit of every act".
struct AuditEvent {
  absl::Time at = absl::UnixEpoch();  // wall time the gateway received it, UTC
  std::string process;                // the reporting process ("response")
  std::string kind;                   // "refusal", "thresholds", "model_reload", "mcp_call"
  std::string identity;               // who acted or was refused; "" when unauthenticated
  std::string role;                   // that caller's role; "" likewise
  std::string detail_json;            // a JSON object
  int64_t dropped_before = 0;         // events of the process not recorded since its last
};

// Which audit rows ListAuditEvents returns: the newest `limit` (> 0) with `kind` ("" =
// every kind) at or after `since`.
struct AuditQuery {
  std::string kind;
  absl::Time since = absl::InfinitePast();
  int limit = 100;
};

// One live telemetry sample the gateway accepted, as it came (docs/decisions.md, "Raw
// telemetry samples stored"): kept whether or not it was settled.
struct StoredTelemetrySample {
  data::TelemetrySample sample;
  absl::Time received_at = absl::UnixEpoch();  // the gateway's wall clock, UTC
  bool late = false;  // its step had already settled: stored, never settled
};

// A sample's stamps as both stores keep them: ISO-8601 UTC text with the fraction of a
// second when there is one ("2023-06-01T00:00:00.25Z"), so sub-second meters keep their
// order.
inline std::string FormatSampleTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone());
}

class Store {
 public:
  virtual ~Store() = default;

  // Opens a run; later calls record into it. `config_json` is kept for the record.
  virtual absl::Status BeginRun(absl::Time replay_from, absl::Time replay_to,
                                const std::string& config_json) = 0;
  // A submitted proposal and how it was received. For kRejected, `detail` is the error;
  // `record.id` is 0 when nothing was stored in the arbiter. The proposal's agent and role
  // (the authenticated caller) are kept with it, and RecordInterval keeps each decision's.
  virtual absl::Status RecordProposal(const region::ProposalRecord& record, ProposalStatus status,
                                      const std::string& detail) = 0;
  // An agent's note on its answer to the tick at `tick` (e.g. that it held on suspect
  // telemetry): part of the audit log.
  virtual absl::Status RecordAgentNote(absl::Time tick, const std::string& agent,
                                       const std::string& note) = 0;
  // A call the gateway refused for want of a credential or a role, at wall time `at`, with
  // the number of refusals not recorded since the last recorded one (rate limit): part of
  // the audit log (docs/decisions.md, "Identities, TLS and roles").
  virtual absl::Status RecordRefusedCall(absl::Time at, const security::RefusedCall& call,
                                         int64_t dropped_before) = 0;
  // A pending approval was created, approved, rejected or lapsed: part of the audit log.
  // The default: Unimplemented (a store that cannot record approvals stops a run that
  // holds one, as any failed audit write does).
  virtual absl::Status RecordApprovalEvent(const ApprovalEvent& event);
  // An event another process of the stack reported (rate-limited by the caller): part of
  // the audit log, kept across runs like refused calls. The default: Unimplemented.
  virtual absl::Status RecordAuditEvent(const AuditEvent& event);
  // The newest audit rows matching `query`, newest first, across every run: the reported
  // events and the gateway's own refused calls (process "gateway", kind "refusal", detail
  // {"method", "code", "reason"}). Sees records not yet flushed. The default: Unimplemented.
  virtual absl::StatusOr<std::vector<AuditEvent>> ListAuditEvents(const AuditQuery& query);
  // Accepted live telemetry samples, in the order given, into the current run's batch
  // (durable at the next commit point, like every other record; never a commit point
  // itself). All of them or none. A sample whose (source, sequence) the run already holds
  // is skipped, so a redelivery or a resumed gateway never stores one twice.
  virtual absl::Status RecordTelemetrySamples(
      const std::vector<StoredTelemetrySample>& samples) = 0;
  // The plan an agent's answer to the tick at `tick` came from: part of the audit log.
  virtual absl::Status RecordPlan(absl::Time tick, const std::string& agent,
                                  const AgentPlanRecord& plan) = 0;
  // One applied step: its measured region values, the decision for every asset (with
  // battery state), and its ledger entries; all of it or nothing.
  virtual absl::Status RecordInterval(const data::GridInterval& region_values,
                                      const region::IntervalOutcome& outcome) = 0;
  // Makes everything recorded so far durable and visible to other readers.
  virtual absl::Status Flush() = 0;

  // Instead of BeginRun: reopens the latest run whose replay window and config_json equal
  // these, so that later calls record into it, and says how far it got. Records of that
  // run after its last interval (proposals, plans and notes of a tick never settled) are
  // removed: the resumed run records them again. Intervals starting at or after
  // `discard_from` are removed too, with everything recorded for their ticks (a launcher
  // that saw a process die discards what was settled without it). FailedPrecondition naming
  // what differs (or that the store holds no run) when no run matches. The default:
  // Unimplemented.
  virtual absl::StatusOr<ResumePoint> ResumeRun(absl::Time replay_from, absl::Time replay_to,
                                                const std::string& config_json,
                                                absl::Time discard_from = absl::InfiniteFuture());
  // For a resumed run re-executing an interval already held: OK if the held interval
  // (its region values, every decision with battery state, every ledger row) equals what
  // RecordInterval would write for these arguments; Internal naming the interval and the
  // first field that differs otherwise. Writes nothing. The default: Unimplemented.
  virtual absl::Status VerifyInterval(const data::GridInterval& region_values,
                                      const region::IntervalOutcome& outcome);
  // After ResumeRun: the resumed run's last stored interval (each battery's state of
  // charge after it, each peaker's status and output; a peaker's status_since is not
  // stored and comes back as InfinitePast) and its ledger totals by cause. The default:
  // Unimplemented.
  virtual absl::StatusOr<StoredRunState> LastState();
  // After ResumeRun: the run's approvals still pending (stored_approvals.h) and its largest
  // approval id. The default: Unimplemented.
  virtual absl::StatusOr<StoredApprovals> LoadApprovals();
};

inline absl::Status Store::RecordApprovalEvent(const ApprovalEvent&) {
  return absl::UnimplementedError("this store cannot record approvals");
}

inline absl::StatusOr<ResumePoint> Store::ResumeRun(absl::Time, absl::Time, const std::string&,
                                                    absl::Time) {
  return absl::UnimplementedError("this store cannot resume a run");
}

inline absl::Status Store::RecordAuditEvent(const AuditEvent&) {
  return absl::UnimplementedError("this store cannot record audit events");
}

inline absl::StatusOr<std::vector<AuditEvent>> Store::ListAuditEvents(const AuditQuery&) {
  return absl::UnimplementedError("this store cannot list audit events");
}

inline absl::StatusOr<StoredApprovals> Store::LoadApprovals() {
  return absl::UnimplementedError("this store cannot read pending approvals");
}

inline absl::StatusOr<StoredRunState> Store::LastState() {
  return absl::UnimplementedError("this store cannot read a run's last state");
}

inline absl::Status Store::VerifyInterval(const data::GridInterval&,
                                          const region::IntervalOutcome&) {
  return absl::UnimplementedError("this store cannot verify a resumed run's intervals");
}

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_GATEWAY_STORE_H_
