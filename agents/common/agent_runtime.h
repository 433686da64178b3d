// AgentRuntime: the loop every agent process runs. It registers the agent with the
// gateway's ClockService, follows the TelemetryService tick stream through a
// TickSubscription (services/common/tick_subscription.h: resumed after the last tick seen
// if the stream breaks), hands each tick to the agent's OnTick, and submits
// the returned proposals as the agent's answer to that tick (an empty list is an answer:
// "no action"). The agent's decision logic stays pure; this is the edge, and where the
// agent's latency and RPC failures are measured (agent_metrics.h).
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
#include "gridpilot/v1/asset.grpc.pb.h"
#include "gridpilot/v1/clock.grpc.pb.h"
#include "services/common/tick_subscription.h"

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
  // Follows ticks until the run finishes or Stop() is called.
  void Run();
  // Ends Run (and a Register still retrying) promptly, cancelling a stream read in
  // progress. Thread-safe.
  void Stop();

 private:
  void OnTick(const v1::Tick& tick);
  void Answer(const v1::Tick& tick, std::vector<v1::DispatchProposal> proposals, std::string note,
              std::optional<v1::AgentPlan> plan);

  const std::string agent_name_;
  TickAgent* const agent_;
  AgentMetrics* const metrics_;
  std::unique_ptr<v1::ClockService::Stub> clock_;
  std::unique_ptr<v1::AssetService::Stub> assets_;
  std::unique_ptr<TickSubscription> ticks_;
  std::atomic<bool> stop_{false};
};

}  // namespace gridpilot

#endif  // GRIDPILOT_AGENTS_COMMON_AGENT_RUNTIME_H_
