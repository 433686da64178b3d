// trader_replay_bench: the arbitrage trader alone, replayed in process over the GB price
// series with no gRPC and no other agent, so that a change to its forecaster or planner
// can be measured over the whole data span in seconds instead of a full-stack backtest.
//
// Each tick is built as the gateway builds it (services/gateway/gateway_run.cc BuildTick):
// decision time t, the measured interval [t - 30 min, t) with its price, and one battery
// (core/battery.h defaults) with its stored energy at t, the power applied in the
// measured interval and, as scheduled power, the trader's own proposal for the interval
// at t submitted one tick earlier. After the tick, that proposal is applied to a virtual
// battery for [t, t + 30 min) exactly as the RegionEngine applies a trading request:
// ClampBatteryPower with the trading floor (soc_min + reserve), then StepBattery. The tick
// carries the region's net load (GB ND x 0.01, as the gateway scales it), which the
// trader's step window leans with; solar and wind play no part in its decisions and are
// left out. The region's instability penalty is not modelled: that needs the full stack.
//
// Prints TraderAgent::Pnl() and the wall time for each ramp limit given.
// Usage: trader_replay_bench [--data_dir DIR] [--from 2022-10-01] [--to 2023-12-31]
//                            [--ramp_limits 1000,15]
// --to is inclusive. DIR defaults to $GRIDPILOT_SOURCE_DIR/data, else ./data.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "agents/arbitrage_trader/trader_agent.h"
#include "core/battery.h"
#include "core/grid_data_loader.h"
#include "core/interlocks.h"
#include "core/time_util.h"
#include "services/common/proto_time.h"

namespace gridpilot {
namespace {

std::string Arg(int argc, char** argv, const std::string& key, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == "--" + key) return argv[i + 1];
  }
  return fallback;
}

struct ReplayResult {
  v1::GetTraderPnlResponse pnl;
  int64_t ticks = 0;
  double largest_step_mw = 0.0;  // largest |change| of applied power between intervals
  double seconds = 0.0;
};

// Replays ticks at series indices [first, end); series.at(first - 1) must exist.
ReplayResult Replay(const GridSeries& series, size_t first, size_t end, double ramp_limit_mw) {
  const absl::Time began = absl::Now();
  TraderAgent trader;
  v1::RegionInfo region;
  region.set_name("replay");
  region.set_scale(0.01);
  *region.mutable_interval() = ToProtoDuration(kHalfHour);
  region.set_ramp_limit_mw(ramp_limit_mw);
  trader.OnRegistered(region);

  const BatteryParams params;
  const double trading_floor_mwh = params.soc_min_mwh + params.reserve_mwh;
  double soc_mwh = params.soc_initial_mwh;
  double applied_mw = 0.0;    // power applied in the interval before the tick
  double scheduled_mw = 0.0;  // the proposal governing the interval at the tick
  ReplayResult result;
  for (size_t i = first; i < end; ++i) {
    const GridInterval& measured = series.at(i - 1);
    const absl::Time t = series.at(i).start;
    v1::Tick tick;
    tick.set_interval_boundary(true);  // every tick here ends a settlement interval
    tick.set_sequence(static_cast<int64_t>(i - first));
    *tick.mutable_time() = ToProtoTime(t);
    *tick.mutable_measured_interval_start() = ToProtoTime(measured.start);
    if (measured.price_gbp_per_mwh) tick.set_price_gbp_per_mwh(*measured.price_gbp_per_mwh);
    if (measured.national_demand_mw) {
      tick.set_net_load_mw(*measured.national_demand_mw * region.scale());
    }
    tick.set_dispatch_mw(applied_mw);
    v1::Asset* asset = tick.add_assets();
    asset->set_id(params.id);
    asset->set_kind(v1::ASSET_KIND_BATTERY);
    asset->set_scheduled_power_mw(scheduled_mw);
    v1::BatteryState* b = asset->mutable_battery();
    b->set_soc_mwh(soc_mwh);
    b->set_power_mw(applied_mw);
    b->set_energy_capacity_mwh(params.energy_capacity_mwh);
    b->set_max_charge_mw(params.max_charge_mw);
    b->set_max_discharge_mw(params.max_discharge_mw);
    b->set_charge_efficiency(params.charge_efficiency);
    b->set_discharge_efficiency(params.discharge_efficiency);
    b->set_soc_min_mwh(params.soc_min_mwh);
    b->set_soc_max_mwh(params.soc_max_mwh);
    b->set_reserve_mwh(params.reserve_mwh);
    b->set_degradation_gbp_per_mwh(params.degradation_gbp_per_mwh);

    const std::vector<v1::DispatchProposal> proposals = trader.OnTick(tick);

    // The interval at t runs the proposal made one tick earlier.
    const ClampedSetpoint clamped =
        ClampBatteryPower(params, soc_mwh, scheduled_mw, trading_floor_mwh, kHalfHour);
    const BatteryInterval step = StepBattery(params, soc_mwh, clamped.power_mw, kHalfHour);
    result.largest_step_mw = std::max(result.largest_step_mw, std::abs(step.power_mw - applied_mw));
    soc_mwh = step.soc_after_mwh;
    applied_mw = step.power_mw;

    // The arbiter would hold the proposal for the interval after t; nothing else idles.
    scheduled_mw = 0.0;
    for (const v1::DispatchProposal& p : proposals) {
      if (FromProtoTime(p.start()) == t + kHalfHour) scheduled_mw = p.power_mw();
    }
    ++result.ticks;
  }
  result.pnl = trader.Pnl();
  result.seconds = absl::ToDoubleSeconds(absl::Now() - began);
  return result;
}

