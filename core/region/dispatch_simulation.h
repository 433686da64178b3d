// DispatchSimulation: a dry run of one dispatch proposal. Two copies of the region as it
// stands (its arbiter with the proposals it holds, the assets' state, the ledger) step
// through the same expected net load, one with the proposal submitted and one without,
// using the real arbiter, interlocks and settlement (RegionEngine::ApplyStep); nothing
// reaches the caller's engine. What comes back per step: what the asset would be asked
// for and would apply with and without the proposal, whose proposal it would displace,
// and the ramp excess; in total, the £ difference and the instability penalty difference.
#ifndef GRIDPILOT_CORE_REGION_DISPATCH_SIMULATION_H_
#define GRIDPILOT_CORE_REGION_DISPATCH_SIMULATION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/region/region_engine.h"

namespace gridpilot::region {

// Most steps one simulation may run.
inline constexpr int kMaxSimulatedSteps = 48;

struct SimulatedStep {
  absl::Time start;
  AssetDecision with;     // the proposal's asset with the proposal submitted
  AssetDecision without;  // the same asset without it
  double excess_with_mw = 0.0;
  double excess_without_mw = 0.0;
};

struct DispatchSimulationResult {
  int64_t simulated_proposal_id = 0;  // the id the proposal got in the copy (steps' with)
  std::vector<SimulatedStep> steps;
  double net_with_gbp = 0.0;  // ledger change over the steps, signed, income > 0
  double net_without_gbp = 0.0;
  double penalty_with_gbp = 0.0;  // instability penalty over the steps, >= 0
  double penalty_without_gbp = 0.0;
};

// Runs `proposal` against copies of `engine` from `first_step` (the engine's next step)
// for one step per entry of `expected_net_load_mw` (at most kMaxSimulatedSteps; nullopt
// = unknown, no penalty), at `expected_price_gbp_per_mwh` (one per step, or empty: the
// last known price). `engine` is not changed. InvalidArgument for too many or no steps,
// a price list of another length, or a proposal the arbiter refuses (its message).
absl::StatusOr<DispatchSimulationResult> SimulateDispatch(
    const RegionEngine& engine, const DispatchProposal& proposal, absl::Time first_step,
    const std::vector<std::optional<double>>& expected_net_load_mw,
    const std::vector<double>& expected_price_gbp_per_mwh);

}  // namespace gridpilot::region

#endif  // GRIDPILOT_CORE_REGION_DISPATCH_SIMULATION_H_
