// The pending approvals a restarted gateway takes over from its store (Store::
// LoadApprovals): the "pending" rows of the run with no later approved, rejected or lapsed
// row for the same id, and the largest id the run used, so new ids do not repeat old ones.
// Both stores read the same columns as text and parse them here, so they agree. Also the
// run's approvals an operator approved, which a lock-step resume refuses (GatewayRun::Create).
// docs/decisions.md, "Approvals on the console and across gateway restarts".
#ifndef GRIDPILOT_SERVICES_GATEWAY_STORED_APPROVALS_H_
#define GRIDPILOT_SERVICES_GATEWAY_STORED_APPROVALS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/region/pending_approvals.h"

namespace gridpilot {

// An approval an operator approved: its proposal was applied to the run.
struct ApprovedApproval {
  int64_t id = 0;
  std::string decided_by;                        // the approver's identity
  absl::Time decided_at = absl::InfinitePast();  // wall clock, whole seconds
};

struct StoredApprovals {
  std::vector<region::PendingApproval> pending;    // oldest first, as first recorded
  int64_t max_approval_id = 0;                     // 0 when the run has none
  std::optional<ApprovedApproval> first_approved;  // the earliest recorded; none when none
  int64_t approved_count = 0;
};

// Most pending approvals one run restores; more is a store no gateway wrote (each identity
// holds at most 1000, docs/decisions.md "Limits and approvals").
inline constexpr int kMaxRestoredApprovals = 100000;

// The selected columns, in this order, after the run id parameter: the SQL both stores run,
// with ORDER_COLUMN their insertion order column (SQLite rowid, PostgreSQL row_seq) and
// PARAM their placeholder for the run id.
std::string PendingApprovalsSql(const std::string& order_column, const std::string& param);

// The run's earliest "approved" row (approval_id, decided_by, at) and the count of such rows
// (no row when there are none), with ORDER_COLUMN and PARAM as above.
std::string FirstApprovedSql(const std::string& order_column, const std::string& param);

// One row of FirstApprovedSql (cells as text) into stored->first_approved and
// stored->approved_count. Internal naming the run and the column for a cell the gateway never
// writes.
absl::Status ReadFirstApprovedRow(int64_t run_id,
                                  const std::vector<std::optional<std::string>>& cells,
                                  StoredApprovals* stored);

// One row of PendingApprovalsSql (cells as text, nullopt for NULL) -> the held entry.
// Internal naming the run, the approval id and the column when a cell is not what the
// gateway writes.
absl::StatusOr<region::PendingApproval> PendingApprovalFromRow(
    int64_t run_id, const std::vector<std::optional<std::string>>& cells);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_GATEWAY_STORED_APPROVALS_H_
