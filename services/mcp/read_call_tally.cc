#include "services/mcp/read_call_tally.h"

#include <algorithm>
#include <utility>

#include "core/base/time_util.h"

namespace gridpilot::mcp {

void ReadCallTally::Add(const ToolCallRecord& record, absl::Time at) {
  absl::MutexLock lock(&mu_);
  Key key{record.caller.bearer_token, record.caller.session_id, record.tool};
  auto it = rows_.find(key);
  if (it == rows_.end()) {
    if (rows_.size() >= kMaxReadTallyKeys) {
      ++overflow_calls_;
      return;
    }
    ReadTallyRow row;
    row.first_at = at;
    it = rows_.emplace(std::move(key), std::move(row)).first;
  }
  it->second.last = record;
  ++it->second.calls;
  it->second.last_at = at;
}

ReadTallyTake ReadCallTally::Take() {
  ReadTallyTake out;
  {
    absl::MutexLock lock(&mu_);
    out.rows.reserve(rows_.size());
    for (auto& [key, row] : rows_) out.rows.push_back(std::move(row));
    rows_.clear();
    out.overflow_calls = std::exchange(overflow_calls_, 0);
  }
  std::stable_sort(
      out.rows.begin(), out.rows.end(),
      [](const ReadTallyRow& a, const ReadTallyRow& b) { return a.first_at < b.first_at; });
  return out;
}

nlohmann::json ReadTallyAuditDetail(const ReadTallyRow& row) {
  nlohmann::json detail = ToolCallAuditDetail(row.last);
  detail["calls"] = row.calls;
  detail["first_at"] = base::FormatUtcTimestamp(row.first_at);
  detail["last_at"] = base::FormatUtcTimestamp(row.last_at);
  return detail;
}

}  // namespace gridpilot::mcp
