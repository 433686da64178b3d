#include "services/gateway/audit_service.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "absl/strings/str_cat.h"
#include "core/base/logging.h"
#include "core/base/status_macros.h"
#include "services/common/grpc_status.h"
#include "services/common/proto_enum.h"
#include "services/common/proto_time.h"
#include "services/gateway/input_bounds.h"
#include "services/security/authenticated_caller.h"
#include "services/security/roles.h"

namespace gridpilot {
namespace {

// The event a request describes, from `process`; InvalidArgument naming the field otherwise.
absl::StatusOr<AuditEvent> EventOf(const v1::RecordAuditEventRequest& request,
                                   const std::string& process) {
  AuditEvent event;
  event.process = process;
  const std::vector<std::string>& processes = security::ProcessIdentities();
  if (std::find(processes.begin(), processes.end(), process) == processes.end()) {
    return absl::InvalidArgumentError(absl::StrCat("process: \"",
                                                   Truncated(process, kMaxAgentNameBytes),
                                                   "\" is not one of the stack's processes"));
  }
  absl::StatusOr<std::string> kind = AuditKindName(request.kind());
  if (!kind.ok()) return kind.status();
  event.kind = *kind;
  RETURN_IF_ERROR(ValidateIdentifier("identity", request.identity(), kMaxAuditIdentityBytes,
                                     /*required=*/false));
  RETURN_IF_ERROR(
      ValidateIdentifier("role", request.role(), kMaxAuditRoleBytes, /*required=*/false));
  RETURN_IF_ERROR(ValidateText("detail_json", request.detail_json(), kMaxAuditDetailBytes));
  const nlohmann::json detail =
      nlohmann::json::parse(request.detail_json(), nullptr, /*allow_exceptions=*/false);
  if (!detail.is_object()) {
    return absl::InvalidArgumentError("detail_json: not a JSON object");
  }
  if (request.dropped_before() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("dropped_before: ", request.dropped_before(), " is negative"));
  }
  event.identity = request.identity();
  event.role = request.role();
  event.detail_json = request.detail_json();
  event.dropped_before = request.dropped_before();
  return event;
}

}  // namespace

absl::StatusOr<std::string> AuditKindName(v1::AuditEventKind kind) {
  std::string name = ShortName(kind);
  if (name.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("kind: ", static_cast<int>(kind), " is not an audit event kind"));
  }
  return name;
}

grpc::Status AuditServiceImpl::RecordAuditEvent(grpc::ServerContext* context,
                                                const v1::RecordAuditEventRequest* request,
                                                v1::RecordAuditEventResponse* response) {
  // Under TLS the reporting process is the certificate the authorizer admitted, never the
  // request's word.
  std::string process = request->process();
  if (const std::optional<security::Caller> caller = security::AuthenticatedCaller(context)) {
    if (!request->process().empty() && request->process() != caller->identity) {
      return grpc::Status(
          grpc::StatusCode::PERMISSION_DENIED,
          absl::StrCat("process: the request names \"",
                       Truncated(request->process(), kMaxAgentNameBytes),
                       "\" but the caller is authenticated as \"", caller->identity, "\""));
    }
    process = caller->identity;
  }
  absl::StatusOr<AuditEvent> event = EventOf(*request, process);
  if (!event.ok()) return ToGrpcStatus(event.status());
  absl::StatusOr<bool> recorded = recorder_->Record(*std::move(event));
  if (!recorded.ok()) {
    base::LogError(absl::StrCat("audit event from ", process, ": ", recorded.status().message()));
    return ToGrpcStatus(recorded.status());
  }
  response->set_recorded(*recorded);
  return grpc::Status::OK;
}

grpc::Status AuditServiceImpl::ListAuditEvents(grpc::ServerContext*,
                                               const v1::ListAuditEventsRequest* request,
                                               v1::ListAuditEventsResponse* response) {
  if (request->limit() < 0 || request->limit() > kMaxAuditListRows) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("limit: ", request->limit(), " is outside 0..",
                                     kMaxAuditListRows, " (0 = 100)"));
  }
  AuditQuery query;
  query.limit = request->limit() == 0 ? 100 : request->limit();
  if (request->kind() != v1::AUDIT_EVENT_KIND_UNSPECIFIED) {
    absl::StatusOr<std::string> kind = AuditKindName(request->kind());
    if (!kind.ok()) return ToGrpcStatus(kind.status());
    query.kind = *kind;
  }
  if (request->has_since()) {
    if (absl::Status valid = ValidateProtoTimestamp("since", request->since()); !valid.ok()) {
      return ToGrpcStatus(valid);
    }
    query.since = FromProtoTime(request->since());
  }
  absl::StatusOr<std::vector<AuditEvent>> events = store_->ListAuditEvents(query);
  if (!events.ok()) return ToGrpcStatus(events.status());
  for (const AuditEvent& e : *events) {
    v1::AuditEvent* out = response->add_events();
    *out->mutable_at() = ToProtoTime(e.at);
    out->set_process(e.process);
    out->set_kind(FromShortName<v1::AuditEventKind>(e.kind));
    out->set_identity(e.identity);
    out->set_role(e.role);
    out->set_detail_json(e.detail_json);
    out->set_dropped_before(e.dropped_before);
  }
  return grpc::Status::OK;
}

}  // namespace gridpilot
