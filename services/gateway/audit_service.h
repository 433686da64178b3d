// AuditService: a thin edge over the gateway's store for the audit events the stack's other
// processes report (their refusals, threshold changes, model reloads) and for listing the
// audit rows. Who may record is decided by the RpcAuthorizer (roles.cc: forecast, response
// and trader, by certificate); the reporting process is taken from that certificate.
#ifndef GRIDPILOT_SERVICES_GATEWAY_AUDIT_SERVICE_H_
#define GRIDPILOT_SERVICES_GATEWAY_AUDIT_SERVICE_H_

#include <string>

#include "absl/status/statusor.h"
#include "gridpilot/v1/audit.grpc.pb.h"
#include "services/gateway/audit_recorder.h"
#include "services/gateway/store.h"

namespace gridpilot {

// The store's name of an event kind ("refusal", "thresholds", "model_reload"); InvalidArgument
// for UNSPECIFIED or a value the proto does not define.
absl::StatusOr<std::string> AuditKindName(v1::AuditEventKind kind);

class AuditServiceImpl final : public v1::AuditService::Service {
 public:
  // `recorder` and `store` (thread-safe) must outlive this.
  AuditServiceImpl(AuditRecorder* recorder, Store* store) : recorder_(recorder), store_(store) {}

  grpc::Status RecordAuditEvent(grpc::ServerContext* context,
                                const v1::RecordAuditEventRequest* request,
                                v1::RecordAuditEventResponse* response) override;
  grpc::Status ListAuditEvents(grpc::ServerContext* context,
                               const v1::ListAuditEventsRequest* request,
                               v1::ListAuditEventsResponse* response) override;

 private:
  AuditRecorder* const recorder_;
  Store* const store_;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_GATEWAY_AUDIT_SERVICE_H_