int Main(int argc, char** argv) {
  const char* source_dir = std::getenv("GRIDPILOT_SOURCE_DIR");
  const std::string data_dir =
      Arg(argc, argv, "data_dir", source_dir != nullptr ? std::string(source_dir) + "/data" : "data");
  const std::string from_text = Arg(argc, argv, "from", "2022-10-01");
  const std::string to_text = Arg(argc, argv, "to", "2023-12-31");
  absl::StatusOr<absl::Time> from = ParseUtcDate(from_text);
  absl::StatusOr<absl::Time> to_day = ParseUtcDate(to_text);
  if (!from.ok() || !to_day.ok()) {
    std::fprintf(stderr, "--from/--to must be dates like 2023-01-01\n");
    return 2;
  }
  std::vector<double> ramp_limits_mw;
  for (absl::string_view text : absl::StrSplit(Arg(argc, argv, "ramp_limits", "1000,15"), ',')) {
    double limit_mw = 0.0;
    if (!absl::SimpleAtod(text, &limit_mw) || !(limit_mw > 0.0)) {
      std::fprintf(stderr, "--ramp_limits must be positive MW values separated by commas\n");
      return 2;
    }
    ramp_limits_mw.push_back(limit_mw);
  }

  const absl::Time load_began = absl::Now();
  absl::StatusOr<GridSeries> series = LoadGridSeries(
      data_dir + "/gb_demand_2022_2023.csv", data_dir + "/gb_price_mid_2022-10_2023-12.csv");
  if (!series.ok()) {
    std::fprintf(stderr, "%s\n", std::string(series.status().message()).c_str());
    return 1;
  }
  const double load_seconds = absl::ToDoubleSeconds(absl::Now() - load_began);
  const std::optional<size_t> first = series->IndexOf(*from);
  const absl::Time to = *to_day + absl::Hours(24);  // inclusive day
  if (!first.has_value() || *first == 0 || to > series->end() || to <= *from) {
    std::fprintf(stderr, "the data covers %s to %s; the replay needs the interval before --from\n",
                 FormatUtcTimestamp(series->start()).c_str(),
                 FormatUtcTimestamp(series->end()).c_str());
    return 2;
  }
  const size_t end = *first + static_cast<size_t>((to - *from) / kHalfHour);

  std::printf("trader replay %s .. %s (data loaded in %.2f s)\n", from_text.c_str(),
              to_text.c_str(), load_seconds);
  for (double limit_mw : ramp_limits_mw) {
    const ReplayResult r = Replay(*series, *first, end, limit_mw);
    const v1::GetTraderPnlResponse& p = r.pnl;
    std::printf("ramp limit %g MW/interval: %lld ticks in %.2f s (%.0f us per tick)\n", limit_mw,
                static_cast<long long>(r.ticks), r.seconds, 1e6 * r.seconds / r.ticks);
    std::printf("  realised           %12.0f GBP   capture %.3f\n", p.realised_pnl_gbp(),
                p.capture_ratio());
    std::printf("  perfect foresight  %12.0f GBP\n", p.perfect_foresight_pnl_gbp());
    std::printf("  yesterday plan     %12.0f GBP   capture %.3f\n", p.yesterday_plan_pnl_gbp(),
                p.yesterday_plan_capture_ratio());
    std::printf("  trader / yesterday plan: %.2fx; largest applied step %.1f MW\n",
                p.yesterday_plan_pnl_gbp() != 0 ? p.realised_pnl_gbp() / p.yesterday_plan_pnl_gbp()
                                                : 0.0,
                r.largest_step_mw);
    std::printf("  note: %s\n", p.note().c_str());
  }
  return 0;
}

}  // namespace
}  // namespace gridpilot

int main(int argc, char** argv) { return gridpilot::Main(argc, argv); }
