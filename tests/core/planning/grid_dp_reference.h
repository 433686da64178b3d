// The grid DP planner as it stood before its speed-up (docs/decisions.md, "Trader re-plan
// and forecast tick cost"), kept only as an oracle: the planner in core/planning must give
// bit-identical plans (powers, stored energies, objective and note) on every request.
// grid_dp_planner_test compares them on random trading problems and
// bench/trader_replay_bench (--check_planner yes) on every re-plan of a replayed year.
#ifndef GRIDPILOT_TESTS_CORE_PLANNING_GRID_DP_REFERENCE_H_
#define GRIDPILOT_TESTS_CORE_PLANNING_GRID_DP_REFERENCE_H_

#include "core/planning/grid_dp_planner.h"

namespace gridpilot::planning::reference {

// PlanBatterySchedule's contract (core/planning/grid_dp_planner.h), by the earlier code.
BatterySchedule ReferencePlanBatterySchedule(const ScheduleRequest& request);

}  // namespace gridpilot::planning::reference

#endif  // GRIDPILOT_TESTS_CORE_PLANNING_GRID_DP_REFERENCE_H_
