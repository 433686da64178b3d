// ResponseAgent: the grid-response agent's tick handler. It turns a tick into a
// RampObservation, asks the forecast service for net-load-change forecasts (falling back
// to measured data alone, "degraded", when they are unavailable), applies the pure
// DecideResponse policy, and answers with resilience proposals for the battery and the
// peaker. Thread-safe: OnTick runs on the runtime thread, the accessors on gRPC threads.
#ifndef GRIDPILOT_AGENTS_GRID_RESPONSE_RESPONSE_AGENT_H_
#define GRIDPILOT_AGENTS_GRID_RESPONSE_RESPONSE_AGENT_H_

#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "agents/common/agent_runtime.h"
#include "agents/grid_response/forecast_client.h"
#include "core/ramp_response_policy.h"
#include "gridpilot/v1/response_agent.pb.h"

namespace gridpilot {

class ResponseAgent final : public TickAgent {
 public:
  static constexpr char kAgentName[] = "grid-response";

  // `forecasts` is not owned and may be null (always degraded).
  explicit ResponseAgent(ChangeForecastSource* forecasts) : forecasts_(forecasts) {}

  void OnRegistered(const v1::RegionInfo& region) override;
  std::vector<v1::DispatchProposal> OnTick(const v1::Tick& tick) override;

  v1::GetResponseStatusResponse Status() const;
  std::vector<v1::RampEvent> RecentEvents(size_t limit) const;
  v1::Thresholds Thresholds() const;
  // InvalidArgument for a non-finite or non-positive limit or a negative margin.
  absl::Status SetThresholds(const v1::Thresholds& thresholds);

 private:
  ChangeForecastSource* const forecasts_;
  mutable absl::Mutex mu_;
  ResponsePolicyConfig config_ ABSL_GUARDED_BY(mu_);
  std::optional<double> last_net_load_mw_ ABSL_GUARDED_BY(mu_);  // from the previous tick
  absl::Time last_measured_start_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  std::optional<double> peaker_request_mw_ ABSL_GUARDED_BY(mu_);  // kept until released
  v1::GetResponseStatusResponse status_ ABSL_GUARDED_BY(mu_);
  std::deque<v1::RampEvent> events_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gridpilot

#endif  // GRIDPILOT_AGENTS_GRID_RESPONSE_RESPONSE_AGENT_H_
