#include "services/mcp/mcp_session.h"

namespace gridpilot::mcp {

std::string McpSession::protocol_version() const {
  absl::MutexLock lock(&mutex_);
  return protocol_version_;
}

void McpSession::set_protocol_version(std::string version) {
  absl::MutexLock lock(&mutex_);
  protocol_version_ = std::move(version);
}

int McpSession::log_rank() const {
  absl::MutexLock lock(&mutex_);
  return log_rank_;
}

void McpSession::set_log_rank(int rank) {
  absl::MutexLock lock(&mutex_);
  log_rank_ = rank;
}

bool McpSession::Subscribe(const std::string& uri) {
  absl::MutexLock lock(&mutex_);
  return subscriptions_.insert(uri).second;
}

void McpSession::Unsubscribe(const std::string& uri) {
  absl::MutexLock lock(&mutex_);
  subscriptions_.erase(uri);
}

bool McpSession::IsSubscribed(const std::string& uri) const {
  absl::MutexLock lock(&mutex_);
  return subscriptions_.count(uri) > 0;
}

void McpSession::Cancel(const std::string& request_id) {
  absl::MutexLock lock(&mutex_);
  if (cancelled_.size() >= kMaxRememberedCancellations) cancelled_.erase(cancelled_.begin());
  cancelled_.insert(request_id);
}

bool McpSession::IsCancelled(const std::string& request_id) const {
  absl::MutexLock lock(&mutex_);
  return cancelled_.count(request_id) > 0;
}

}  // namespace gridpilot::mcp
