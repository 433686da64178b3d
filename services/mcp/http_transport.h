// The Streamable HTTP transport of MCP at /mcp on loopback: POST carries one JSON-RPC
// message (a request is answered with application/json, or as a server-sent event stream
// when the client accepts one and asked for progress), GET opens the session's event
// stream for notifications (live-state updates, log messages), DELETE ends the session.
// Every request needs "Authorization: Bearer <token>" of the stack (401 with
// WWW-Authenticate otherwise) unless the stack runs without credentials; a foreign Origin
// (not loopback and not allowed by flag) is 403, against DNS rebinding. The token's role
// is the caller's, and the token is forwarded to the stack on every call a tool makes.
#ifndef GRIDPILOT_SERVICES_MCP_HTTP_TRANSPORT_H_
#define GRIDPILOT_SERVICES_MCP_HTTP_TRANSPORT_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "services/mcp/http_session_store.h"
#include "services/mcp/mcp_dispatcher.h"
#include "services/security/token_table.h"

namespace httplib {
class Server;
struct Response;
}  // namespace httplib

namespace gridpilot::mcp {

struct HttpTransportOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port
  std::string port_file;
  // Extra Origin values accepted besides loopback ones (exact match, e.g.
  // "https://console.example").
  std::vector<std::string> allowed_origins;
  size_t max_sessions = 64;
  size_t max_event_streams = 16;  // concurrent GET streams (each holds a thread)
  int threads = 40;
};

// Whether an Origin header value may call: empty (no header: not a browser), or an http(s)
// origin on localhost, 127.0.0.1 or [::1] with any port, or one of `allowed`.
bool IsAllowedOrigin(const std::string& origin, const std::vector<std::string>& allowed);

class HttpTransport {
 public:
  // `tokens` null: the stack runs without credentials, so no token is asked for.
  HttpTransport(const McpDispatcher* dispatcher, const security::TokenTable* tokens,
                HttpTransportOptions options);
  ~HttpTransport();

  // Binds, writes the port file if asked, and serves on a thread. Returns the port.
  absl::StatusOr<int> Start();
  void Stop();

  // Tells every session subscribed to `uri` that it changed.
  void NotifyResourceUpdated(const std::string& uri);

  size_t session_count() const { return sessions_.size(); }

 private:
  // Answers a tools/call that asked for progress with an SSE stream written as the call
  // runs (its progress notifications, then its reply); cancels the call if the client
  // goes away before it ends.
  void StreamToolCall(const nlohmann::json& message, const nlohmann::json& id,
                      const std::shared_ptr<HttpSession>& session, httplib::Response& res);

  const McpDispatcher* dispatcher_;
  const security::TokenTable* tokens_;
  const HttpTransportOptions options_;
  HttpSessionStore sessions_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> open_streams_{0};
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace gridpilot::mcp

#endif  // GRIDPILOT_SERVICES_MCP_HTTP_TRANSPORT_H_
