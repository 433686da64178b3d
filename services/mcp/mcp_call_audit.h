// Which MCP tool calls go to the gateway's audit log, and what their row says. A call is
// audited when it acts (a tool that is not read-only), when it runs a what-if backtest, or
// when it fails (refused by the stack, bad arguments, or cancelled); successful reads are
// tallied instead (read_call_tally.h: one row per caller, session and tool per period), as
// a polling client would otherwise spend the log's rate budget on rows that change nothing.
// The row: tool, arguments (summarised to a bounded size), MCP session, outcome; the
// identity and role are the caller's token's, as the stack's token table names them.
// Pure. docs/decisions.md, "MCP what-if backtest and audit of MCP calls".
#ifndef GRIDPILOT_SERVICES_MCP_MCP_CALL_AUDIT_H_
#define GRIDPILOT_SERVICES_MCP_MCP_CALL_AUDIT_H_

#include <nlohmann/json.hpp>
#include <string>

#include "services/mcp/tool_table.h"

namespace gridpilot::mcp {

// One finished tools/call, as the dispatcher saw it.
struct ToolCallRecord {
  std::string tool;          // the tool's name (a known tool)
  bool read_only = true;     // the tool's readOnlyHint
  nlohmann::json arguments;  // as the client sent them
  McpCaller caller;
  // "ok", "error" (is_error result: text holds the code and message), "invalid_params"
  // (-32602) or "cancelled".
  std::string outcome;
  std::string text;  // the error's text; "" for ok and cancelled
};

// Whether `record` goes to the audit log (see the file comment).
bool ShouldAuditToolCall(const ToolCallRecord& record);

// The row's detail, a JSON object of at most kMaxAuditDetailBytes: {tool, session, outcome,
// error?, arguments}. String arguments are cut to 160 bytes; arguments still too large are
// replaced by {"truncated": true, "keys": [...]}.
inline constexpr size_t kMaxAuditDetailBytes = 4096;
nlohmann::json ToolCallAuditDetail(const ToolCallRecord& record);

}  // namespace gridpilot::mcp

#endif  // GRIDPILOT_SERVICES_MCP_MCP_CALL_AUDIT_H_
