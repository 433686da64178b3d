#include "services/gateway/recent_decision_log.h"

#include <algorithm>

#include "services/common/proto_time.h"

namespace gridpilot {

RecentDecisionLog::RecentDecisionLog(size_t capacity) : ring_(std::max<size_t>(capacity, 1)) {}

void RecentDecisionLog::Add(absl::Time interval_start,
                            const std::vector<region::AssetDecision>& decisions) {
  for (const region::AssetDecision& d : decisions) {
    Entry& e = ring_[next_];
    e.interval_start = interval_start;
    e.asset_id = d.asset_id;
    e.proposal_id = d.proposal_id;
    e.agent = d.agent;
    e.requested_mw = d.requested_mw;
    e.applied_mw = d.applied_mw;
    e.reason = d.reason;
    next_ = (next_ + 1) % ring_.size();
    size_ = std::min(size_ + 1, ring_.size());
  }
}

std::vector<v1::Decision> RecentDecisionLog::Newest(size_t limit) const {
  const size_t n = std::min(limit, size_);
  std::vector<v1::Decision> out;
  out.reserve(n);
  for (size_t k = 0; k < n; ++k) {
    const Entry& e = ring_[(next_ + ring_.size() - n + k) % ring_.size()];
    v1::Decision& d = out.emplace_back();
    *d.mutable_interval_start() = ToProtoTime(e.interval_start);
    d.set_asset_id(e.asset_id);
    d.set_proposal_id(e.proposal_id);
    d.set_agent(e.agent);
    d.set_requested_mw(e.requested_mw);
    d.set_applied_mw(e.applied_mw);
    d.set_reason(e.reason);
  }
  return out;
}

}  // namespace gridpilot
