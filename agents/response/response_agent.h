// ResponseAgent: the response agent's tick handler. At each settlement-interval tick
// it turns the tick into a RampObservation, takes the net-load-change forecasts the tick
// carries (or, when it carries none, asks the forecast service; falling back to measured
// data alone, "degraded", when they are unavailable)
// and applies the pure DecideResponse policy (battery and peaker). When the gateway steps
// faster than the interval (the live simulator), the battery is instead set every step by
// DecideStepResponse from the step readings, and the interval policy keeps the peaker.
// Every decision feeds a RampEpisodeTracker (forecast -> started -> countered ->
// resolved). An interval tick whose measurement the forecast process judges suspect
// (false data) is not acted on: the agent holds its last decision and says why in the
// answer's note. Thread-safe: OnTick runs on the runtime thread, the accessors on gRPC threads.
#ifndef GRIDPILOT_AGENTS_RESPONSE_RESPONSE_AGENT_H_
#define GRIDPILOT_AGENTS_RESPONSE_RESPONSE_AGENT_H_

#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "agents/common/agent_runtime.h"
#include "agents/response/forecast_client.h"
#include "core/control/battery_duty_split.h"
#include "core/control/ramp_episode_tracker.h"
#include "core/control/ramp_response_policy.h"
#include "gridpilot/v1/response.pb.h"

namespace gridpilot {

class ResponseAgent final : public TickAgent {
 public:
  static constexpr char kAgentName[] = "response";

  // `forecasts` is not owned and may be null (always degraded).
  explicit ResponseAgent(ChangeForecastSource* forecasts) : forecasts_(forecasts) {}

  void OnRegistered(const v1::RegionInfo& region) override;
  std::vector<v1::DispatchProposal> OnTick(const v1::Tick& tick) override;
  std::string AnswerNote() override;

  v1::GetResponseStatusResponse Status() const;
  std::vector<v1::RampEvent> RecentEvents(size_t limit) const;
  std::vector<v1::RampEpisode> RecentEpisodes(size_t limit) const;
  v1::Thresholds Thresholds() const;
  // The largest ramp limit SetThresholds accepts, as a multiple of the region's
  // configured limit (docs/decisions.md, "Input bounds"): wider than that, the agent
  // would in effect stop responding while claiming to.
  static constexpr double kMaxRampLimitMultiple = 10.0;
  // InvalidArgument, with the accepted range in the message, for a ramp limit outside
  // (0, kMaxRampLimitMultiple x the region's limit] (not a finite number included) or a
  // margin outside [0, ramp limit). Before OnRegistered the reference is the default
  // limit. Nothing changes on an error.
  absl::Status SetThresholds(const v1::Thresholds& thresholds);

 private:
  // One step's reading as the agent keeps it for the ramp window.
  struct StepPoint {
    absl::Time start;
    std::optional<double> net_load_mw{};        // L
    std::optional<double> after_dispatch_mw{};  // N = L - D
  };

  // The interval policy at a settlement-interval tick: events, peaker, and (when the
  // step is the interval) the battery. Appends proposals.
  void DecideInterval(const v1::Tick& tick, const std::vector<double>* forecast,
                      const std::string& degraded_reason,
                      std::vector<v1::DispatchProposal>* proposals)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // At an interval tick whose measurement is suspect: no decision on it. The last
  // interval decision's setpoints are proposed again for this interval ("held"), and the
  // suspect reading is not kept as the previous measurement.
  void HoldInterval(const v1::Tick& tick, const std::string& cause,
                    std::vector<v1::DispatchProposal>* proposals)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The step policy of the live simulator. Appends a battery proposal if any.
  void DecideStep(const v1::Tick& tick, std::vector<v1::DispatchProposal>* proposals)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void TrackEpisode(const control::EpisodeInput& input) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool Stepping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return step_ < config_.interval; }

  ChangeForecastSource* const forecasts_;
  mutable absl::Mutex mu_;
  control::ResponsePolicyConfig config_ ABSL_GUARDED_BY(mu_);
  // The region's configured ramp limit, MW: the reference SetThresholds bounds against.
  // The batteries' shared connection, from the region (none unless the config sets one).
  control::DutyConnection connection_ ABSL_GUARDED_BY(mu_);
  double region_ramp_limit_mw_ ABSL_GUARDED_BY(mu_) = control::ResponsePolicyConfig{}.ramp_limit_mw;
  absl::Duration step_ ABSL_GUARDED_BY(mu_) = absl::Minutes(30);
  absl::Duration ramp_window_ ABSL_GUARDED_BY(mu_) = absl::Minutes(30);
  std::deque<StepPoint> window_ ABSL_GUARDED_BY(mu_);  // the last ramp_window/step + 1 steps
  std::optional<double> last_after_dispatch_mw_ ABSL_GUARDED_BY(mu_);  // N_{t-1}, interval
  bool forecast_exceeds_ ABSL_GUARDED_BY(mu_) = false;  // at the last interval decision
  control::RampEpisodeTracker episodes_tracker_ ABSL_GUARDED_BY(mu_);
  std::deque<v1::RampEpisode> episodes_ ABSL_GUARDED_BY(mu_);    // by id, latest state
  std::optional<double> last_net_load_mw_ ABSL_GUARDED_BY(mu_);  // from the previous tick
  absl::Time last_measured_start_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  std::optional<double> peaker_request_mw_ ABSL_GUARDED_BY(mu_);  // kept until released
  // The battery setpoints of the last interval decision, by battery id (empty: left to the
  // trader). Several batteries share the decision (core/control/battery_duty_split.h).
  std::vector<std::pair<std::string, double>> last_battery_mw_ ABSL_GUARDED_BY(mu_);
  absl::Time last_decision_time_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  std::string note_ ABSL_GUARDED_BY(mu_);  // for the answer to the tick just decided
  v1::GetResponseStatusResponse status_ ABSL_GUARDED_BY(mu_);
  std::deque<v1::RampEvent> events_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gridpilot

#endif  // GRIDPILOT_AGENTS_RESPONSE_RESPONSE_AGENT_H_
