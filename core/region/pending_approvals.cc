#include "core/region/pending_approvals.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace gridpilot::region {

const PendingApproval& PendingApprovals::Add(const std::string& identity, const std::string& role,
                                             const DispatchProposal& proposal,
                                             const std::string& reason, absl::Time created_at,
                                             absl::Time expires_at) {
  PendingApproval entry;
  entry.id = next_id_++;
  entry.identity = identity;
  entry.role = role;
  entry.proposal = proposal;
  entry.reason = reason;
  entry.created_at = created_at;
  entry.expires_at = expires_at;
  return held_.emplace(entry.id, std::move(entry)).first->second;
}

absl::Status PendingApprovals::Restore(const PendingApproval& entry, int64_t max_used_id) {
  if (entry.id < 1 || held_.contains(entry.id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("approval ", entry.id, ": not a positive id, or already held"));
  }
  held_.emplace(entry.id, entry);
  next_id_ = std::max({next_id_, entry.id + 1, max_used_id + 1});
  return absl::OkStatus();
}

const PendingApproval* PendingApprovals::FindByKey(const std::string& identity,
                                                   const std::string& key) const {
  if (key.empty()) return nullptr;
  for (const auto& [id, entry] : held_) {
    if (entry.identity == identity && entry.proposal.idempotency_key == key) return &entry;
  }
  return nullptr;
}

const PendingApproval* PendingApprovals::Find(int64_t id) const {
  auto it = held_.find(id);
  return it == held_.end() ? nullptr : &it->second;
}

int PendingApprovals::HeldBy(const std::string& identity) const {
  return static_cast<int>(std::count_if(held_.begin(), held_.end(), [&identity](const auto& entry) {
    return entry.second.identity == identity;
  }));
}

absl::StatusOr<PendingApproval> PendingApprovals::Take(int64_t id) {
  auto it = held_.find(id);
  if (it == held_.end()) {
    return absl::NotFoundError(
        absl::StrCat("approval ", id, " is not pending (unknown, already decided, or lapsed)"));
  }
  PendingApproval entry = std::move(it->second);
  held_.erase(it);
  return entry;
}

std::vector<PendingApproval> PendingApprovals::TakeLapsed(absl::Time now) {
  std::vector<PendingApproval> lapsed;
  for (auto it = held_.begin(); it != held_.end();) {
    if (it->second.expires_at <= now) {
      lapsed.push_back(std::move(it->second));
      it = held_.erase(it);
    } else {
      ++it;
    }
  }
  return lapsed;
}

std::vector<PendingApproval> PendingApprovals::List() const {
  std::vector<PendingApproval> out;
  out.reserve(held_.size());
  for (const auto& [id, entry] : held_) out.push_back(entry);
  return out;
}

}  // namespace gridpilot::region
