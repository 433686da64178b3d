// Per-identity limits on dispatch proposals, and the pure decision the gateway takes on
// each proposal of a caller: apply it as today, hold it as a pending approval for an
// operator, or refuse it. No clocks, no gRPC: the gateway passes the caller, the proposal,
// the caller's recent actions and the time (docs/decisions.md, "Limits and approvals").
#ifndef GRIDPILOT_CORE_REGION_DISPATCH_LIMITS_H_
#define GRIDPILOT_CORE_REGION_DISPATCH_LIMITS_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "core/region/dispatch_arbiter.h"

namespace gridpilot::region {

// What one identity or role may do without an operator's approval. Every unset field is
// unlimited.
struct DispatchLimits {
  std::optional<double> max_abs_power_mw;       // largest |power_mw|, MW, > 0
  std::optional<absl::Duration> max_lease;      // longest end - start, > 0
  std::optional<int> max_actions_per_hour;      // proposals applied within limits in the
                                                // last hour of the gateway's clock, >= 0
  std::optional<std::set<std::string>> assets;  // asset ids it may propose for
  // The highest band within limits. Unset: resilience, except for the "ai-agent" role,
  // whose band is trading unless its limits name one (an AI agent never outranks the
  // resilience agent unless configured to).
  std::optional<DispatchPriority> max_priority;
};

// The gateway's limits: an identity's entry wins over its role's; an identity with
// neither is unlimited.
struct LimitTable {
  std::map<std::string, DispatchLimits> by_identity;
  std::map<std::string, DispatchLimits> by_role;
  // How long a pending approval waits for an operator before it lapses.
  absl::Duration approval_timeout = absl::Minutes(15);
  // Pending approvals one identity may hold; one more is refused.
  int max_pending_per_identity = 20;
};

// Bounds the config reader checks the table against.
inline constexpr absl::Duration kMaxApprovalTimeout = absl::Hours(24);
inline constexpr int kMaxPendingPerIdentity = 1000;
inline constexpr int kMaxActionsPerHourLimit = 3600;
inline constexpr double kMaxPowerLimitMw = 100000.0;
inline constexpr absl::Duration kMaxLeaseLimit = absl::Hours(24 * 7);

// The table with no configuration: the "ai-agent" role at 10 MW, 2 h leases, 6 actions
// an hour, every asset, trading band; every other role unlimited.
LimitTable DefaultLimitTable();

// The limits that apply to `identity` of `role`, or null when it is unlimited. The
// pointer is into `table`.
const DispatchLimits* LimitsFor(const LimitTable& table, const std::string& identity,
                                const std::string& role);

enum class LimitOutcome { kApply, kPending, kRefuse };

struct LimitVerdict {
  LimitOutcome outcome = LimitOutcome::kApply;
  std::string reason;  // kPending: every limit exceeded; kRefuse: why; kApply: empty
};

// The decision on one well-formed proposal of `identity` (of `role`) at `now`:
// kApply when it is within every limit of LimitsFor(table, identity, role); otherwise
// kPending naming each limit it exceeds, or kRefuse when the identity already holds
// `pending_held` >= table.max_pending_per_identity approvals. `recent_actions` are the
// times of the identity's proposals applied within limits (any order); those in
// (now - 1 h, now] count against max_actions_per_hour.
LimitVerdict EvaluateLimits(const LimitTable& table, const std::string& identity,
                            const std::string& role, const DispatchProposal& proposal,
                            const std::vector<absl::Time>& recent_actions, int pending_held,
                            absl::Time now);

}  // namespace gridpilot::region

#endif  // GRIDPILOT_CORE_REGION_DISPATCH_LIMITS_H_
