// ToolTable: the MCP tools gridpilot-mcp offers. Each tool is a name, a description, JSON
// Schemas of its arguments and of its structured result, MCP's behaviour annotations and
// a handler. Handlers get the caller (whose bearer token they forward to the stack) and a
// context for progress and cancellation, and return structuredContent; the dispatcher adds
// the text rendering. Pure: no transport, no gRPC.
#ifndef GRIDPILOT_SERVICES_MCP_TOOL_TABLE_H_
#define GRIDPILOT_SERVICES_MCP_TOOL_TABLE_H_

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace gridpilot::mcp {

using nlohmann::json;

// Who is calling: the role their bearer token maps to ("" when the stack runs without
// credentials) and the token itself, forwarded as the gRPC call credential.
struct McpCaller {
  std::string role;
  std::string bearer_token;
  std::string session_id;  // the MCP session (HTTP) or "stdio"
};

struct ToolAnnotations {
  bool read_only = true;
  bool destructive = false;
  bool idempotent = true;
  bool open_world = false;
};

// What a handler may do while it runs.
struct ToolContext {
  McpCaller caller;
  // Sends notifications/progress when the client gave a progressToken (no-op otherwise).
  std::function<void(double progress, double total, const std::string& message)> progress;
  // True once the client cancelled the request (notifications/cancelled).
  std::function<bool()> cancelled;
};

// A tool's outcome. A failure of the stack (refused, unavailable, invalid in the gateway's
// judgement) is a result with is_error set and the gRPC status in `text`, as MCP asks for
// tool execution errors; only arguments that do not fit the schema are protocol errors.
struct ToolOutcome {
  json structured = json::object();
  bool is_error = false;
  std::string text;  // empty: the dispatcher renders `structured` as JSON text
};

struct Tool {
  std::string name;
  std::string title;
  std::string description;
  json input_schema;
  json output_schema;  // null: none declared
  ToolAnnotations annotations;
  // InvalidArgument (-> JSON-RPC -32602) for arguments the schema check let through but
  // the handler cannot use; any other error is turned into an is_error outcome.
  std::function<absl::StatusOr<ToolOutcome>(const json& arguments, const ToolContext&)> handler;
};

class ToolTable {
 public:
  // Adds `tool`; a second tool of the same name replaces the first.
  void Add(Tool tool);
  const Tool* Find(const std::string& name) const;
  // Tools in registration order.
  const std::vector<Tool>& tools() const { return tools_; }
  // The MCP description of one tool (tools/list's entry).
  static json Describe(const Tool& tool);

 private:
  std::vector<Tool> tools_;
  std::map<std::string, size_t> index_;
};

// Checks `value` against the subset of JSON Schema the tool schemas use (type, properties,
// required, additionalProperties false, enum, minimum/maximum, items, maxItems,
// maxLength). InvalidArgument naming the path ("arguments.proposal.power_mw: ...").
absl::Status ValidateAgainstSchema(const json& value, const json& schema, const std::string& path);

}  // namespace gridpilot::mcp

#endif  // GRIDPILOT_SERVICES_MCP_TOOL_TABLE_H_
