#include "services/common/audit_reporter.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/logging.h"

namespace gridpilot {

AuditReporter::AuditReporter(std::string process, std::shared_ptr<grpc::Channel> gateway,
                             Options options)
    : process_(std::move(process)),
      options_(options),
      stub_(v1::AuditService::NewStub(std::move(gateway))),
      queue_(options.queue_capacity),
      sender_([this] { SendLoop(); }) {}

AuditReporter::~AuditReporter() {
  queue_.Close();
  sender_.join();
  if (const size_t left = queue_.size(); left > 0) {
    base::LogError(absl::StrCat("audit: ", left, " events not sent at shutdown"));
  }
}

void AuditReporter::Report(v1::AuditEventKind kind, const std::string& identity,
                           const std::string& role, const std::string& detail_json) {
  v1::RecordAuditEventRequest event;
  event.set_process(process_);
  event.set_kind(kind);
  event.set_identity(identity);
  event.set_role(role);
  event.set_detail_json(detail_json);
  queue_.Push(std::move(event));
}

void AuditReporter::Refused(const security::RefusedCall& call) {
  const nlohmann::json detail = {
      {"method", call.method}, {"code", call.code}, {"reason", call.reason}};
  // Replacement of invalid UTF-8: a reason may quote what the caller sent.
  Report(v1::AUDIT_EVENT_KIND_REFUSAL, call.identity, call.role,
         detail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void AuditReporter::SendLoop() {
  bool reachable = true;
  while (!queue_.closed()) {
    // A short wait, so that Close() is seen promptly with nothing queued.
    std::optional<v1::RecordAuditEventRequest> event = queue_.Take(absl::Milliseconds(200));
    if (!event.has_value()) continue;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + options_.send_deadline));
    v1::RecordAuditEventResponse response;
    const grpc::Status sent = stub_->RecordAuditEvent(&context, *event, &response);
    if (sent.ok()) {
      if (!reachable) {
        base::LogInfo(absl::StrCat("audit: the gateway records events again; ",
                                   queue_.dropped_total(), " dropped since this process started"));
        reachable = true;
      }
      continue;
    }
    // One attempt per event: it and the drops it carried ride on the next one.
    queue_.CountFailedSend(*event);
    if (reachable) {
      base::LogError(absl::StrCat("audit: the gateway did not record an event (", sent.error_code(),
                                  ": ", sent.error_message(),
                                  "); events are dropped and counted until it does"));
      reachable = false;
    }
  }
}

}  // namespace gridpilot
