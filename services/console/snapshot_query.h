// SnapshotQuery: what a client of the console's HTTP API asks for, parsed from URL query
// parameters. Pure: no HTTP types, so the parsing (and its error messages, which the
// server returns with 400) is unit tested.
#ifndef GRIDPILOT_SERVICES_CONSOLE_SNAPSHOT_QUERY_H_
#define GRIDPILOT_SERVICES_CONSOLE_SNAPSHOT_QUERY_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace gridpilot {

struct SnapshotQuery {
  // Time-series points (ticks, forecasts, anomalies) with time in [from, to) only.
  absl::Time from = absl::InfinitePast();
  absl::Time to = absl::InfiniteFuture();
  // Only ticks and forecast points whose running index is greater than this (-1 = all):
  // how the live stream sends each client only what it has not seen.
  int64_t after = -1;
};

// Parses `from` and `to` (a UTC timestamp like 2023-03-08T04:00:00Z, or Unix seconds) and
// `after` (an integer >= -1). Unknown keys are rejected. InvalidArgument names the
// parameter and the bad value; also when from >= to.
absl::StatusOr<SnapshotQuery> ParseSnapshotQuery(
    const std::multimap<std::string, std::string>& params);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CONSOLE_SNAPSHOT_QUERY_H_
