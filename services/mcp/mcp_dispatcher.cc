#include "services/mcp/mcp_dispatcher.h"

#include <algorithm>
#include <array>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/base/logging.h"
#include "services/mcp/json_rpc.h"

namespace gridpilot::mcp {
namespace {

using nlohmann::json;

constexpr std::array<const char*, 8> kLogLevels = {"debug", "info",     "notice", "warning",
                                                   "error", "critical", "alert",  "emergency"};

int LogRank(const std::string& level) {
  for (size_t i = 0; i < kLogLevels.size(); ++i) {
    if (level == kLogLevels[i]) return static_cast<int>(i);
  }
  return -1;
}

std::string IdKey(const json& id) { return id.dump(); }

// Cursors are "c<offset>", opaque to clients. nullopt for one this server did not issue.
std::optional<size_t> ParseCursor(const json& params, size_t size) {
  const auto cursor = params.find("cursor");
  if (cursor == params.end() || cursor->is_null()) return 0;
  if (!cursor->is_string()) return std::nullopt;
  const std::string& text = cursor->get_ref<const std::string&>();
  size_t offset = 0;
  if (!absl::StartsWith(text, "c") || !absl::SimpleAtoi(text.substr(1), &offset) || offset == 0 ||
      offset >= size) {
    return std::nullopt;
  }
  return offset;
}

json Page(const json& id, const json& params, const std::vector<json>& items,
          const std::string& key) {
  const std::optional<size_t> offset = ParseCursor(params, items.size());
  if (!offset.has_value())
    return ErrorReply(id, kInvalidParams, "params.cursor: not a valid cursor");
  json page = json::array();
  const size_t end = std::min(items.size(), *offset + kPageSize);
  for (size_t i = *offset; i < end; ++i) page.push_back(items[i]);
  json result{{key, std::move(page)}};
  if (end < items.size()) result["nextCursor"] = absl::StrCat("c", end);
  return ResultReply(id, std::move(result));
}

}  // namespace

const std::vector<std::string>& SupportedProtocolVersions() {
  static const auto* versions =
      new std::vector<std::string>{"2025-11-25", "2025-06-18", "2025-03-26"};
  return *versions;
}

bool IsSupportedProtocolVersion(absl::string_view version) {
  const auto& versions = SupportedProtocolVersions();
  return std::find(versions.begin(), versions.end(), version) != versions.end();
}

McpDispatcher::McpDispatcher(const ToolTable* tools, const std::vector<Resource>* resources,
                             const std::vector<Prompt>* prompts, std::string server_version)
    : tools_(tools),
      resources_(resources),
      prompts_(prompts),
      server_version_(std::move(server_version)) {}

json McpDispatcher::HandleText(absl::string_view text, McpSession* session) const {
  json message;
  json error;
  if (!ParseMessageText(text, &message, &error)) return error;
  return Handle(message, session);
}

json McpDispatcher::Handle(const json& message, McpSession* session,
                           const RequestStream& request_stream) const {
  const RpcMessage rpc = ClassifyMessage(message);
  switch (rpc.kind) {
    case MessageKind::kInvalid: return rpc.error_reply;
    case MessageKind::kResponse:
      return nullptr;  // this server sends no requests whose answers it waits for
    case MessageKind::kNotification:
      if (rpc.method == "notifications/cancelled") {
        const auto request = rpc.params.find("requestId");
        if (request != rpc.params.end()) session->Cancel(IdKey(*request));
      }
      return nullptr;  // initialized, progress, roots/list_changed and unknown ones: nothing
    case MessageKind::kRequest: break;
  }
  try {
    return Dispatch(rpc.method, rpc.id, rpc.params, session, request_stream);
  } catch (const json::exception& e) {
    // A parameter of the wrong JSON type that a handler read without checking.
    return ErrorReply(rpc.id, kInvalidParams, absl::StrCat("params: ", e.what()));
  }
}

json McpDispatcher::Dispatch(const std::string& method, const json& id, const json& params,
                             McpSession* session, const RequestStream& request_stream) const {
  if (method == "initialize") return Initialize(id, params, session);
  if (method == "ping") return ResultReply(id, json::object());
  if (session->protocol_version().empty()) {
    return ErrorReply(id, kInvalidRequest,
                      absl::StrCat("\"", method.substr(0, 64), "\" before initialize"));
  }
  if (method == "tools/list") {
    std::vector<json> items;
    for (const Tool& tool : tools_->tools()) items.push_back(ToolTable::Describe(tool));
    return Page(id, params, items, "tools");
  }
  if (method == "tools/call") return CallTool(id, params, session, request_stream);
  if (method == "resources/list") {
    std::vector<json> items;
    for (const Resource& resource : *resources_) {
      items.push_back(json{{"uri", resource.uri},
                           {"name", resource.name},
                           {"title", resource.title},
                           {"description", resource.description},
                           {"mimeType", resource.mime_type}});
    }
    return Page(id, params, items, "resources");
  }
  if (method == "resources/templates/list") {
    return Page(id, params, {}, "resourceTemplates");
  }
  if (method == "resources/read") return ReadResource(id, params, session);
  if (method == "resources/subscribe" || method == "resources/unsubscribe") {
    const auto uri = params.find("uri");
    if (uri == params.end() || !uri->is_string()) {
      return ErrorReply(id, kInvalidParams, "params.uri: a string is required");
    }
    const auto found = std::find_if(resources_->begin(), resources_->end(),
                                    [&](const Resource& r) { return r.uri == *uri; });
    if (found == resources_->end()) {
      return ErrorReply(id, kResourceNotFound, "resource not found", json{{"uri", *uri}});
    }
    if (method == "resources/unsubscribe") {
      session->Unsubscribe(found->uri);
    } else {
      if (!found->subscribable) {
        return ErrorReply(id, kInvalidParams,
                          absl::StrCat(found->uri, " does not change; only ",
                                       "subscribable "
                                       "resources can be subscribed to"));
      }
      session->Subscribe(found->uri);
    }
    return ResultReply(id, json::object());
  }
  if (method == "prompts/list") {
    std::vector<json> items;
    for (const Prompt& prompt : *prompts_) {
      json arguments = json::array();
      for (const PromptArgument& argument : prompt.arguments) {
        arguments.push_back(json{{"name", argument.name},
                                 {"description", argument.description},
                                 {"required", argument.required}});
      }
      items.push_back(json{{"name", prompt.name},
                           {"title", prompt.title},
                           {"description", prompt.description},
                           {"arguments", std::move(arguments)}});
    }
    return Page(id, params, items, "prompts");
  }
  if (method == "prompts/get") return GetPrompt(id, params);
  if (method == "logging/setLevel") {
    const auto level = params.find("level");
    const int rank = level != params.end() && level->is_string() ? LogRank(*level) : -1;
    if (rank < 0) {
      return ErrorReply(id, kInvalidParams,
                        "params.level: one of debug, info, notice, warning, error, critical, "
                        "alert, emergency");
    }
    session->set_log_rank(rank);
    return ResultReply(id, json::object());
  }
  return ErrorReply(id, kMethodNotFound,
                    absl::StrCat("method \"", method.substr(0, 64), "\" not found"));
}

json McpDispatcher::Initialize(const json& id, const json& params, McpSession* session) const {
  const auto requested = params.find("protocolVersion");
  if (requested == params.end() || !requested->is_string()) {
    return ErrorReply(id, kInvalidParams, "params.protocolVersion: a string is required");
  }
  const std::string version = IsSupportedProtocolVersion(requested->get<std::string>())
                                  ? requested->get<std::string>()
                                  : SupportedProtocolVersions().front();
  session->set_protocol_version(version);
  json result{
      {"protocolVersion", version},
      {"capabilities",
       {{"tools", {{"listChanged", false}}},
        {"resources", {{"subscribe", true}, {"listChanged", false}}},
        {"prompts", {{"listChanged", false}}},
        {"logging", json::object()}}},
      {"serverInfo",
       {{"name", "gridpilot-mcp"},
        {"title", "gridpilot grid control"},
        {"version", server_version_}}},
      {"instructions",
       "gridpilot controls a region's battery and peaker against net-load ramps and trades the "
       "battery. Read gridpilot://region/glossary first for units and signs (battery power > 0 "
       "discharges). Reads are free; submit_dispatch, cancel_dispatch, set_thresholds and "
       "reload_models act under your token's role, need an idempotency_key and a reason, and "
       "the gateway's arbiter and interlocks decide what is applied. whatif_backtest replays a "
       "past window with overrides against its baseline (minutes: send a progressToken)."}};
  return ResultReply(id, std::move(result));
}

json McpDispatcher::CallTool(const json& id, const json& params, McpSession* session,
                             const RequestStream& request_stream) const {
  const auto name = params.find("name");
  if (name == params.end() || !name->is_string()) {
    return ErrorReply(id, kInvalidParams, "params.name: a string is required");
  }
  const Tool* tool = tools_->Find(name->get<std::string>());
  if (tool == nullptr) {
    return ErrorReply(
        id, kInvalidParams,
        absl::StrCat("unknown tool \"", name->get<std::string>().substr(0, 64), "\""));
  }
  json arguments = json::object();
  if (const auto given = params.find("arguments"); given != params.end() && !given->is_null()) {
    arguments = *given;
  }
  const auto observe = [&](const std::string& outcome, const std::string& text) {
    if (!observer_) return;
    ToolCallRecord record;
    record.tool = tool->name;
    record.read_only = tool->annotations.read_only;
    record.arguments = arguments;
    record.caller = session->caller();
    record.outcome = outcome;
    record.text = text;
    observer_(record);
  };
  if (absl::Status valid = ValidateAgainstSchema(arguments, tool->input_schema, "arguments");
      !valid.ok()) {
    observe("invalid_params", std::string(valid.message()));
    return ErrorReply(id, kInvalidParams, valid.message());
  }
  ToolContext context;
  context.caller = session->caller();
  json progress_token;
  if (const auto meta = params.find("_meta"); meta != params.end() && meta->is_object()) {
    if (const auto token = meta->find("progressToken");
        token != meta->end() && (token->is_string() || token->is_number_integer())) {
      progress_token = *token;
    }
  }
  context.progress = [session, progress_token, &request_stream](double progress, double total,
                                                                const std::string& message) {
    if (progress_token.is_null()) return;
    const json notification =
        Notification("notifications/progress", {{"progressToken", progress_token},
                                                {"progress", progress},
                                                {"total", total},
                                                {"message", message}});
    if (request_stream) {
      request_stream(notification);
    } else {
      session->Send(notification);
    }
  };
  const std::string request_key = IdKey(id);
  context.cancelled = [session, request_key] { return session->IsCancelled(request_key); };

  // A request the client cancelled gets no reply (MCP: the receiver should not answer
  // it); one cancelled before it starts never reaches the stack.
  if (context.cancelled()) return nullptr;
  context.progress(0, 1, absl::StrCat("calling ", tool->name));
  absl::StatusOr<ToolOutcome> outcome = tool->handler(arguments, context);
  if (context.cancelled()) {
    observe("cancelled", "");
    return nullptr;
  }
  if (!outcome.ok() && outcome.status().code() == absl::StatusCode::kInvalidArgument) {
    observe("invalid_params", std::string(outcome.status().message()));
    return ErrorReply(id, kInvalidParams, outcome.status().message());
  }
  if (!outcome.ok()) {
    ToolOutcome failed;
    failed.is_error = true;
    failed.text = absl::StrCat(absl::StatusCodeToString(outcome.status().code()), ": ",
                               outcome.status().message());
    outcome = std::move(failed);
  }
  observe(outcome->is_error ? "error" : "ok", outcome->is_error ? outcome->text : "");
  context.progress(1, 1, "done");
  if (!tool->annotations.read_only) {
    // The acting calls' trail on stderr, next to the gateway's audit log of proposals.
    base::LogInfo(absl::StrCat("tool ", tool->name, " by role \"", context.caller.role,
                               "\" session ", context.caller.session_id, " reason \"",
                               arguments.value("reason", ""),
                               "\": ", outcome->is_error ? outcome->text : "ok"));
  }
  Log(session, outcome->is_error ? "warning" : "debug",
      json{{"tool", tool->name}, {"is_error", outcome->is_error}}, request_stream);
  json result{{"content",
               json::array({json{
                   {"type", "text"},
                   {"text", outcome->text.empty() ? outcome->structured.dump() : outcome->text}}})},
              {"isError", outcome->is_error}};
  if (!outcome->is_error) result["structuredContent"] = outcome->structured;
  return ResultReply(id, std::move(result));
}

json McpDispatcher::ReadResource(const json& id, const json& params, McpSession* session) const {
  const auto uri = params.find("uri");
  if (uri == params.end() || !uri->is_string()) {
    return ErrorReply(id, kInvalidParams, "params.uri: a string is required");
  }
  const auto found = std::find_if(resources_->begin(), resources_->end(),
                                  [&](const Resource& r) { return r.uri == *uri; });
  if (found == resources_->end()) {
    return ErrorReply(id, kResourceNotFound, "resource not found", json{{"uri", *uri}});
  }
  absl::StatusOr<std::string> text = found->read(session->caller());
  if (!text.ok()) {
    return ErrorReply(id, kInternalError,
                      absl::StrCat(absl::StatusCodeToString(text.status().code()), ": ",
                                   text.status().message()));
  }
  return ResultReply(id, json{{"contents", json::array({json{{"uri", found->uri},
                                                             {"mimeType", found->mime_type},
                                                             {"text", *std::move(text)}}})}});
}

json McpDispatcher::GetPrompt(const json& id, const json& params) const {
  const auto name = params.find("name");
  if (name == params.end() || !name->is_string()) {
    return ErrorReply(id, kInvalidParams, "params.name: a string is required");
  }
  const auto found = std::find_if(prompts_->begin(), prompts_->end(),
                                  [&](const Prompt& p) { return p.name == *name; });
  if (found == prompts_->end()) {
    return ErrorReply(
        id, kInvalidParams,
        absl::StrCat("unknown prompt \"", name->get<std::string>().substr(0, 64), "\""));
  }
  json arguments = json::object();
  if (const auto given = params.find("arguments"); given != params.end() && !given->is_null()) {
    if (!given->is_object()) {
      return ErrorReply(id, kInvalidParams, "params.arguments: an object of strings is required");
    }
    arguments = *given;
  }
  for (const auto& [key, value] : arguments.items()) {
    if (!value.is_string()) {
      return ErrorReply(id, kInvalidParams,
                        absl::StrCat("params.arguments.", key.substr(0, 64), ": not a string"));
    }
  }
  for (const PromptArgument& argument : found->arguments) {
    if (argument.required && !arguments.contains(argument.name)) {
      return ErrorReply(id, kInvalidParams,
                        absl::StrCat("params.arguments.", argument.name, ": required"));
    }
  }
  return ResultReply(
      id, json{{"description", found->description},
               {"messages",
                json::array(
                    {json{{"role", "user"},
                          {"content", {{"type", "text"}, {"text", found->render(arguments)}}}}})}});
}

void McpDispatcher::NotifyResourceUpdated(const std::string& uri, McpSession* session) {
  if (!session->IsSubscribed(uri)) return;
  session->Send(Notification("notifications/resources/updated", {{"uri", uri}}));
}

void McpDispatcher::Log(McpSession* session, const std::string& level, json data,
                        const RequestStream& request_stream) {
  const int rank = LogRank(level);
  if (rank < 0 || rank < session->log_rank()) return;
  const json notification =
      Notification("notifications/message",
                   {{"level", level}, {"logger", "gridpilot-mcp"}, {"data", std::move(data)}});
  if (request_stream) {
    request_stream(notification);
  } else {
    session->Send(notification);
  }
}

}  // namespace gridpilot::mcp
