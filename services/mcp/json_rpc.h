// JSON-RPC 2.0 as MCP uses it: classifying one incoming message (request, notification or
// response), and building result and error replies. Pure functions over nlohmann::json;
// no transport. Error codes are JSON-RPC's (-32700 parse, -32600 invalid request, -32601
// method not found, -32602 invalid params, -32603 internal) plus MCP's -32002 (resource
// not found).
#ifndef GRIDPILOT_SERVICES_MCP_JSON_RPC_H_
#define GRIDPILOT_SERVICES_MCP_JSON_RPC_H_

#include <nlohmann/json.hpp>
#include <string>

#include "absl/strings/string_view.h"

namespace gridpilot::mcp {

using nlohmann::json;

inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
inline constexpr int kResourceNotFound = -32002;

// Largest request body either transport accepts, bytes (the HTTP edge answers 413 above
// it, stdio drops the line with a parse error).
inline constexpr size_t kMaxMessageBytes = 1 << 20;

enum class MessageKind { kRequest, kNotification, kResponse, kInvalid };

struct RpcMessage {
  MessageKind kind = MessageKind::kInvalid;
  json id;  // requests and responses: a string or integer; null otherwise
  std::string method;
  json params = json::object();  // always an object (absent params = {})
  // kInvalid: the error reply to send (with the request's id when one could be read).
  json error_reply;
};

// Classifies `message`: jsonrpc must be "2.0"; a request has a string or integer id and a
// string method; a notification has a method and no id; a response has an id and exactly
// one of result/error; params, when present, must be an object (MCP never uses arrays).
// Anything else is kInvalid with an Invalid Request error reply. Batches (arrays) are not
// part of MCP since 2025-06-18 and are invalid too.
RpcMessage ClassifyMessage(const json& message);

// Parses `text` as JSON without exceptions: a parse error reply (id null) when it does
// not parse, is empty or larger than kMaxMessageBytes; `*parsed` holds the value otherwise.
bool ParseMessageText(absl::string_view text, json* parsed, json* error_reply);

json ResultReply(const json& id, json result);
json ErrorReply(const json& id, int code, absl::string_view message, json data = nullptr);
json Notification(absl::string_view method, json params);

}  // namespace gridpilot::mcp

#endif  // GRIDPILOT_SERVICES_MCP_JSON_RPC_H_
