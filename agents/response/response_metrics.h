// The response agent's scrape-time metrics, read from its status (the same one
// ResponseService.GetResponseStatus serves): ramp events detected (measured and forecast),
// ramp episodes by outcome, degraded mode, and suspect ticks held.
#ifndef GRIDPILOT_AGENTS_RESPONSE_RESPONSE_METRICS_H_
#define GRIDPILOT_AGENTS_RESPONSE_RESPONSE_METRICS_H_

#include <memory>

#include "agents/response/response_agent.h"
#include "services/common/metric_snapshot.h"

namespace gridpilot {

// `agent` is not owned and must outlive the collector's last scrape.
std::shared_ptr<SnapshotCollector> MakeResponseCollector(const ResponseAgent* agent);

}  // namespace gridpilot

#endif  // GRIDPILOT_AGENTS_RESPONSE_RESPONSE_METRICS_H_
