// backtest_bench: the full-year 2023 backtest through all four processes, in ticks per
// second, next to two baselines measured in the same run on the same machine:
//   - the same year through the RegionEngine alone, in this process, with no agents and
//     no gRPC (what the physics, arbitration and settlement cost by themselves);
//   - a bare gRPC unary round trip to the running gateway (ClockService.GetClockStatus).
// Usage: backtest_bench [--from 2023-01-01] [--to 2023-12-31] [--run_dir DIR]
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "bench/bench_inputs.h"
#include "bench/round_trip_latency.h"
#include "core/base/time_util.h"
#include "core/data/grid_data_loader.h"
#include "core/region/region_engine.h"
#include "services/cli/stack.h"
#include "services/cli/stack_credentials.h"

namespace gridpilot {
namespace {

// Seconds to replay [from, to) through the RegionEngine with no proposals.
double EngineOnlySeconds(const data::GridSeries& series, absl::Time from, absl::Time to,
                         int* intervals) {
  const size_t first = *series.IndexOf(from);
  region::RegionConfig region;
  std::optional<double> previous = series.at(first - 1).net_load_mw;
  region::RegionEngine engine(
      region, {assets::BatteryParams{}}, {assets::PeakerParams{}},
      previous ? std::optional<double>(*previous * region.scale) : std::nullopt);
  const absl::Time began = absl::Now();
  *intervals = 0;
  for (size_t i = first; i < series.size() && series.at(i).start < to; ++i) {
    const data::GridInterval& gb = series.at(i);
    std::optional<double> load;
    if (gb.net_load_mw) load = *gb.net_load_mw * region.scale;
    engine.ApplyStep(gb.start, load, gb.price_gbp_per_mwh);
    ++*intervals;
  }
  return absl::ToDoubleSeconds(absl::Now() - began);
}

int Main(int argc, char** argv) {
  StackOptions options;
  options.bin_dir = std::filesystem::canonical("/proc/self/exe").parent_path().string();
  options.from = FlagValue(argc, argv, "from", "2023-01-01");
  options.to = FlagValue(argc, argv, "to", "2023-12-31");
  options.run_dir =
      FlagValue(argc, argv, "run_dir", "/tmp/gridpilot-bench-" + std::to_string(getpid()));
  absl::StatusOr<absl::Time> from = base::ParseUtcDate(options.from);
  absl::StatusOr<absl::Time> to_day = base::ParseUtcDate(options.to);
  if (!from.ok() || !to_day.ok()) {
    std::fprintf(stderr, "--from/--to must be dates like 2023-01-01\n");
    return 2;
  }

  // Authenticated like the main job: RUN_DIR/credentials, Unix sockets between processes.
  std::filesystem::create_directories(options.run_dir);
  if (absl::Status secured = PrepareStackCredentials("", &options); !secured.ok()) {
    std::fprintf(stderr, "credentials: %s\n", std::string(secured.message()).c_str());
    return 1;
  }
  absl::StatusOr<std::unique_ptr<Stack>> stack = Stack::Launch(options);
  if (!stack.ok()) {
    std::fprintf(stderr, "cannot start the stack: %s\n",
                 std::string(stack.status().message()).c_str());
    return 1;
  }
  const absl::Time began = absl::Now();
  absl::Status run = (*stack)->StartClock();
  if (run.ok()) run = (*stack)->WaitFinished([](const v1::GetClockStatusResponse&) {});
  const double stack_seconds = absl::ToDoubleSeconds(absl::Now() - began);
  if (!run.ok()) {
    std::fprintf(stderr, "run failed: %s\n", std::string(run.message()).c_str());
    return 1;
  }
  absl::StatusOr<v1::GetClockStatusResponse> status = (*stack)->ClockStatus();
  const int64_t ticks = status.ok() ? status->ticks_done() : 0;

  // Bare gRPC round trips to the same gateway, same run.
  const RoundTripLatency round_trip = MeasureRoundTrips(**stack, 2000);
  (*stack)->StopAll();

  const std::string data_dir = GRIDPILOT_DEFAULT_DATA_DIR;
  absl::StatusOr<data::GridSeries> series = LoadShippedGbSeries(data_dir);
  if (!series.ok()) {
    std::fprintf(stderr, "%s\n", std::string(series.status().message()).c_str());
    return 1;
  }
  int engine_intervals = 0;
  const double engine_seconds =
      EngineOnlySeconds(*series, *from, *to_day + absl::Hours(24), &engine_intervals);

  const double stack_rate = ticks / stack_seconds;
  const double engine_rate = engine_intervals / engine_seconds;
  const double p50 = round_trip.p50_us;
  const double p99 = round_trip.p99_us;
  std::printf("backtest %s .. %s\n", options.from.c_str(), options.to.c_str());
  std::printf(
      "  full stack (4 processes, lock-step, gRPC): %lld ticks in %.2f s = %.0f ticks/s "
      "(%.0f us per tick)\n",
      static_cast<long long>(ticks), stack_seconds, stack_rate, 1e6 / stack_rate);
  std::printf(
      "  baseline, RegionEngine alone in-process:   %d intervals in %.3f s = %.0f ticks/s\n",
      engine_intervals, engine_seconds, engine_rate);
  std::printf("  baseline, bare gRPC unary round trip:      p50 %.1f us, p99 %.1f us\n", p50, p99);
  if (status.ok()) {
    for (const v1::AnswerLatency& a : status->answer_latency()) {
      std::printf(
          "  tick published -> %s's answer at the arbiter: p50 %.0f us, p99 %.0f us, "
          "max %.0f us over %lld ticks\n",
          a.agent().c_str(), a.p50_us(), a.p99_us(), a.max_us(), static_cast<long long>(a.count()));
    }
  }
  std::printf("  ratio: one stack tick costs %.1f bare round trips; the engine is %.2f%% of it\n",
              (1e6 / stack_rate) / std::max(p50, 1e-9), 100.0 * stack_rate / engine_rate);
  std::printf("  target: 17,520 ticks in under 10 s (1,752 ticks/s): %s\n",
              stack_rate * 1.0 >= 1752.0 ? "met" : "not met");
  return 0;
}

}  // namespace
}  // namespace gridpilot

int main(int argc, char** argv) { return gridpilot::Main(argc, argv); }
