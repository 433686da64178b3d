#include "services/mcp/http_session_store.h"

#include <vector>

#include "absl/time/clock.h"
#include "services/security/token_table.h"

namespace gridpilot::mcp {
namespace {

void MarkClosed(HttpSession& session) {
  absl::MutexLock lock(&session.mutex);
  session.closed = true;
}

}  // namespace

std::shared_ptr<HttpSession> HttpSessionStore::Open(const McpCaller& caller,
                                                    const std::string& credential_hash) {
  auto session = std::make_shared<HttpSession>();
  absl::StatusOr<std::string> id = security::NewBearerToken();
  session->id = id.ok() ? id->substr(0, 32) : security::Sha256Hex(absl::FormatTime(absl::Now()));
  session->credential_hash = credential_hash;
  McpCaller bound = caller;
  bound.session_id = session->id;
  HttpSession* raw = session.get();
  session->mcp = std::make_unique<McpSession>(bound, [raw](const nlohmann::json& notification) {
    absl::MutexLock lock(&raw->mutex);
    if (!raw->stream_open || raw->closed) return;  // nobody listening: MCP lets us drop it
    if (raw->queue.size() >= kMaxQueuedNotifications) raw->queue.pop_front();
    raw->queue.push_back(
        notification.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  });
  {
    absl::MutexLock lock(&session->mutex);
    session->last_used = absl::Now();
  }
  std::shared_ptr<HttpSession> evicted;
  {
    absl::MutexLock lock(&mutex_);
    if (sessions_.size() >= max_sessions_ && !sessions_.empty()) {
      auto oldest = sessions_.begin();
      absl::Time oldest_time = absl::InfiniteFuture();
      for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
        absl::MutexLock session_lock(&it->second->mutex);
        if (it->second->last_used < oldest_time) {
          oldest_time = it->second->last_used;
          oldest = it;
        }
      }
      evicted = oldest->second;
      sessions_.erase(oldest);
    }
    sessions_[session->id] = session;
  }
  if (evicted != nullptr) MarkClosed(*evicted);
  return session;
}

std::shared_ptr<HttpSession> HttpSessionStore::Find(const std::string& id) {
  std::shared_ptr<HttpSession> session;
  {
    absl::MutexLock lock(&mutex_);
    const auto found = sessions_.find(id);
    if (found == sessions_.end()) return nullptr;
    session = found->second;
  }
  absl::MutexLock lock(&session->mutex);
  session->last_used = absl::Now();
  return session;
}

bool HttpSessionStore::Close(const std::string& id) {
  std::shared_ptr<HttpSession> session;
  {
    absl::MutexLock lock(&mutex_);
    const auto found = sessions_.find(id);
    if (found == sessions_.end()) return false;
    session = found->second;
    sessions_.erase(found);
  }
  MarkClosed(*session);
  return true;
}

void HttpSessionStore::ForEach(const std::function<void(HttpSession&)>& visit) {
  std::vector<std::shared_ptr<HttpSession>> all;
  {
    absl::MutexLock lock(&mutex_);
    for (const auto& [id, session] : sessions_) all.push_back(session);
  }
  for (const auto& session : all) visit(*session);
}

size_t HttpSessionStore::size() const {
  absl::MutexLock lock(&mutex_);
  return sessions_.size();
}

}  // namespace gridpilot::mcp
