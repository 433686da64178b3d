// AuditReporter: how a server other than the gateway (forecast, response, trader) gets its
// audited acts and refusals into the gateway's audit log. Handlers call Report (and the
// process's RpcAuthorizer reports refusals through the RefusalObserver), which only queues
// the event (AuditQueue: bounded, never blocks a tick or a handler); one thread sends the
// queue to AuditService.RecordAuditEvent, one call per event, each with a deadline.
// When the gateway cannot be reached, an event's one attempt fails and it is dropped and
// counted (the next recorded row carries the count), and the failure is logged once per
// outage: nothing is queued forever. docs/decisions.md, "Audit of every act".
#ifndef GRIDPILOT_SERVICES_COMMON_AUDIT_REPORTER_H_
#define GRIDPILOT_SERVICES_COMMON_AUDIT_REPORTER_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <thread>

#include "absl/time/time.h"
#include "gridpilot/v1/audit.grpc.pb.h"
#include "services/common/audit_queue.h"
#include "services/security/refusal_observer.h"

namespace gridpilot {

class AuditReporter final : public security::RefusalObserver {
 public:
  struct Options {
    size_t queue_capacity = 256;                      // events held while sending
    absl::Duration send_deadline = absl::Seconds(2);  // per RecordAuditEvent call
  };

  // Sends as `process` (this process's certificate name) over `gateway` (a channel made
  // with MakeChannel). Starts the sending thread.
  AuditReporter(std::string process, std::shared_ptr<grpc::Channel> gateway, Options options);
  AuditReporter(std::string process, std::shared_ptr<grpc::Channel> gateway)
      : AuditReporter(std::move(process), std::move(gateway), Options()) {}
  // Stops the thread after the call in flight; events still queued are dropped, and their
  // number logged.
  ~AuditReporter() override;

  // Queues an act by `identity` with `role` ("" for both when the process runs without
  // credentials); `detail_json` is a JSON object. Thread-safe, non-blocking.
  void Report(v1::AuditEventKind kind, const std::string& identity, const std::string& role,
              const std::string& detail_json);

  // A refused call, as the RpcAuthorizer reports it: kind REFUSAL, detail {method, code,
  // reason}. Thread-safe, non-blocking.
  void Refused(const security::RefusedCall& call) override;

  // Events dropped so far (queue full, gateway unreachable, shut down). Thread-safe.
  int64_t dropped_total() const { return queue_.dropped_total(); }

 private:
  void SendLoop();

  const std::string process_;
  const Options options_;
  std::unique_ptr<v1::AuditService::Stub> stub_;
  AuditQueue queue_;
  std::thread sender_;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_COMMON_AUDIT_REPORTER_H_
