// AgentMetrics: what the agent runtime (agent_runtime.h) measures about an agent for
// Prometheus: how long it takes from receiving a tick to deciding (the agent's OnTick,
// which includes any forecast it waits for and, for the trader, the schedule solve) and
// to the answer being sent on the session; ticks and proposals; failed RPCs and broken
// sessions. The agent's decision logic knows nothing of it.
#ifndef GRIDPILOT_AGENTS_COMMON_AGENT_METRICS_H_
#define GRIDPILOT_AGENTS_COMMON_AGENT_METRICS_H_

#include <string>

#include "absl/time/time.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace gridpilot {

class AgentMetrics {
 public:
  // Registers the families in `registry` (not owned; must outlive this), every series
  // labelled agent=`agent`. Thread-safe.
  AgentMetrics(const std::string& agent, prometheus::Registry* registry);

  // One tick answered: `decided` is receipt to OnTick's return, `answered` receipt to the
  // answer's write on the session returning (wall time, >= 0). `proposals` is how many the answer
  // carried.
  void TickAnswered(absl::Duration decided, absl::Duration answered, int proposals);
  // An RPC to the gateway failed: `rpc` is "AgentSession" (a session that broke, or an
  // answer the gateway refused). The status itself goes to the log.
  void RpcFailed(const std::string& rpc);
  // The agent session ended before the run did and is being re-opened.
  void StreamReconnected();
  // The gateway's live telemetry source went silent (true) or came back (false).
  void TelemetrySilent(bool silent);

 private:
  const std::string agent_;
  prometheus::Histogram& decided_;
  prometheus::Histogram& answered_;
  prometheus::Counter& ticks_;
  prometheus::Counter& proposals_;
  prometheus::Counter& reconnects_;
  prometheus::Gauge& telemetry_silent_;
  prometheus::Family<prometheus::Counter>& rpc_errors_;
};

// Histogram buckets for tick-to-decision latency, seconds: 50 us doubling to about 6.6 s
// (lock-step answers take tens of microseconds; a slow forecast wait takes seconds).
prometheus::Histogram::BucketBoundaries TickLatencyBuckets();

}  // namespace gridpilot

#endif  // GRIDPILOT_AGENTS_COMMON_AGENT_METRICS_H_
