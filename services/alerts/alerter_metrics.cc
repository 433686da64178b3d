#include "services/alerts/alerter_metrics.h"

#include <vector>

namespace gridpilot {

std::shared_ptr<SnapshotCollector> MakeAlerterCollector(const Alerter* alerter) {
  return std::make_shared<SnapshotCollector>([alerter] {
    std::vector<prometheus::MetricFamily> out;
    const alerts::AlertCounts a = alerter->alert_counts();
    out.push_back(SnapshotFamily::Counter("gridpilot_alert_conditions_total",
                                          "Alert conditions by outcome: fired (started), "
                                          "deduplicated (still firing), rate_limited")
                      .Add({{"outcome", "fired"}}, static_cast<double>(a.fired))
                      .Add({{"outcome", "deduplicated"}}, static_cast<double>(a.deduplicated))
                      .Add({{"outcome", "rate_limited"}}, static_cast<double>(a.rate_limited))
                      .Take());
    out.push_back(SnapshotFamily::Counter("gridpilot_alerts_sent_total",
                                          "Alerts handed to the sinks, by status")
                      .Add({{"status", "firing"}}, static_cast<double>(a.sent_firing))
                      .Add({{"status", "resolved"}}, static_cast<double>(a.sent_resolved))
                      .Take());
    SnapshotFamily deliveries = SnapshotFamily::Counter(
        "gridpilot_alert_deliveries_total",
        "Alert deliveries by sink and result (delivered, failed, retried, dropped)");
    for (const auto& [sink, c] : alerter->sink_counts()) {
      deliveries.Add({{"sink", sink}, {"result", "delivered"}}, static_cast<double>(c.delivered))
          .Add({{"sink", sink}, {"result", "failed"}}, static_cast<double>(c.failed))
          .Add({{"sink", sink}, {"result", "retried"}}, static_cast<double>(c.retries))
          .Add({{"sink", sink}, {"result", "dropped"}}, static_cast<double>(c.dropped));
    }
    out.push_back(deliveries.Take());
    return out;
  });
}

}  // namespace gridpilot
