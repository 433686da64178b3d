// live_latency_bench: the stack in live mode on the 5-second simulator, measuring how long
// a tick takes from leaving the gateway to each agent's proposal being accepted by the
// arbiter (where it governs the step), as p50/p99 over at least 10,000 ticks, next to a
// bare gRPC unary round trip to the same gateway measured in the same run while the stack
// is still ticking. Live mode never waits for agents; the wall period per tick is chosen
// so the run is short while an answer still lands well inside its step.
// Usage: live_latency_bench [--ticks 12000] [--tick_ms 10] [--from 2023-06-01] [--run_dir DIR]
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "bench/bench_inputs.h"
#include "bench/round_trip_latency.h"
#include "services/cli/stack.h"
#include "services/cli/stack_credentials.h"

namespace gridpilot {
namespace {

int Main(int argc, char** argv) {
  int64_t ticks_wanted = 0;
  double tick_ms = 0.0;
  if (!absl::SimpleAtoi(FlagValue(argc, argv, "ticks", "12000"), &ticks_wanted) ||
      !absl::SimpleAtod(FlagValue(argc, argv, "tick_ms", "10"), &tick_ms) || ticks_wanted <= 0 ||
      !(tick_ms > 0)) {
    std::fprintf(stderr, "--ticks and --tick_ms must be positive numbers\n");
    return 2;
  }
  StackOptions options;
  options.bin_dir = std::filesystem::canonical("/proc/self/exe").parent_path().string();
  options.from = FlagValue(argc, argv, "from", "2023-06-01");
  options.to = FlagValue(argc, argv, "to", "2023-06-02");  // two days of 5 s steps: 34,560 ticks
  options.run_dir =
      FlagValue(argc, argv, "run_dir", "/tmp/gridpilot-live-bench-" + std::to_string(getpid()));
  options.mode = "live";
  options.step_seconds = 5.0;
  options.tick_seconds = tick_ms / 1000.0;

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
  absl::Status started = (*stack)->StartClock();
  if (!started.ok()) {
    std::fprintf(stderr, "%s\n", std::string(started.message()).c_str());
    return 1;
  }
  absl::StatusOr<v1::GetClockStatusResponse> status;
  while (true) {
    absl::SleepFor(absl::Milliseconds(500));
    status = (*stack)->ClockStatus();
    if (!status.ok() || status->ticks_done() >= ticks_wanted ||
        status->state() == v1::RUN_STATE_FINISHED) {
      break;
    }
  }
  // Bare round trips to the same gateway while it is still ticking.
  const RoundTripLatency round_trip = MeasureRoundTrips(**stack, 2000);
  (*stack)->StopAll();
  if (!status.ok()) {
    std::fprintf(stderr, "gateway unreachable: %s\n",
                 std::string(status.status().message()).c_str());
    return 1;
  }
  const double p50 = round_trip.p50_us;
  const double p99 = round_trip.p99_us;
  std::printf("live mode, 5 s simulator steps, one tick every %.1f ms of wall time: %lld ticks\n",
              tick_ms, static_cast<long long>(status->ticks_done()));
  std::printf("  baseline, bare gRPC unary round trip: p50 %.0f us, p99 %.0f us\n", p50, p99);
  bool met = true;
  for (const v1::AnswerLatency& a : status->answer_latency()) {
    std::printf(
        "  tick leaves the gateway -> %s's proposal accepted by the arbiter: p50 %.0f us "
        "(%.1fx round trip), p99 %.0f us (%.1fx), max %.0f us over %lld ticks\n",
        a.agent().c_str(), a.p50_us(), a.p50_us() / std::max(p50, 1e-9), a.p99_us(),
        a.p99_us() / std::max(p99, 1e-9), a.max_us(), static_cast<long long>(a.count()));
    if (a.agent() == "response") met = a.p99_us() < 5000.0 && a.count() >= 10000;
  }
  std::printf("  target: response p99 under 5 ms over at least 10,000 ticks: %s\n",
              met ? "met" : "not met");
  return 0;
}

}  // namespace
}  // namespace gridpilot

int main(int argc, char** argv) { return gridpilot::Main(argc, argv); }
