#include "services/mcp/mcp_call_audit.h"

namespace gridpilot::mcp {
namespace {

using nlohmann::json;

constexpr size_t kMaxStringBytes = 160;
constexpr size_t kMaxTextBytes = 600;

std::string Cut(const std::string& text, size_t bytes) {
  if (text.size() <= bytes) return text;
  // Back up to a UTF-8 character boundary so that the row stays valid JSON text.
  size_t end = bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end) + "...";
}

json Summarised(const json& value, int depth) {
  if (value.is_string()) return Cut(value.get<std::string>(), kMaxStringBytes);
  if (depth > 3 && (value.is_object() || value.is_array())) return "...";
  if (value.is_object()) {
    json out = json::object();
    for (const auto& [key, item] : value.items()) {
      out[Cut(key, 64)] = Summarised(item, depth + 1);
    }
    return out;
  }
  if (value.is_array()) {
    json out = json::array();
    for (const json& item : value) out.push_back(Summarised(item, depth + 1));
    return out;
  }
  return value;
}

}  // namespace

bool ShouldAuditToolCall(const ToolCallRecord& record) {
  return !record.read_only || record.tool == "whatif_backtest" || record.outcome != "ok";
}

json ToolCallAuditDetail(const ToolCallRecord& record) {
  json detail{{"tool", record.tool},
              {"session", Cut(record.caller.session_id, 64)},
              {"outcome", record.outcome}};
  if (!record.text.empty()) detail["error"] = Cut(record.text, kMaxTextBytes);
  detail["arguments"] = Summarised(record.arguments, 0);
  if (detail.dump().size() > kMaxAuditDetailBytes) {
    json keys = json::array();
    if (record.arguments.is_object()) {
      for (const auto& [key, ignored] : record.arguments.items()) {
        if (keys.size() >= 32) break;
        keys.push_back(Cut(key, 64));
      }
    }
    detail["arguments"] = {{"truncated", true}, {"keys", keys}};
  }
  return detail;
}

}  // namespace gridpilot::mcp
