#include "agents/trader/trader_metrics.h"

#include <vector>

namespace gridpilot {

std::shared_ptr<SnapshotCollector> MakeTraderCollector(const TraderAgent* agent) {
  return std::make_shared<SnapshotCollector>([agent] {
    const v1::GetTraderStatusResponse s = agent->Status();
    std::vector<prometheus::MetricFamily> out;
    out.push_back(SnapshotFamily::Counter("gridpilot_trader_plans_total",
                                          "Battery schedules the trader has planned")
                      .Add(s.plans_made())
                      .Take());
    out.push_back(SnapshotFamily::Counter("gridpilot_suspect_ticks_held_total",
                                          "Interval ticks judged suspect on which the agent "
                                          "held its last decision, by agent")
                      .Add({{"agent", TraderAgent::kAgentName}}, s.suspect_ticks_held())
                      .Take());
    return out;
  });
}

}  // namespace gridpilot
