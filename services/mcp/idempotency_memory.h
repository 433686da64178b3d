// IdempotencyMemory: the outcomes of acting tool calls, remembered by (caller role, tool,
// idempotency key) so that a client retrying a call (after a lost reply, say) gets the
// first outcome back instead of acting twice. Bounded: the oldest entries are forgotten
// first once `capacity` are held. Thread-safe.
#ifndef GRIDPILOT_SERVICES_MCP_IDEMPOTENCY_MEMORY_H_
#define GRIDPILOT_SERVICES_MCP_IDEMPOTENCY_MEMORY_H_

#include <deque>
#include <map>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "services/mcp/tool_table.h"

namespace gridpilot::mcp {

class IdempotencyMemory {
 public:
  explicit IdempotencyMemory(size_t capacity) : capacity_(capacity) {}

  // The outcome remembered for `key`, if any.
  std::optional<ToolOutcome> Find(const std::string& key) const;
  // Remembers `outcome` for `key` (a later Remember of the same key is ignored).
  void Remember(const std::string& key, const ToolOutcome& outcome);
  size_t size() const;

 private:
  const size_t capacity_;
  mutable absl::Mutex mutex_;
  std::map<std::string, ToolOutcome> outcomes_ ABSL_GUARDED_BY(mutex_);
  std::deque<std::string> order_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace gridpilot::mcp

#endif  // GRIDPILOT_SERVICES_MCP_IDEMPOTENCY_MEMORY_H_
