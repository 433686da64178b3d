// McpSession: what gridpilot-mcp remembers about one client connection (an HTTP session
// named by Mcp-Session-Id, or the stdio peer): the caller, the negotiated protocol version,
// the log level it asked for, its resource subscriptions and the requests it cancelled,
// plus where notifications to it go. Thread-safe: HTTP requests of one session may run
// concurrently.
#ifndef GRIDPILOT_SERVICES_MCP_MCP_SESSION_H_
#define GRIDPILOT_SERVICES_MCP_MCP_SESSION_H_

#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "services/mcp/tool_table.h"

namespace gridpilot::mcp {

// Most requests one session may have cancelled and remembered at once.
inline constexpr size_t kMaxRememberedCancellations = 256;

class McpSession {
 public:
  // `send` delivers a notification to the client (it may drop it when no stream is open).
  McpSession(McpCaller caller, std::function<void(const nlohmann::json&)> send)
      : caller_(std::move(caller)), send_(std::move(send)) {}

  const McpCaller& caller() const { return caller_; }
  void Send(const nlohmann::json& notification) const { send_(notification); }

  // "" until initialize succeeded.
  std::string protocol_version() const;
  void set_protocol_version(std::string version);

  // RFC 5424 severity rank of the level the client asked for (0 = debug ... 7 = emergency).
  int log_rank() const;
  void set_log_rank(int rank);

  bool Subscribe(const std::string& uri);  // false if already subscribed
  void Unsubscribe(const std::string& uri);
  bool IsSubscribed(const std::string& uri) const;

  void Cancel(const std::string& request_id);
  bool IsCancelled(const std::string& request_id) const;

 private:
  const McpCaller caller_;
  const std::function<void(const nlohmann::json&)> send_;
  mutable absl::Mutex mutex_;
  std::string protocol_version_ ABSL_GUARDED_BY(mutex_);
  int log_rank_ ABSL_GUARDED_BY(mutex_) = 1;  // info
  std::set<std::string> subscriptions_ ABSL_GUARDED_BY(mutex_);
  std::set<std::string> cancelled_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace gridpilot::mcp

#endif  // GRIDPILOT_SERVICES_MCP_MCP_SESSION_H_
