// The arbitrage trader's scrape-time metrics, read from its status (the same one
// TraderService.GetTraderStatus serves): plans made and suspect ticks held. Its decision
// latency (which includes the schedule solve) is measured by the agent runtime.
#ifndef GRIDPILOT_AGENTS_TRADER_TRADER_METRICS_H_
#define GRIDPILOT_AGENTS_TRADER_TRADER_METRICS_H_

#include <memory>

#include "agents/trader/trader_agent.h"
#include "services/common/metric_snapshot.h"

namespace gridpilot {

// `agent` is not owned and must outlive the collector's last scrape.
std::shared_ptr<SnapshotCollector> MakeTraderCollector(const TraderAgent* agent);

}  // namespace gridpilot

#endif  // GRIDPILOT_AGENTS_TRADER_TRADER_METRICS_H_
