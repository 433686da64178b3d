// RecentDecisionLog: the arbiter's last per-asset decisions, newest last, for
// AssetService.ListDecisions. A ring of a fixed number of entries whose strings are
// assigned in place, so keeping a step's decisions allocates nothing once the ring has
// filled (the gateway's run thread keeps every step's); protos are built only when read.
// Not thread-safe: GatewayRun holds it under its mutex.
#ifndef GRIDPILOT_SERVICES_GATEWAY_RECENT_DECISION_LOG_H_
#define GRIDPILOT_SERVICES_GATEWAY_RECENT_DECISION_LOG_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "core/region/region_engine.h"
#include "gridpilot/v1/asset.pb.h"

namespace gridpilot {

class RecentDecisionLog {
 public:
  // Keeps the last `capacity` decisions (> 0).
  explicit RecentDecisionLog(size_t capacity);

  // Keeps each of `decisions` (in order) as decided for the step at `interval_start`,
  // dropping the oldest beyond the capacity.
  void Add(absl::Time interval_start, const std::vector<region::AssetDecision>& decisions);

  // The newest min(limit, size()) decisions, oldest of them first.
  std::vector<v1::Decision> Newest(size_t limit) const;
  size_t size() const { return size_; }

 private:
  struct Entry {
    absl::Time interval_start;
    std::string asset_id;
    int64_t proposal_id = 0;
    std::string agent;
    double requested_mw = 0.0;
    double applied_mw = 0.0;
    std::string reason;
  };
  std::vector<Entry> ring_;
  size_t next_ = 0;  // where the next decision goes
  size_t size_ = 0;  // entries kept, <= ring_.size()
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_GATEWAY_RECENT_DECISION_LOG_H_
