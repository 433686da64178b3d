#include "services/mcp/idempotency_memory.h"

namespace gridpilot::mcp {

std::optional<ToolOutcome> IdempotencyMemory::Find(const std::string& key) const {
  absl::MutexLock lock(&mutex_);
  const auto found = outcomes_.find(key);
  if (found == outcomes_.end()) return std::nullopt;
  return found->second;
}

void IdempotencyMemory::Remember(const std::string& key, const ToolOutcome& outcome) {
  absl::MutexLock lock(&mutex_);
  if (capacity_ == 0 || outcomes_.count(key) > 0) return;
  while (order_.size() >= capacity_) {
    outcomes_.erase(order_.front());
    order_.pop_front();
  }
  outcomes_[key] = outcome;
  order_.push_back(key);
}

size_t IdempotencyMemory::size() const {
  absl::MutexLock lock(&mutex_);
  return outcomes_.size();
}

}  // namespace gridpilot::mcp
