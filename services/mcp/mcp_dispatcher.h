// McpDispatcher: the MCP server's methods as a plain function of a JSON-RPC message and
// the session it came from, so the whole protocol is testable without sockets. Handles
// initialize (version negotiation), ping, tools/list|call, resources/list|read|subscribe|
// unsubscribe|templates/list, prompts/list|get, logging/setLevel and the notifications
// initialized, cancelled and progress. Long lists are paginated with opaque cursors.
// Thread-safe: calls for one or many sessions may run concurrently.
#ifndef GRIDPILOT_SERVICES_MCP_MCP_DISPATCHER_H_
#define GRIDPILOT_SERVICES_MCP_MCP_DISPATCHER_H_

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "services/mcp/mcp_call_audit.h"
#include "services/mcp/mcp_session.h"
#include "services/mcp/resources_and_prompts.h"
#include "services/mcp/tool_table.h"

namespace gridpilot::mcp {

// Protocol versions served, newest first. A client asking for another gets the newest.
const std::vector<std::string>& SupportedProtocolVersions();
bool IsSupportedProtocolVersion(absl::string_view version);

// Items per page of tools/list, resources/list and prompts/list.
inline constexpr size_t kPageSize = 10;

class McpDispatcher {
 public:
  // The tables must outlive the dispatcher.
  McpDispatcher(const ToolTable* tools, const std::vector<Resource>* resources,
                const std::vector<Prompt>* prompts, std::string server_version);

  // Where notifications about one request (its progress, log messages) go; null: to the
  // session's own stream.
  using RequestStream = std::function<void(const nlohmann::json&)>;

  // Handles one message (already parsed JSON). Returns the reply to a request, or null for
  // notifications, responses and a tools/call the client cancelled (nothing to send).
  // Never throws.
  nlohmann::json Handle(const nlohmann::json& message, McpSession* session,
                        const RequestStream& request_stream = nullptr) const;
  // Parses `text` first: a parse error reply for text that is not JSON.
  nlohmann::json HandleText(absl::string_view text, McpSession* session) const;

  // Called once for each tools/call of a known tool when it ends (outcome "ok", "error",
  // "invalid_params" or "cancelled"), on the calling thread: must be thread-safe and must
  // not block. Set before serving; none by default.
  using ToolCallObserver = std::function<void(const ToolCallRecord&)>;
  void set_tool_call_observer(ToolCallObserver observer) { observer_ = std::move(observer); }

  // Tells `session` that resource `uri` changed, if it subscribed to it.
  static void NotifyResourceUpdated(const std::string& uri, McpSession* session);

  // Sends a notifications/message of `level` ("info", "warning", ...) to `session` if its
  // log level lets it through.
  static void Log(McpSession* session, const std::string& level, nlohmann::json data,
                  const RequestStream& request_stream = nullptr);

 private:
  nlohmann::json Dispatch(const std::string& method, const nlohmann::json& id,
                          const nlohmann::json& params, McpSession* session,
                          const RequestStream& request_stream) const;
  nlohmann::json Initialize(const nlohmann::json& id, const nlohmann::json& params,
                            McpSession* session) const;
  nlohmann::json CallTool(const nlohmann::json& id, const nlohmann::json& params,
                          McpSession* session, const RequestStream& request_stream) const;
  nlohmann::json ReadResource(const nlohmann::json& id, const nlohmann::json& params,
                              McpSession* session) const;
  nlohmann::json GetPrompt(const nlohmann::json& id, const nlohmann::json& params) const;

  const ToolTable* tools_;
  const std::vector<Resource>* resources_;
  const std::vector<Prompt>* prompts_;
  const std::string server_version_;
  ToolCallObserver observer_;
};

}  // namespace gridpilot::mcp

#endif  // GRIDPILOT_SERVICES_MCP_MCP_DISPATCHER_H_
