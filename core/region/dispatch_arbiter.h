// The dispatch arbiter: holds agents' proposals and decides, for each asset and
// interval, which one wins. Resilience outranks trading; a lease bounds every proposal
// in time; an idempotency key makes a retried submission a no-op for as long as the key is
// remembered: until `key_window` after its proposal's lease ended (docs/decisions.md,
// "Memory bounds").
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
  std::string role;      // the authenticated role of who asks; "" when unauthenticated
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

// How long an idempotency key is remembered after its proposal's lease ended.
inline constexpr absl::Duration kDefaultIdempotencyKeyWindow = absl::Hours(1);

class DispatchArbiter {
 public:
  // `key_window` (>= 0): an idempotency key is forgotten once its proposal's lease ended
  // more than this before the time given to ExpireBefore.
  explicit DispatchArbiter(std::map<std::string, AssetPowerRange> assets,
                           absl::Duration key_window = kDefaultIdempotencyKeyWindow)
      : assets_(std::move(assets)), key_window_(key_window) {}

  struct SubmitResult {
    int64_t proposal_id = 0;
    bool duplicate = false;  // true: the key was seen before; nothing new was stored
  };

  // Stores a proposal. InvalidArgument (message names the field) for: empty agent,
  // unknown asset, unspecified priority, non-finite power, power outside the asset's
  // range or in (0, min_positive_mw), end <= start, or an idempotency key reused by the same agent
  // for a different proposal. A repeat of an earlier (agent, key) with the same content returns the
  // original id with duplicate = true, while the key is remembered; once it is forgotten
  // (ExpireBefore) a repeat is a new proposal with a new id, whose lease has long ended.
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
  // The same proposal without a copy: null when none applies; valid until the arbiter is
  // next changed (Submit, Cancel, ExpireBefore).
  const ProposalRecord* Winner(const std::string& asset_id, absl::Time t,
                               DispatchPriority max_priority = DispatchPriority::kResilience) const;

  // Forgets proposals (cancelled or not) whose lease ended at or before `t`, and the
  // idempotency keys of proposals whose lease ended at or before `t - key_window`.
  void ExpireBefore(absl::Time t);

  // Proposals currently held (not yet expired), by id.
  std::vector<ProposalRecord> Active() const;

  // Idempotency keys currently remembered, and proposals currently held.
  size_t keys_held() const { return keys_.size(); }
  size_t proposals_held() const { return proposals_.size(); }

 private:
  // "agent\0key", or empty when the proposal has no idempotency key.
  static std::string KeyOf(const DispatchProposal& proposal);

  std::map<std::string, AssetPowerRange> assets_;
  std::map<int64_t, ProposalRecord> proposals_;
  const absl::Duration key_window_;
  absl::flat_hash_map<std::string, std::pair<int64_t, DispatchProposal>> keys_;  // agent\0key
  // The keys of keys_ by their proposal's lease end, to forget the oldest first.
  std::multimap<absl::Time, std::string> keys_by_end_;
  int64_t next_id_ = 1;
};

}  // namespace gridpilot::region

#endif  // GRIDPILOT_CORE_REGION_DISPATCH_ARBITER_H_
