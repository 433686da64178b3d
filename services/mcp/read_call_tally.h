// ReadCallTally: successful read-only tool calls, gathered for the audit log. Each act,
// what-if and failed call gets its own audit row (mcp_call_audit.h); a successful read
// instead counts towards one row per (caller's token, MCP session, tool) per period, so a
// client that polls is on the record (who read what, how often, when) without spending
// the audit log's rate budget on rows that change nothing. The row keeps the last call's
// arguments. Bounded: at most kMaxReadTallyKeys keys between two Takes; calls beyond them
// are counted in overflow_calls, never lost silently. Thread-safe.
#ifndef GRIDPILOT_SERVICES_MCP_READ_CALL_TALLY_H_
#define GRIDPILOT_SERVICES_MCP_READ_CALL_TALLY_H_

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/mcp/mcp_call_audit.h"

namespace gridpilot::mcp {

inline constexpr size_t kMaxReadTallyKeys = 1000;

struct ReadTallyRow {
  ToolCallRecord last;  // the latest call of this key (its caller, tool, arguments)
  int64_t calls = 0;    // >= 1
  absl::Time first_at;  // the first call's time
  absl::Time last_at;   // the latest call's time
};

struct ReadTallyTake {
  std::vector<ReadTallyRow> rows;  // by first call, oldest first
  int64_t overflow_calls = 0;      // reads not tallied: the key table was full
};

class ReadCallTally {
 public:
  // Counts `record` (a successful read-only call) at `at`.
  void Add(const ToolCallRecord& record, absl::Time at);
  // The rows gathered since the last Take, and starts afresh.
  ReadTallyTake Take();

 private:
  using Key = std::tuple<std::string, std::string, std::string>;  // token, session, tool
  absl::Mutex mu_;
  std::map<Key, ReadTallyRow> rows_ ABSL_GUARDED_BY(mu_);
  int64_t overflow_calls_ ABSL_GUARDED_BY(mu_) = 0;
};

// The audit row's detail for a tallied read: ToolCallAuditDetail of its last call, plus
// calls, first_at and last_at (UTC).
nlohmann::json ReadTallyAuditDetail(const ReadTallyRow& row);

}  // namespace gridpilot::mcp

#endif  // GRIDPILOT_SERVICES_MCP_READ_CALL_TALLY_H_
