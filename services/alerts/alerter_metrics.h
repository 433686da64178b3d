// The alerter's Prometheus metrics, read from its counts at each scrape:
// gridpilot_alert_conditions_total{outcome="fired|deduplicated|rate_limited"},
// gridpilot_alerts_sent_total{status="firing|resolved"} and
// gridpilot_alert_deliveries_total{sink,result="delivered|failed|retried|dropped"}.
#ifndef GRIDPILOT_SERVICES_ALERTS_ALERTER_METRICS_H_
#define GRIDPILOT_SERVICES_ALERTS_ALERTER_METRICS_H_

#include <memory>

#include "services/alerts/alerter.h"
#include "services/common/metric_snapshot.h"

namespace gridpilot {

// `alerter` is not owned and must outlive the collector's registration.
std::shared_ptr<SnapshotCollector> MakeAlerterCollector(const Alerter* alerter);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_ALERTS_ALERTER_METRICS_H_
