#include "agents/common/agent_metrics.h"

namespace gridpilot {

prometheus::Histogram::BucketBoundaries TickLatencyBuckets() {
  prometheus::Histogram::BucketBoundaries bounds;
  for (double b = 50e-6; b < 7.0; b *= 2) bounds.push_back(b);
  return bounds;
}

AgentMetrics::AgentMetrics(const std::string& agent, prometheus::Registry* registry)
    : agent_(agent),
      decided_(prometheus::BuildHistogram()
                   .Name("gridpilot_tick_to_decision_seconds")
                   .Help("Wall time from receiving a tick to the agent's decision (its "
                         "OnTick: forecast waits, policy, the trader's schedule solve), s")
                   .Register(*registry)
                   .Add({{"agent", agent}}, TickLatencyBuckets())),
      answered_(prometheus::BuildHistogram()
                    .Name("gridpilot_tick_to_answer_seconds")
                    .Help("Wall time from receiving a tick to the agent's answer being sent "
                          "on its session (decision plus the write), s")
                    .Register(*registry)
                    .Add({{"agent", agent}}, TickLatencyBuckets())),
      ticks_(prometheus::BuildCounter()
                 .Name("gridpilot_agent_ticks_total")
                 .Help("Ticks the agent received and answered")
                 .Register(*registry)
                 .Add({{"agent", agent}})),
      proposals_(prometheus::BuildCounter()
                     .Name("gridpilot_agent_proposals_total")
                     .Help("Dispatch proposals the agent sent in its answers")
                     .Register(*registry)
                     .Add({{"agent", agent}})),
      reconnects_(prometheus::BuildCounter()
                      .Name("gridpilot_tick_stream_reconnects_total")
                      .Help("Times the agent session ended before the run did and was re-opened")
                      .Register(*registry)
                      .Add({{"agent", agent}})),
      telemetry_silent_(prometheus::BuildGauge()
                            .Name("gridpilot_agent_telemetry_silent")
                            .Help("1 while the ticks say the live telemetry source is silent "
                                  "(the region is degraded)")
                            .Register(*registry)
                            .Add({{"agent", agent}})),
      rpc_errors_(prometheus::BuildCounter()
                      .Name("gridpilot_rpc_errors_total")
                      .Help("RPCs to the gateway that failed, by agent and rpc")
                      .Register(*registry)) {
  // Present at 0 from the start, so that dashboards and rate() see them before any error.
  rpc_errors_.Add({{"agent", agent_}, {"rpc", "AgentSession"}});
}

void AgentMetrics::TickAnswered(absl::Duration decided, absl::Duration answered, int proposals) {
  ticks_.Increment();
  proposals_.Increment(proposals);
  decided_.Observe(absl::ToDoubleSeconds(decided));
  answered_.Observe(absl::ToDoubleSeconds(answered));
}

void AgentMetrics::RpcFailed(const std::string& rpc) {
  rpc_errors_.Add({{"agent", agent_}, {"rpc", rpc}}).Increment();
}

void AgentMetrics::StreamReconnected() { reconnects_.Increment(); }

void AgentMetrics::TelemetrySilent(bool silent) { telemetry_silent_.Set(silent ? 1.0 : 0.0); }

}  // namespace gridpilot
