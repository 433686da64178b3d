// backtest_bench: the full-year 2023 backtest through all four processes, in ticks per
// second and CPU per process per tick (/proc/<pid>/stat), next to baselines measured in
// the same run on the same machine (and the CPU of gridpilot-mcp, which follows the run):
//   - the in-process floor: the same year's decisions by the same code in this process,
//     with no gRPC (bench/in_process_backtest.h), and the stack's ratio to it;
//   - the same year through the RegionEngine alone, in this process, with no agents and
//     no gRPC (what the physics, arbitration and settlement cost by themselves);
//   - a bare gRPC unary round trip to the running gateway (ClockService.GetClockStatus).
// Usage: backtest_bench [--from 2023-01-01] [--to 2023-12-31] [--run_dir DIR]
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "bench/bench_inputs.h"
#include "bench/in_process_backtest.h"
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

// CPU seconds (user + system) process `pid` has used, from /proc/<pid>/stat; -1 if unreadable.
double ProcessCpuSeconds(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(file, line)) return -1.0;
  // Fields after the command name (which may hold spaces) start at the last ')'.
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return -1.0;
  std::istringstream fields(line.substr(close + 2));
  std::string field;
  double utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stod(field);
    if (i == 15) stime = std::stod(field);
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

constexpr std::array<const char*, 4> kProcesses = {"gateway", "forecast", "response", "trader"};

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
  std::array<double, kProcesses.size()> cpu_seconds{};
  for (size_t i = 0; i < kProcesses.size(); ++i) {
    cpu_seconds[i] = -ProcessCpuSeconds((*stack)->Find(kProcesses[i])->pid());
  }
  // gridpilot-mcp follows the run (as in the main job) without being waited for.
  const ChildProcess* mcp = (*stack)->Find("mcp");
  double mcp_cpu_seconds = mcp != nullptr ? -ProcessCpuSeconds(mcp->pid()) : 0.0;
  const absl::Time began = absl::Now();
  absl::Status run = (*stack)->StartClock();
  if (run.ok()) run = (*stack)->WaitFinished([](const v1::GetClockStatusResponse&) {});
  const double stack_seconds = absl::ToDoubleSeconds(absl::Now() - began);
  for (size_t i = 0; i < kProcesses.size(); ++i) {
    cpu_seconds[i] += ProcessCpuSeconds((*stack)->Find(kProcesses[i])->pid());
  }
  if (mcp != nullptr) mcp_cpu_seconds += ProcessCpuSeconds(mcp->pid());
  if (!run.ok()) {
    std::fprintf(stderr, "run failed: %s\n", std::string(run.message()).c_str());
    return 1;
  }
  absl::StatusOr<v1::GetClockStatusResponse> status = (*stack)->ClockStatus();
  const int64_t ticks = status.ok() ? status->ticks_done() : 0;

  // Bare gRPC round trips to the same gateway, same run.
  const RoundTripLatency round_trip = MeasureRoundTrips(**stack, 2000);
  absl::StatusOr<StackFigures> figures = (*stack)->Collect();
  (*stack)->StopAll();

  const std::string data_dir = GRIDPILOT_DEFAULT_DATA_DIR;
  absl::StatusOr<data::GridSeries> series = LoadShippedGbSeries(data_dir);
  if (!series.ok()) {
    std::fprintf(stderr, "%s\n", std::string(series.status().message()).c_str());
    return 1;
  }
  InProcessBacktestOptions floor_options;
  floor_options.replay_from = *from;
  floor_options.replay_to = *to_day + absl::Hours(24);
  floor_options.data_dir = data_dir;
  floor_options.model_dir = DefaultModelDir();
  floor_options.store_path = options.run_dir + "/in_process.sqlite";
  absl::StatusOr<InProcessBacktestResult> floor = RunInProcessBacktest(floor_options);
  if (!floor.ok()) {
    std::fprintf(stderr, "in-process floor failed: %s\n",
                 std::string(floor.status().message()).c_str());
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
  double cpu_total = 0;
  for (size_t i = 0; i < kProcesses.size(); ++i) {
    std::printf("    %-8s CPU %.2f s = %.0f us per tick\n", kProcesses[i], cpu_seconds[i],
                1e6 * cpu_seconds[i] / std::max<int64_t>(ticks, 1));
    cpu_total += cpu_seconds[i];
  }
  std::printf("    all four CPU %.2f s = %.0f us per tick\n", cpu_total,
              1e6 * cpu_total / std::max<int64_t>(ticks, 1));
  if (mcp != nullptr) {
    std::printf("    and gridpilot-mcp, following the ticks: CPU %.2f s = %.0f us per tick\n",
                mcp_cpu_seconds, 1e6 * mcp_cpu_seconds / std::max<int64_t>(ticks, 1));
  }
  if (figures.ok()) std::printf("    net %.0f GBP\n", figures->pnl.net_gbp());
  std::printf(
      "  in-process floor (same code, one process, no gRPC): %lld ticks in %.2f s = %.0f "
      "ticks/s (%.0f us per tick; CPU %.2f s); net %.0f GBP%s\n",
      static_cast<long long>(floor->ticks), floor->tick_seconds, floor->ticks / floor->tick_seconds,
      1e6 * floor->tick_seconds / std::max<int64_t>(floor->ticks, 1), floor->tick_cpu_seconds,
      floor->net_gbp,
      figures.ok() && std::abs(figures->pnl.net_gbp() - floor->net_gbp) < 0.5
          ? " (equal to the stack's)"
          : " (DIFFERS from the stack's)");
  std::printf("  ratio: the stack takes %.2fx the floor's wall time and %.2fx its CPU\n",
              stack_seconds / floor->tick_seconds, cpu_total / floor->tick_cpu_seconds);
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
