// The proposals held for an operator's approval because they were beyond their caller's
// limits (core/region/dispatch_limits.h): each with who asked, why it is held, and when
// it lapses. A plain container: not thread-safe (the gateway guards it), no clock (the
// caller passes the time).
#ifndef GRIDPILOT_CORE_REGION_PENDING_APPROVALS_H_
#define GRIDPILOT_CORE_REGION_PENDING_APPROVALS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/region/dispatch_arbiter.h"

namespace gridpilot::region {

struct PendingApproval {
  int64_t id = 0;        // increasing from the container's first id
  std::string identity;  // who proposed (the proposal's agent)
  std::string role;      // that identity's role
  DispatchProposal proposal;
  std::string reason;     // which limits it is beyond
  absl::Time created_at;  // the gateway's clock
  absl::Time expires_at;  // it lapses at this time unless decided before
};

class PendingApprovals {
 public:
  explicit PendingApprovals(int64_t first_id = 1) : next_id_(first_id) {}

  // Holds `proposal` of `identity` (`role`) until `expires_at` (> created_at) and returns
  // the held entry.
  const PendingApproval& Add(const std::string& identity, const std::string& role,
                             const DispatchProposal& proposal, const std::string& reason,
                             absl::Time created_at, absl::Time expires_at);

  // Holds `entry` as it was held before a restart, with its own id, and keeps later ids
  // above `max_used_id` and every restored id. InvalidArgument when its id is not positive
  // or already held.
  absl::Status Restore(const PendingApproval& entry, int64_t max_used_id);

  // The held entry of `identity` with this non-empty idempotency key, or null.
  const PendingApproval* FindByKey(const std::string& identity, const std::string& key) const;

  // The held entry `id`, or null.
  const PendingApproval* Find(int64_t id) const;

  // How many entries `identity` holds.
  int HeldBy(const std::string& identity) const;

  // Removes and returns entry `id`. NotFound naming the id when it is not held (never
  // was, already decided, or lapsed).
  absl::StatusOr<PendingApproval> Take(int64_t id);

  // Removes and returns every entry with expires_at <= now, oldest id first.
  std::vector<PendingApproval> TakeLapsed(absl::Time now);

  // Every held entry, oldest id first.
  std::vector<PendingApproval> List() const;

  bool empty() const { return held_.empty(); }

 private:
  int64_t next_id_;
  std::map<int64_t, PendingApproval> held_;
};

}  // namespace gridpilot::region

#endif  // GRIDPILOT_CORE_REGION_PENDING_APPROVALS_H_
