// MeteredStore: a Store decorator that counts, for Prometheus, what the gateway records:
// proposals by how they were received, each step's per-asset decision (idle, applied as
// requested, or limited by the interlocks and physics), steps whose net-load change broke
// the grid's tolerance (with and without the region's dispatch), agents' notes, and store
// errors. Everything the audit log gets passes through here, so the counters agree with
// the store, and GatewayRun needs no knowledge of metrics.
#ifndef GRIDPILOT_SERVICES_GATEWAY_METERED_STORE_H_
#define GRIDPILOT_SERVICES_GATEWAY_METERED_STORE_H_

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/registry.h"
#include "services/gateway/store.h"

namespace gridpilot {

class MeteredStore final : public Store {
 public:
  // `inner` (not owned) receives every call; `registry` (not owned) gets the counter
  // families. Both must outlive this. Thread-safe if `inner` is.
  MeteredStore(Store* inner, prometheus::Registry* registry);

  absl::Status BeginRun(absl::Time replay_from, absl::Time replay_to,
                        const std::string& config_json) override;
  absl::Status RecordProposal(const region::ProposalRecord& record, ProposalStatus status,
                              const std::string& detail) override;
  absl::Status RecordAgentNote(absl::Time tick, const std::string& agent,
                               const std::string& note) override;
  absl::Status RecordPlan(absl::Time tick, const std::string& agent,
                          const AgentPlanRecord& plan) override;
  absl::Status RecordRefusedCall(absl::Time at, const security::RefusedCall& call,
                                 int64_t dropped_before) override;
  absl::Status RecordApprovalEvent(const ApprovalEvent& event) override;
  absl::Status RecordInterval(const data::GridInterval& region_values,
                              const region::IntervalOutcome& outcome) override;
  // Passed through, errors counted.
  absl::Status RecordAuditEvent(const AuditEvent& event) override;
  absl::Status RecordTelemetrySamples(const std::vector<StoredTelemetrySample>& samples) override;
  absl::StatusOr<std::vector<AuditEvent>> ListAuditEvents(const AuditQuery& query) override;
  absl::Status Flush() override;
  // Passed through; a resumed run's verified intervals are not counted again.
  absl::StatusOr<ResumePoint> ResumeRun(absl::Time replay_from, absl::Time replay_to,
                                        const std::string& config_json,
                                        absl::Time discard_from = absl::InfiniteFuture()) override;
  absl::Status VerifyInterval(const data::GridInterval& region_values,
                              const region::IntervalOutcome& outcome) override;
  absl::StatusOr<StoredRunState> LastState() override;
  absl::StatusOr<StoredApprovals> LoadApprovals() override;

 private:
  // A counter of a family labelled by three names, found again without building its label
  // map: each call site's label values are compared with those already seen (a gateway has
  // a few agents and assets). Past kMaxCached label sets the family is asked directly.
  struct CachedCounter {
    std::array<std::string, 3> values;
    prometheus::Counter* counter;
  };
  static constexpr size_t kMaxCached = 64;
  prometheus::Counter& Cached(std::vector<CachedCounter>& cache,
                              prometheus::Family<prometheus::Counter>& family,
                              const std::array<const char*, 3>& names,
                              const std::array<std::string_view, 3>& values)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(cache_mu_);
  absl::Status Counted(const char* operation, absl::Status status);

  Store* const inner_;
  prometheus::Family<prometheus::Counter>& proposals_;
  prometheus::Family<prometheus::Counter>& decisions_;
  prometheus::Family<prometheus::Counter>& ramp_steps_;
  prometheus::Family<prometheus::Counter>& ramp_excess_mw_;
  prometheus::Family<prometheus::Counter>& notes_;
  prometheus::Family<prometheus::Counter>& errors_;
  prometheus::Counter& ramp_steps_no_dispatch_;
  prometheus::Counter& ramp_steps_after_dispatch_;
  prometheus::Counter& ramp_excess_mw_no_dispatch_;
  prometheus::Counter& ramp_excess_mw_after_dispatch_;
  absl::Mutex cache_mu_;
  std::vector<CachedCounter> proposal_counters_ ABSL_GUARDED_BY(cache_mu_);
  std::vector<CachedCounter> decision_counters_ ABSL_GUARDED_BY(cache_mu_);
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_GATEWAY_METERED_STORE_H_
