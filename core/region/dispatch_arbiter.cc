#include "core/region/dispatch_arbiter.h"

#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/base/time_util.h"

namespace gridpilot::region {
namespace {

// A retry must resend the same proposal; any difference, even in the reason text, means
// the key was reused for something else.
bool SameContent(const DispatchProposal& a, const DispatchProposal& b) {
  return a.agent == b.agent && a.asset_id == b.asset_id && a.priority == b.priority &&
         a.power_mw == b.power_mw && a.start == b.start && a.end == b.end &&
         a.idempotency_key == b.idempotency_key && a.reason == b.reason;
}

}  // namespace

std::string DispatchArbiter::KeyOf(const DispatchProposal& proposal) {
  if (proposal.idempotency_key.empty()) return "";
  return absl::StrCat(proposal.agent, std::string(1, '\0'), proposal.idempotency_key);
}

absl::Status DispatchArbiter::Validate(const DispatchProposal& proposal) const {
  if (proposal.agent.empty()) return absl::InvalidArgumentError("agent: must not be empty");
  const auto asset = assets_.find(proposal.asset_id);
  if (asset == assets_.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("asset_id: unknown asset \"", proposal.asset_id, "\""));
  }
  if (proposal.priority != DispatchPriority::kTrading &&
      proposal.priority != DispatchPriority::kResilience) {
    return absl::InvalidArgumentError("priority: must be trading or resilience");
  }
  if (!std::isfinite(proposal.power_mw)) {
    return absl::InvalidArgumentError(
        absl::StrFormat("power_mw: %g is not finite", proposal.power_mw));
  }
  const AssetPowerRange& range = asset->second;
  if (proposal.power_mw < range.min_mw || proposal.power_mw > range.max_mw) {
    return absl::InvalidArgumentError(
        absl::StrFormat("power_mw: %g MW is outside [%g, %g] MW for asset %s", proposal.power_mw,
                        range.min_mw, range.max_mw, proposal.asset_id));
  }
  if (proposal.power_mw > 0.0 && proposal.power_mw < range.min_positive_mw) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "power_mw: %g MW is below the min stable load %g MW of asset %s: ask for 0 (off) or "
        "[%g, %g] MW",
        proposal.power_mw, range.min_positive_mw, proposal.asset_id, range.min_positive_mw,
        range.max_mw));
  }
  if (proposal.end <= proposal.start) {
    return absl::InvalidArgumentError(absl::StrCat("end: ", base::FormatUtcTimestamp(proposal.end),
                                                   " must be after start ",
                                                   base::FormatUtcTimestamp(proposal.start)));
  }
  const auto seen = keys_.find(KeyOf(proposal));
  if (seen != keys_.end() && !SameContent(seen->second.second, proposal)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "idempotency_key: \"", proposal.idempotency_key, "\" was already used by agent ",
        proposal.agent, " for a different proposal (id ", seen->second.first, ")"));
  }
  return absl::OkStatus();
}

absl::StatusOr<DispatchArbiter::SubmitResult> DispatchArbiter::Submit(
    const DispatchProposal& proposal, absl::Time now) {
  absl::Status valid = Validate(proposal);
  if (!valid.ok()) return valid;
  const std::string key = KeyOf(proposal);
  const auto seen = keys_.find(key);
  if (seen != keys_.end()) return SubmitResult{seen->second.first, true};

  const int64_t id = next_id_++;
  proposals_[id] = ProposalRecord{id, proposal, now, false};
  if (!key.empty()) {
    keys_[key] = {id, proposal};
    keys_by_end_.emplace(proposal.end, key);
  }
  return SubmitResult{id, false};
}

absl::Status DispatchArbiter::Cancel(int64_t proposal_id) {
  const auto it = proposals_.find(proposal_id);
  if (it != proposals_.end()) {
    it->second.cancelled = true;
    return absl::OkStatus();
  }
  // An id the arbiter issued but has since expired no longer governs anything, so
  // cancelling it succeeds as a no-op; only ids never issued are unknown.
  if (proposal_id >= 1 && proposal_id < next_id_) return absl::OkStatus();
  return absl::NotFoundError(absl::StrCat("proposal ", proposal_id, " not found"));
}

std::optional<ProposalRecord> DispatchArbiter::Resolve(const std::string& asset_id, absl::Time t,
                                                       DispatchPriority max_priority) const {
  const ProposalRecord* winner = Winner(asset_id, t, max_priority);
  if (winner == nullptr) return std::nullopt;
  return *winner;
}

const ProposalRecord* DispatchArbiter::Winner(const std::string& asset_id, absl::Time t,
                                              DispatchPriority max_priority) const {
  const ProposalRecord* best = nullptr;
  // proposals_ is ordered by id, which is submission order, so among equal priorities
  // the last one seen is the most recent.
  for (const auto& [id, record] : proposals_) {
    const DispatchProposal& p = record.proposal;
    if (record.cancelled || p.asset_id != asset_id || t < p.start || t >= p.end ||
        p.priority > max_priority) {
      continue;
    }
    if (best == nullptr || p.priority >= best->proposal.priority) best = &record;
  }
  return best;
}

void DispatchArbiter::ExpireBefore(absl::Time t) {
  for (auto it = proposals_.begin(); it != proposals_.end();) {
    it = it->second.proposal.end <= t ? proposals_.erase(it) : std::next(it);
  }
  const absl::Time keys_before = t - key_window_;
  while (!keys_by_end_.empty() && keys_by_end_.begin()->first <= keys_before) {
    keys_.erase(keys_by_end_.begin()->second);
    keys_by_end_.erase(keys_by_end_.begin());
  }
}

std::vector<ProposalRecord> DispatchArbiter::Active() const {
  std::vector<ProposalRecord> out;
  out.reserve(proposals_.size());
  for (const auto& [id, record] : proposals_) out.push_back(record);
  return out;
}

}  // namespace gridpilot::region
