// The baseline the stack benchmarks compare against: bare gRPC unary round trips
// (ClockService.GetClockStatus) to the running gateway, measured in the same run on the same
// machine. Header-only, shared by the bench binaries that launch a Stack.
#ifndef GRIDPILOT_BENCH_ROUND_TRIP_LATENCY_H_
#define GRIDPILOT_BENCH_ROUND_TRIP_LATENCY_H_

#include <algorithm>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/cli/stack.h"

namespace gridpilot {

struct RoundTripLatency {
  int calls = 0;      // round trips that succeeded
  double p50_us = 0;  // 0 when there were none
  double p99_us = 0;
};

// Makes up to `calls` GetClockStatus calls to the stack's gateway, one after another, and
// stops at the first that fails.
inline RoundTripLatency MeasureRoundTrips(Stack& stack, int calls) {
  std::vector<double> round_trip_us;
  for (int i = 0; i < calls; ++i) {
    const absl::Time t0 = absl::Now();
    if (!stack.ClockStatus().ok()) break;
    round_trip_us.push_back(absl::ToDoubleMicroseconds(absl::Now() - t0));
  }
  std::sort(round_trip_us.begin(), round_trip_us.end());
  RoundTripLatency latency;
  latency.calls = static_cast<int>(round_trip_us.size());
  if (!round_trip_us.empty()) {
    latency.p50_us = round_trip_us[round_trip_us.size() / 2];
    latency.p99_us = round_trip_us[round_trip_us.size() * 99 / 100];
  }
  return latency;
}

}  // namespace gridpilot

#endif  // GRIDPILOT_BENCH_ROUND_TRIP_LATENCY_H_
