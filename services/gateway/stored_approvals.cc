#include "services/gateway/stored_approvals.h"

#include <cmath>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/base/time_util.h"

namespace gridpilot {

namespace {

constexpr const char* kColumns[] = {
    "approval_id",     "at",       "requester",   "requester_role", "asset_id",
    "priority",        "power_mw", "lease_start", "lease_end",      "idempotency_key",
    "proposal_reason", "reason",   "expires_at"};
constexpr size_t kColumnCount = sizeof(kColumns) / sizeof(kColumns[0]);

}  // namespace

std::string PendingApprovalsSql(const std::string& order_column, const std::string& param) {
  std::string columns;
  for (size_t i = 0; i < kColumnCount; ++i) {
    absl::StrAppend(&columns, i == 0 ? "" : ", ", "a.", kColumns[i]);
  }
  return absl::StrCat("SELECT ", columns, " FROM approvals a WHERE a.run_id = ", param,
                      " AND a.event = 'pending' AND NOT EXISTS (SELECT 1 FROM approvals d "
                      "WHERE d.run_id = a.run_id AND d.approval_id = a.approval_id AND "
                      "d.event <> 'pending' AND d.",
                      order_column, " > a.", order_column, ") ORDER BY a.", order_column, " LIMIT ",
                      kMaxRestoredApprovals + 1);
}

std::string FirstApprovedSql(const std::string& order_column, const std::string& param) {
  return absl::StrCat(
      "SELECT a.approval_id, a.decided_by, a.at, (SELECT COUNT(*) FROM approvals c WHERE "
      "c.run_id = a.run_id AND c.event = 'approved') FROM approvals a WHERE a.run_id = ",
      param, " AND a.event = 'approved' ORDER BY a.", order_column, " LIMIT 1");
}

absl::Status ReadFirstApprovedRow(int64_t run_id,
                                  const std::vector<std::optional<std::string>>& cells,
                                  StoredApprovals* stored) {
  constexpr const char* kApprovedColumns[] = {"approval_id", "decided_by", "at", "count"};
  constexpr size_t kApprovedColumnCount = sizeof(kApprovedColumns) / sizeof(kApprovedColumns[0]);
  if (cells.size() != kApprovedColumnCount) {
    return absl::InternalError(absl::StrCat("approved approvals of run ", run_id, ": ",
                                            cells.size(), " columns read, ", kApprovedColumnCount,
                                            " expected"));
  }
  auto bad = [&](size_t column, absl::string_view why) {
    return absl::InternalError(absl::StrCat("approved approvals of run ", run_id, ": ",
                                            kApprovedColumns[column], " \"",
                                            cells[column].value_or("NULL"), "\": ", why));
  };
  ApprovedApproval approved;
  if (!absl::SimpleAtoi(cells[0].value_or(""), &approved.id) || approved.id < 1) {
    return bad(0, "not an id");
  }
  approved.decided_by = cells[1].value_or("");
  absl::StatusOr<absl::Time> at = base::ParseUtcTimestamp(cells[2].value_or(""));
  if (!at.ok()) return bad(2, at.status().message());
  approved.decided_at = *at;
  int64_t count = 0;
  if (!absl::SimpleAtoi(cells[3].value_or(""), &count) || count < 1) return bad(3, "not a count");
  stored->first_approved = std::move(approved);
  stored->approved_count = count;
  return absl::OkStatus();
}

absl::StatusOr<region::PendingApproval> PendingApprovalFromRow(
    int64_t run_id, const std::vector<std::optional<std::string>>& cells) {
  if (cells.size() != kColumnCount) {
    return absl::InternalError(absl::StrCat("approvals of run ", run_id, ": ", cells.size(),
                                            " columns read, ", kColumnCount, " expected"));
  }
  std::string where = absl::StrCat("approvals of run ", run_id);
  auto bad = [&](size_t column, absl::string_view why) {
    return absl::InternalError(absl::StrCat(where, ": ", kColumns[column], " \"",
                                            cells[column].value_or("NULL"), "\": ", why));
  };
  auto text = [&](size_t column) { return cells[column].value_or(""); };
  auto time = [&](size_t column) -> absl::StatusOr<absl::Time> {
    absl::StatusOr<absl::Time> parsed = base::ParseUtcTimestamp(text(column));
    if (!parsed.ok()) return bad(column, parsed.status().message());
    return *parsed;
  };
  region::PendingApproval entry;
  if (!absl::SimpleAtoi(text(0), &entry.id) || entry.id < 1) return bad(0, "not an id");
  where = absl::StrCat(where, ", approval ", entry.id);
  absl::StatusOr<absl::Time> created = time(1);
  if (!created.ok()) return created.status();
  entry.created_at = *created;
  entry.identity = text(2);
  entry.role = text(3);
  entry.proposal.agent = entry.identity;
  entry.proposal.role = entry.role;
  entry.proposal.asset_id = text(4);
  int priority = 0;
  if (!absl::SimpleAtoi(text(5), &priority) || priority < 1 || priority > 2) {
    return bad(5, "not a priority band");
  }
  entry.proposal.priority = static_cast<region::DispatchPriority>(priority);
  if (!absl::SimpleAtod(text(6), &entry.proposal.power_mw) ||
      !std::isfinite(entry.proposal.power_mw)) {
    return bad(6, "not a finite power");
  }
  absl::StatusOr<absl::Time> start = time(7);
  if (!start.ok()) return start.status();
  absl::StatusOr<absl::Time> end = time(8);
  if (!end.ok()) return end.status();
  entry.proposal.start = *start;
  entry.proposal.end = *end;
  entry.proposal.idempotency_key = text(9);
  entry.proposal.reason = text(10);
  entry.reason = text(11);
  absl::StatusOr<absl::Time> expires = time(12);
  if (!expires.ok()) return expires.status();
  entry.expires_at = *expires;
  if (entry.expires_at <= entry.created_at) return bad(12, "not after its creation");
  return entry;
}

}  // namespace gridpilot
