// Test helper: a well-formed DispatchProposal from its parts, for the tests of the arbiter
// and of the region engine that submits through it. Header-only.
#ifndef GRIDPILOT_TESTS_CORE_REGION_PROPOSAL_BUILDER_H_
#define GRIDPILOT_TESTS_CORE_REGION_PROPOSAL_BUILDER_H_

#include <string>

#include "absl/time/time.h"
#include "core/region/dispatch_arbiter.h"

namespace gridpilot::region {

// `agent` asks for `asset` at `power_mw` (battery: > 0 discharge, < 0 charge; peaker:
// output) over the intervals starting in [start, end), with `priority`, no idempotency key
// and `reason` for the audit log.
inline DispatchProposal MakeProposal(const std::string& agent, const std::string& asset,
                                     DispatchPriority priority, double power_mw, absl::Time start,
                                     absl::Time end, const std::string& reason) {
  return {.agent = agent,
          .role = "",
          .asset_id = asset,
          .priority = priority,
          .power_mw = power_mw,
          .start = start,
          .end = end,
          .idempotency_key = "",
          .reason = reason};
}

}  // namespace gridpilot::region

#endif  // GRIDPILOT_TESTS_CORE_REGION_PROPOSAL_BUILDER_H_
