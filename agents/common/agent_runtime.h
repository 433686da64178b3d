// AgentRuntime: the loop every agent process runs. It registers the agent with the
// gateway's ClockService, then holds one ClockService.AgentSession through an
// AgentSessionClient (services/common/agent_session_client.h: resumed after the last tick
// handled if the stream breaks): each tick goes to the agent's OnTick, and the returned
// proposals go back on the same stream as the agent's answer to that tick (an empty list
// is an answer: "no action"). The agent's decision logic stays pure; this is the edge, and
// where the agent's latency and RPC failures are measured (agent_metrics.h). It also says
// when the ticks report the live telemetry source silent (telemetry_silence_watch.h):
// logged, in the answer's note and in the metrics.
#ifndef GRIDPILOT_AGENTS_COMMON_AGENT_RUNTIME_H_
#define GRIDPILOT_AGENTS_COMMON_AGENT_RUNTIME_H_

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agents/common/agent_metrics.h"
#include "agents/common/telemetry_silence_watch.h"
#include "gridpilot/v1/clock.grpc.pb.h"
#include "services/common/agent_session_client.h"

namespace gridpilot {

// What an agent implements. OnTick is called once per tick, in order, from one thread.
class TickAgent {
 public:
  virtual ~TickAgent() = default;
  // Called once after registration with the region's grid code.
  virtual void OnRegistered(const v1::RegionInfo& region) = 0;
  // Returns the proposals answering `tick` (possibly none).
  virtual std::vector<v1::DispatchProposal> OnTick(const v1::Tick& tick) = 0;
  // Called right after OnTick: why the answer is what it is when no proposal's reason
  // says it (e.g. it held on suspect telemetry); "" for nothing. Goes to the audit log.
  virtual std::string AnswerNote() { return ""; }
  // Called right after OnTick: the whole plan the answer comes from, if the agent plans
  // ahead (the trader's schedule); nullopt for none. Goes to the audit log.
  virtual std::optional<v1::AgentPlan> AnswerPlan() { return std::nullopt; }
};

class AgentRuntime {
 public:
  // `metrics` (not owned, may be null: nothing is measured) must outlive the runtime.
  AgentRuntime(std::string agent_name, const std::string& gateway_address, TickAgent* agent,
               AgentMetrics* metrics = nullptr);

  // Registers, retrying while the gateway is unavailable, for up to `timeout`.
  absl::Status Register(absl::Duration timeout);
  // Answers ticks until the run finishes or Stop() is called. Pauses between sessions
  // start at 100 ms and double, up to 2 s, while sessions bring no new tick.
  void Run();
  // Ends Run (and a Register still retrying) promptly, cancelling a stream read in
  // progress. Thread-safe.
  void Stop();

 private:
  // The agent's answer to `tick`.
  v1::AgentSessionRequest Answer(const v1::Tick& tick);

  const std::string agent_name_;
  TickAgent* const agent_;
  AgentMetrics* const metrics_;
  std::unique_ptr<v1::ClockService::Stub> clock_;
  std::unique_ptr<AgentSessionClient> session_;
  TelemetrySilenceWatch silence_;  // the session's tick thread only
  std::atomic<bool> stop_{false};
};

}  // namespace gridpilot

#endif  // GRIDPILOT_AGENTS_COMMON_AGENT_RUNTIME_H_
