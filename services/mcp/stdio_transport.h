// The stdio transport of MCP: newline-delimited JSON-RPC messages on stdin, replies and
// notifications on stdout, nothing else on stdout (logs go to stderr). One session, whose
// caller is the token the process was started with. Requests run on worker threads (at
// most kMaxStdioRequestsInFlight at once) so that a cancellation or ping is read while a
// tool call is still running; writes to stdout are serialised.
#ifndef GRIDPILOT_SERVICES_MCP_STDIO_TRANSPORT_H_
#define GRIDPILOT_SERVICES_MCP_STDIO_TRANSPORT_H_

#include <cstdio>
#include <memory>
#include <string>

#include "absl/synchronization/mutex.h"
#include "services/mcp/mcp_dispatcher.h"

namespace gridpilot::mcp {

inline constexpr int kMaxStdioRequestsInFlight = 8;

class StdioTransport {
 public:
  // Reads from `in`, writes to `out` (normally stdin and stdout); neither is closed.
  StdioTransport(const McpDispatcher* dispatcher, McpCaller caller, FILE* in, FILE* out);

  // Serves until `in` ends; then waits for the requests in flight. Returns 0.
  int Run();

  // Tells the session that `uri` changed, if it subscribed.
  void NotifyResourceUpdated(const std::string& uri);

 private:
  void Write(const nlohmann::json& message);

  const McpDispatcher* dispatcher_;
  FILE* in_;
  FILE* out_;
  absl::Mutex write_mutex_;
  absl::Mutex flight_mutex_;
  int in_flight_ ABSL_GUARDED_BY(flight_mutex_) = 0;
  std::unique_ptr<McpSession> session_;
};

}  // namespace gridpilot::mcp

#endif  // GRIDPILOT_SERVICES_MCP_STDIO_TRANSPORT_H_
