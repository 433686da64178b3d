// What the benchmarks read: their command-line flags ("--key value") and the shipped GB
// demand and price files. Header-only, shared by the bench binaries.
#ifndef GRIDPILOT_BENCH_BENCH_INPUTS_H_
#define GRIDPILOT_BENCH_BENCH_INPUTS_H_

#include <string>

#include "absl/status/statusor.h"
#include "core/data/grid_data_loader.h"

namespace gridpilot {

// The value after "--<key>" among argv[1..argc), or `fallback` if the flag is absent.
inline std::string FlagValue(int argc, char** argv, const std::string& key,
                             const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == "--" + key) return argv[i + 1];
  }
  return fallback;
}

// The GB half-hourly series from the demand and price files shipped in `data_dir`.
inline absl::StatusOr<data::GridSeries> LoadShippedGbSeries(const std::string& data_dir) {
  return data::LoadGridSeries(data_dir + "/gb_demand_2022_2023.csv",
                              data_dir + "/gb_price_mid_2022-10_2023-12.csv");
}

}  // namespace gridpilot

#endif  // GRIDPILOT_BENCH_BENCH_INPUTS_H_
