// HttpSessionStore: the Streamable HTTP transport's sessions, named by the Mcp-Session-Id
// the server hands out on initialize. Each session is bound to the credential that opened
// it (the SHA-256 of its bearer token) and keeps a bounded queue of notifications for its
// GET event stream. Bounded: at most `max_sessions`, the least recently used one is closed
// to make room. Thread-safe.
#ifndef GRIDPILOT_SERVICES_MCP_HTTP_SESSION_STORE_H_
#define GRIDPILOT_SERVICES_MCP_HTTP_SESSION_STORE_H_

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/mcp/mcp_session.h"

namespace gridpilot::mcp {

// Notifications held for a session whose event stream lags; older ones are dropped.
inline constexpr size_t kMaxQueuedNotifications = 1000;

struct HttpSession {
  std::string id;
  std::string credential_hash;
  std::unique_ptr<McpSession> mcp;
  absl::Mutex mutex;
  std::deque<std::string> queue ABSL_GUARDED_BY(mutex);  // serialized notifications
  bool stream_open ABSL_GUARDED_BY(mutex) = false;
  bool closed ABSL_GUARDED_BY(mutex) = false;
  absl::Time last_used ABSL_GUARDED_BY(mutex);
};

class HttpSessionStore {
 public:
  explicit HttpSessionStore(size_t max_sessions) : max_sessions_(max_sessions) {}

  // A new session for `caller`, whose token hashes to `credential_hash`.
  std::shared_ptr<HttpSession> Open(const McpCaller& caller, const std::string& credential_hash);
  // The session `id`, or null if there is none (never was, deleted or evicted).
  std::shared_ptr<HttpSession> Find(const std::string& id);
  // Closes and forgets `id`; false if there was none.
  bool Close(const std::string& id);
  // Calls `visit` on every open session (outside the store's lock).
  void ForEach(const std::function<void(HttpSession&)>& visit);
  size_t size() const;

 private:
  const size_t max_sessions_;
  mutable absl::Mutex mutex_;
  std::map<std::string, std::shared_ptr<HttpSession>> sessions_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace gridpilot::mcp

#endif  // GRIDPILOT_SERVICES_MCP_HTTP_SESSION_STORE_H_
