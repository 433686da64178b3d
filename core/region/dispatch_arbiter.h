// The dispatch arbiter: holds agents' proposals and decides, for each asset and
// interval, which one wins. Resilience outranks trading; a lease bounds every proposal
// in time; an idempotency key makes a retried submission a no-op.
// Not thread-safe: the gateway serialises access.
#ifndef GRIDPILOT_CORE_REGION_DISPATCH_ARBITER_H_
#define GRIDPILOT_CORE_REGION_DISPATCH_ARBITER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace gridpilot::region {

enum class DispatchPriority { kUnspecified = 0, kTrading = 1, kResilience = 2 };

// What an agent asks of one asset.
struct DispatchProposal {
  std::string agent;     // who asks, non-empty
  std::string asset_id;  // a registered asset
  DispatchPriority priority = DispatchPriority::kUnspecified;
  double power_mw = 0.0;        // battery: > 0 discharge, < 0 charge; peaker: output >= 0
  absl::Time start;             // the lease: the proposal applies to intervals starting
  absl::Time end;               // in [start, end)
  std::string idempotency_key;  // optional; unique per agent
  std::string reason;           // free text for the audit log
};

struct ProposalRecord {
  int64_t id = 0;  // assigned by the arbiter, increasing from 1
  DispatchProposal proposal;
  absl::Time submitted_at;  // clock time of submission
  bool cancelled = false;
};

// The power range an asset accepts, MW (battery: [-max_charge, +max_discharge];
// peaker: 0 or [min stable load, capacity]).
struct AssetPowerRange {
  double min_mw = 0.0;
  double max_mw = 0.0;
  // The smallest positive power the asset can run at (a peaker's min stable load); a
  // request in (0, min_positive_mw) is refused rather than starting the unit
  // (docs/decisions.md, "Input bounds").
  double min_positive_mw = 0.0;
};

class DispatchArbiter {
 public:
  explicit DispatchArbiter(std::map<std::string, AssetPowerRange> assets)
      : assets_(std::move(assets)) {}

  struct SubmitResult {
    int64_t proposal_id = 0;
    bool duplicate = false;  // true: the key was seen before; nothing new was stored
  };

  // Stores a proposal. InvalidArgument (message names the field) for: empty agent,
  // unknown asset, unspecified priority, non-finite power, power outside the asset's
  // range or in (0, min_positive_mw), end <= start, or an idempotency key reused by the same agent
  // for a different proposal. A repeat of an earlier (agent, key) with the same content returns the
  // original id with duplicate = true.
  absl::StatusOr<SubmitResult> Submit(const DispatchProposal& proposal, absl::Time now);

  // The checks Submit makes, without storing anything: OK exactly when Submit would
  // succeed. Lets a caller validate a batch before storing any of it.
  absl::Status Validate(const DispatchProposal& proposal) const;

  // Cancels a proposal. NotFound for an unknown id; cancelling twice is OK.
  absl::Status Cancel(int64_t proposal_id);

  // The proposal that governs `asset_id` for the interval starting at `t`: among
  // proposals not cancelled with start <= t < end, the highest priority, then the most
  // recently submitted. nullopt when none applies.
  // With `max_priority`, proposals above it are ignored (e.g. kTrading: what trading
  // alone would have applied).
  std::optional<ProposalRecord> Resolve(
      const std::string& asset_id, absl::Time t,
      DispatchPriority max_priority = DispatchPriority::kResilience) const;

  // Forgets proposals whose lease ended at or before `t` (idempotency keys are kept).
  void ExpireBefore(absl::Time t);

  // Proposals currently held (not yet expired), by id.
  std::vector<ProposalRecord> Active() const;

 private:
  // "agent\0key", or empty when the proposal has no idempotency key.
  static std::string KeyOf(const DispatchProposal& proposal);

  std::map<std::string, AssetPowerRange> assets_;
  std::map<int64_t, ProposalRecord> proposals_;
  absl::flat_hash_map<std::string, std::pair<int64_t, DispatchProposal>> keys_;  // agent\0key
  int64_t next_id_ = 1;
};

}  // namespace gridpilot::region

#endif  // GRIDPILOT_CORE_REGION_DISPATCH_ARBITER_H_
