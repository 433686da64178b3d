// The gateway's scrape-time metrics: the state an operator watches, read from GatewayRun's
// thread-safe accessors (the same ones its gRPC services use) on each scrape: the clock
// and its progress, the latest readings, battery SoC and power, peaker state and output,
// the ledger by cause, dispatch totals per asset, and how fast agents answer. Counters of
// what passes through the store are in metered_store.h.
#ifndef GRIDPILOT_SERVICES_GATEWAY_GATEWAY_METRICS_H_
#define GRIDPILOT_SERVICES_GATEWAY_GATEWAY_METRICS_H_

#include <memory>

#include "services/common/metric_snapshot.h"
#include "services/gateway/gateway_run.h"

namespace gridpilot {

// `run` is not owned and must outlive the collector's last scrape.
std::shared_ptr<SnapshotCollector> MakeGatewayCollector(const GatewayRun* run);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_GATEWAY_GATEWAY_METRICS_H_
