#include "services/mcp/json_rpc.h"

#include "absl/strings/str_cat.h"

namespace gridpilot::mcp {
namespace {

bool IsValidId(const json& id) { return id.is_string() || id.is_number_integer(); }

RpcMessage Invalid(const json& id, absl::string_view why) {
  RpcMessage invalid;
  invalid.kind = MessageKind::kInvalid;
  invalid.error_reply = ErrorReply(IsValidId(id) ? id : json(nullptr), kInvalidRequest, why);
  return invalid;
}

}  // namespace

RpcMessage ClassifyMessage(const json& message) {
  if (message.is_array()) return Invalid(nullptr, "batches are not supported; send one message");
  if (!message.is_object()) return Invalid(nullptr, "a JSON-RPC message must be an object");
  const json id = message.contains("id") ? message.at("id") : json(nullptr);
  const auto version = message.find("jsonrpc");
  if (version == message.end() || !version->is_string() || *version != "2.0") {
    return Invalid(id, "\"jsonrpc\" must be the string \"2.0\"");
  }
  const bool has_id = message.contains("id");
  if (has_id && !IsValidId(id)) return Invalid(nullptr, "\"id\" must be a string or an integer");
  const auto method = message.find("method");
  if (method == message.end()) {
    const bool has_result = message.contains("result");
    const bool has_error = message.contains("error");
    if (!has_id || has_result == has_error) {
      return Invalid(id,
                     "a message needs a \"method\" (request/notification) or an \"id\" "
                     "with exactly one of \"result\" and \"error\" (response)");
    }
    RpcMessage response;
    response.kind = MessageKind::kResponse;
    response.id = id;
    return response;
  }
  if (!method->is_string() || method->get_ref<const std::string&>().empty()) {
    return Invalid(id, "\"method\" must be a non-empty string");
  }
  RpcMessage parsed;
  parsed.method = method->get<std::string>();
  if (const auto params = message.find("params"); params != message.end()) {
    if (!params->is_object()) return Invalid(id, "\"params\" must be an object");
    parsed.params = *params;
  }
  parsed.kind = has_id ? MessageKind::kRequest : MessageKind::kNotification;
  parsed.id = id;
  return parsed;
}

bool ParseMessageText(absl::string_view text, json* parsed, json* error_reply) {
  if (text.size() > kMaxMessageBytes) {
    *error_reply = ErrorReply(nullptr, kParseError,
                              absl::StrCat("message of ", text.size(), " bytes exceeds the ",
                                           kMaxMessageBytes, "-byte limit"));
    return false;
  }
  json value = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    *error_reply = ErrorReply(nullptr, kParseError, "the message is not valid JSON");
    return false;
  }
  *parsed = std::move(value);
  return true;
}

json ResultReply(const json& id, json result) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

json ErrorReply(const json& id, int code, absl::string_view message, json data) {
  json error{{"code", code}, {"message", std::string(message)}};
  if (!data.is_null()) error["data"] = std::move(data);
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(error)}};
}

json Notification(absl::string_view method, json params) {
  return json{{"jsonrpc", "2.0"}, {"method", std::string(method)}, {"params", std::move(params)}};
}

}  // namespace gridpilot::mcp
