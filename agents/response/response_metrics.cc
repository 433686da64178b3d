#include "agents/response/response_metrics.h"

#include <vector>

namespace gridpilot {

std::shared_ptr<SnapshotCollector> MakeResponseCollector(const ResponseAgent* agent) {
  return std::make_shared<SnapshotCollector>([agent] {
    const v1::GetResponseStatusResponse s = agent->Status();
    std::vector<prometheus::MetricFamily> out;
    out.push_back(SnapshotFamily::Counter("gridpilot_ramp_events_total",
                                          "Ramps beyond the grid's limit the response agent "
                                          "detected, by kind (measured, forecast)")
                      .Add({{"kind", "measured"}}, s.measured_ramp_events())
                      .Add({{"kind", "forecast"}}, s.forecast_ramp_events())
                      .Take());
    out.push_back(SnapshotFamily::Counter("gridpilot_ramp_episodes_total",
                                          "Ramp episodes that ended, by outcome")
                      .Add({{"outcome", "countered"}}, s.episodes_countered())
                      .Add({{"outcome", "not_countered"}}, s.episodes_not_countered())
                      .Add({{"outcome", "did_not_happen"}}, s.episodes_did_not_happen())
                      .Take());
    out.push_back(SnapshotFamily::Gauge("gridpilot_ramp_episode_open",
                                        "1 while a ramp episode is open, else 0")
                      .Add(s.open_episode_id() != 0 ? 1.0 : 0.0)
                      .Take());
    out.push_back(SnapshotFamily::Gauge("gridpilot_response_degraded",
                                        "1 while the agent acts on measured data only "
                                        "(forecasts unavailable), else 0")
                      .Add(s.degraded() ? 1.0 : 0.0)
                      .Take());
    out.push_back(SnapshotFamily::Counter("gridpilot_response_degraded_ticks_total",
                                          "Ticks decided without forecasts")
                      .Add(s.degraded_ticks())
                      .Take());
    out.push_back(SnapshotFamily::Counter("gridpilot_suspect_ticks_held_total",
                                          "Interval ticks judged suspect on which the agent "
                                          "held its last decision, by agent")
                      .Add({{"agent", ResponseAgent::kAgentName}}, s.suspect_ticks_held())
                      .Take());
    return out;
  });
}

}  // namespace gridpilot
