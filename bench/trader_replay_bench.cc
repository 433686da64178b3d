// trader_replay_bench: the arbitrage trader alone, replayed in process over the GB price
// series with no gRPC and no other agent, so that a change to its forecaster or planner
// can be measured over the whole data span in seconds instead of a full-stack backtest.
//
// Each tick is built as the gateway builds it (services/gateway/gateway_run.cc BuildTick):
// decision time t, the measured interval [t - 30 min, t) with its price, and one battery
// (core/assets/battery.h defaults) with its stored energy at t, the power applied in the
// measured interval and, as scheduled power, the trader's own proposal for the interval
// at t submitted one tick earlier. After the tick, that proposal is applied to a virtual
// battery for [t, t + 30 min) exactly as the RegionEngine applies a trading request:
// ClampBatteryPower with the trading floor (soc_min + reserve), then StepBattery. The tick
// carries the region's net load (GB ND x 0.01, as the gateway scales it), which the
// trader's step window leans with, the embedded solar and wind, and, as the gateway adds
// them, NESO's day-ahead demand vintages published in [t - 30 min, t) (x 0.01; --day_ahead
// no leaves them out). The region's instability penalty is not modelled: that needs the
// full stack.
//
// To see what the rest of the stack does to the trader, a full-stack run's resilience
// overrides and suspect ticks can be replayed too (open loop: they are what the stack did
// to the trader it ran, not a reaction to this replay). --overrides FILE gives one
// `interval_start_utc,power_mw` line per interval the response agent governed; that
// power is applied instead of the trader's, clamped with the resilience floor (soc_min),
// as the RegionEngine applies a resilience decision. --suspect_ticks FILE gives one tick
// time per line at which the trader's verdict source reports suspect telemetry. From a
// backtest's store:
//   sqlite3 -csv store.sqlite "SELECT interval_start, requested_mw FROM decisions
//     WHERE agent = 'response' AND asset_id = 'battery-1'" > overrides.csv
//   sqlite3 store.sqlite "SELECT DISTINCT tick FROM agent_notes
//     WHERE agent = 'trader' AND note LIKE 'held:%'" > suspect.csv
// With both from the Oct 2022 - Dec 2023 default backtest, the replay at 15 MW gave the
// backtest's trader P&L to the pound (1,084,068 GBP, capture 0.409, an earlier stack;
// 1,064,765 GBP, 0.402 with the profile alone and the overrides of the 0.402 run).
//
// Prints TraderAgent::Pnl(), the battery's net (energy and degradation, settled as the
// gateway settles) in overridden intervals and in the rest, and the wall time for each
// ramp limit given. With --split DATE also the capture before and from that day in the
// same run (the part from it: the realised P&L since, over perfect foresight solved on its
// prices alone, from the battery's initial SoC).
// With --check_planner yes, every re-plan's request is also planned again by the planner
// (core/planning/grid_dp_planner.h) and by the reference planner it replaced
// (tests/core/planning/grid_dp_reference.h), alternating which goes first, and the bench
// prints how many plans differ (powers, stored energies, objective or note compared
// bit for bit) and the p50/p99/max of each one's CPU time per re-plan.
// Usage: trader_replay_bench [--data_dir DIR] [--from 2022-10-01] [--to 2023-12-31]
//                            [--ramp_limits 1000,15] [--overrides FILE]
//                            [--suspect_ticks FILE] [--risk_aversion 0]
//                            [--split 2023-07-01] [--day_ahead no] [--check_planner yes]
// --to is inclusive. DIR defaults to $GRIDPILOT_SOURCE_DIR/data, else ./data.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "agents/trader/trader_agent.h"
#include "core/assets/battery.h"
#include "core/assets/interlocks.h"
#include "core/base/time_util.h"
#include "core/data/grid_data_loader.h"
#include "core/market/ledger.h"
#include "core/market/perfect_foresight.h"
#include "core/market/price_risk.h"
#include "services/common/proto_time.h"
#include "tests/core/planning/grid_dp_reference.h"

namespace gridpilot {
namespace {

std::string Arg(int argc, char** argv, const std::string& key, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == "--" + key) return argv[i + 1];
  }
  return fallback;
}

// What a full-stack run did to its trader, replayed open loop (see the top of the file).
struct StackEffects {
  std::map<absl::Time, double> resilience_mw;  // by interval start, battery power, MW
  std::set<absl::Time> suspect_ticks;
};

// Reports suspect telemetry exactly at the given tick times.
class FixedVerdicts final : public TelemetryVerdictSource {
 public:
  explicit FixedVerdicts(const std::set<absl::Time>* suspect) : suspect_(suspect) {}
  absl::StatusOr<TelemetryVerdict> VerdictAt(absl::Time tick_time) override {
    TelemetryVerdict verdict;
    verdict.suspect = suspect_->count(tick_time) > 0;
    if (verdict.suspect) verdict.cause = "suspect in the replayed backtest";
    return verdict;
  }

 private:
  const std::set<absl::Time>* suspect_;
};

// Reads `interval_start_utc,power_mw` lines; InvalidArgument naming the line otherwise.
absl::StatusOr<std::map<absl::Time, double>> ReadOverrides(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::InvalidArgumentError(path + ": cannot be read");
  std::map<absl::Time, double> overrides;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    const std::vector<std::string> fields = absl::StrSplit(line, ',');
    double power_mw = 0.0;
    absl::StatusOr<absl::Time> start =
        fields.size() == 2 ? base::ParseUtcTimestamp(fields[0]) : absl::InvalidArgumentError("");
    if (!start.ok() || !absl::SimpleAtod(fields[1], &power_mw)) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ":", number, ": expected interval_start_utc,power_mw, got \"", line, "\""));
    }
    overrides[*start] = power_mw;
  }
  return overrides;
}

// Reads one tick time per line; InvalidArgument naming the line otherwise.
absl::StatusOr<std::set<absl::Time>> ReadTicks(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::InvalidArgumentError(path + ": cannot be read");
  std::set<absl::Time> ticks;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    absl::StatusOr<absl::Time> t = base::ParseUtcTimestamp(line);
    if (!t.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", number, ": not a UTC timestamp: \"", line, "\""));
    }
    ticks.insert(*t);
  }
  return ticks;
}

// The planner against its reference on the same requests (--check_planner).
struct PlannerCheck {
  int64_t replans = 0;
  int64_t differing = 0;         // plans not bit-identical to the reference's
  int64_t differing_policy = 0;  // the policy's own plan not identical to the planner's
  std::vector<double> planner_us;
  std::vector<double> reference_us;

  static bool Same(const planning::BatterySchedule& a, const planning::BatterySchedule& b) {
    return a.power_mw == b.power_mw && a.soc_after_mwh == b.soc_after_mwh &&
           a.objective_gbp == b.objective_gbp && a.note == b.note;
  }

  // This thread's CPU time, us: a re-plan's cost without the time other processes on a
  // shared machine take from it.
  static double ThreadCpuUs() {
    timespec now;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return 1e6 * static_cast<double>(now.tv_sec) + 1e-3 * static_cast<double>(now.tv_nsec);
  }

  void Check(const planning::ScheduleRequest& request, const planning::BatterySchedule& used) {
    auto timed = [&](auto plan_fn, std::vector<double>* us) {
      const double began_us = ThreadCpuUs();
      planning::BatterySchedule plan = plan_fn(request);
      us->push_back(ThreadCpuUs() - began_us);
      return plan;
    };
    planning::BatterySchedule planned, reference;
    if (replans % 2 == 0) {
      planned = timed(planning::PlanBatterySchedule, &planner_us);
      reference = timed(planning::reference::ReferencePlanBatterySchedule, &reference_us);
    } else {
      reference = timed(planning::reference::ReferencePlanBatterySchedule, &reference_us);
      planned = timed(planning::PlanBatterySchedule, &planner_us);
    }
    ++replans;
    if (!Same(planned, reference)) ++differing;
    if (!Same(used, planned)) ++differing_policy;
  }

  static std::string Percentiles(std::vector<double> us) {
    if (us.empty()) return "none";
    std::sort(us.begin(), us.end());
    auto at = [&](double q) { return us[static_cast<size_t>(q * (us.size() - 1))]; };
    return absl::StrFormat("p50 %.1f us, p99 %.1f us, max %.1f us", at(0.5), at(0.99), us.back());
  }
};

struct ReplayResult {
  v1::GetTraderPnlResponse pnl;
  // With a split: the P&L up to the split tick, and the rest (realised difference, perfect
  // foresight solved over the rest's prices alone).
  std::optional<v1::GetTraderPnlResponse> before_split;
  double after_split_realised_gbp = 0.0;
  double after_split_perfect_gbp = 0.0;
  int64_t ticks = 0;
  double largest_step_mw = 0.0;  // largest |change| of applied power between intervals
  double seconds = 0.0;
  std::optional<PlannerCheck> planner_check;
  int64_t overridden_intervals = 0;
  // The battery's net (energy bought and sold, degradation), GBP, in the intervals the
  // replayed resilience overrides governed and in the rest.
  double overridden_net_gbp = 0.0;
  double trader_net_gbp = 0.0;
  // Per UTC day (days since 1970): the battery's net, and that net marked to market (plus
  // the day's change of stored energy at its mean price x discharge efficiency), so a day
  // that buys energy for the next is not counted as a loss.
  struct Day {
    double net_gbp = 0.0;
    double soc_start_mwh = 0.0;
    double soc_end_mwh = 0.0;
    double price_sum_gbp_per_mwh = 0.0;
    int priced_intervals = 0;
  };
  std::map<int64_t, Day> days;
};

// Replays ticks at series indices [first, end); series.at(first - 1) must exist.
ReplayResult Replay(const data::GridSeries& series, size_t first, size_t end, double ramp_limit_mw,
                    const StackEffects& effects, double risk_aversion,
                    const std::vector<data::DayAheadForecastRow>& day_ahead,
                    std::optional<size_t> split, bool check_planner) {
  const absl::Time began = absl::Now();
  FixedVerdicts verdicts(&effects.suspect_ticks);
  TraderAgent trader(&verdicts, risk_aversion);
  ReplayResult result;
  if (check_planner) {
    PlannerCheck& check = result.planner_check.emplace();
    trader.SetReplanObserver(
        [&check](const planning::ScheduleRequest& request, const planning::BatterySchedule& plan) {
          check.Check(request, plan);
        });
  }
  v1::RegionInfo region;
  region.set_name("replay");
  region.set_scale(0.01);
  *region.mutable_interval() = ToProtoDuration(base::kHalfHour);
  region.set_ramp_limit_mw(ramp_limit_mw);
  trader.OnRegistered(region);

  const assets::BatteryParams params;
  const double trading_floor_mwh = params.soc_min_mwh + params.reserve_mwh;
  double soc_mwh = params.soc_initial_mwh;
  double applied_mw = 0.0;           // power applied in the interval before the tick
  double scheduled_mw = 0.0;         // the proposal governing the interval at the tick
  std::optional<double> last_price;  // missing prices settle at the last known one
  // day_ahead is sorted by publication; next_vintage is the first not yet in a tick.
  size_t next_vintage = 0;
  while (next_vintage < day_ahead.size() &&
         day_ahead[next_vintage].published < series.at(first).start - base::kHalfHour) {
    ++next_vintage;
  }
  for (size_t i = first; i < end; ++i) {
    if (split.has_value() && i == *split) result.before_split = trader.Pnl();
    const data::GridInterval& measured = series.at(i - 1);
    const absl::Time t = series.at(i).start;
    v1::Tick tick;
    tick.set_interval_boundary(true);  // every tick here ends a settlement interval
    tick.set_sequence(static_cast<int64_t>(i - first));
    *tick.mutable_time() = ToProtoTime(t);
    *tick.mutable_measured_interval_start() = ToProtoTime(measured.start);
    if (measured.price_gbp_per_mwh) tick.set_price_gbp_per_mwh(*measured.price_gbp_per_mwh);
    if (measured.net_load_mw) {
      tick.set_net_load_mw(*measured.net_load_mw * region.scale());
    }
    if (measured.embedded_solar_mw) {
      tick.set_embedded_solar_mw(*measured.embedded_solar_mw * region.scale());
    }
    if (measured.embedded_wind_mw) {
      tick.set_embedded_wind_mw(*measured.embedded_wind_mw * region.scale());
    }
    // As the gateway adds them: the vintages published in [t - 30 min, t), region MW.
    for (; next_vintage < day_ahead.size() && day_ahead[next_vintage].published < t;
         ++next_vintage) {
      const data::DayAheadForecastRow& row = day_ahead[next_vintage];
      v1::DayAheadDemandForecast* f = tick.add_day_ahead_forecasts();
      *f->mutable_target_start() = ToProtoTime(row.target_start);
      *f->mutable_published() = ToProtoTime(row.published);
      f->set_demand_mw(*row.net_load_mw * region.scale());
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

    // The interval at t runs the proposal made one tick earlier, unless resilience
    // overrode it there.
    const auto resilience = effects.resilience_mw.find(t);
    const bool overridden = resilience != effects.resilience_mw.end();
    const assets::ClampedSetpoint clamped =
        overridden ? assets::ClampBatteryPower(params, soc_mwh, resilience->second,
                                               params.soc_min_mwh, base::kHalfHour)
                   : assets::ClampBatteryPower(params, soc_mwh, scheduled_mw, trading_floor_mwh,
                                               base::kHalfHour);
    const assets::BatteryInterval step =
        assets::StepBattery(params, soc_mwh, clamped.power_mw, base::kHalfHour);
    if (series.at(i).price_gbp_per_mwh) last_price = series.at(i).price_gbp_per_mwh;
    double net_gbp = 0.0;
    for (const market::LedgerEntry& e :
         market::SettleBattery(params, step, last_price.value_or(0.0), t, "")) {
      net_gbp += e.amount_gbp;
    }
    (overridden ? result.overridden_net_gbp : result.trader_net_gbp) += net_gbp;
    {
      const int64_t day_index = absl::ToUnixSeconds(t) / 86400;
      auto [day, first_of_day] = result.days.try_emplace(day_index);
      if (first_of_day) day->second.soc_start_mwh = soc_mwh;
      day->second.net_gbp += net_gbp;
      day->second.soc_end_mwh = step.soc_after_mwh;
      if (series.at(i).price_gbp_per_mwh) {
        day->second.price_sum_gbp_per_mwh += *series.at(i).price_gbp_per_mwh;
        ++day->second.priced_intervals;
      }
    }
    result.overridden_intervals += overridden ? 1 : 0;
    result.largest_step_mw = std::max(result.largest_step_mw, std::abs(step.power_mw - applied_mw));
    soc_mwh = step.soc_after_mwh;
    applied_mw = step.power_mw;

    // The arbiter would hold the proposal for the interval after t; nothing else idles.
    scheduled_mw = 0.0;
    for (const v1::DispatchProposal& p : proposals) {
      if (FromProtoTime(p.start()) == t + base::kHalfHour) scheduled_mw = p.power_mw();
    }
    ++result.ticks;
  }
  result.pnl = trader.Pnl();
  if (result.before_split.has_value()) {
    result.after_split_realised_gbp =
        result.pnl.realised_pnl_gbp() - result.before_split->realised_pnl_gbp();
    // The intervals the trader settled after the split: [split, end - 1).
    std::vector<std::optional<double>> prices;
    for (size_t i = *split; i + 1 < end; ++i) prices.push_back(series.at(i).price_gbp_per_mwh);
    absl::StatusOr<market::PerfectForesight> perfect = market::SolvePerfectForesight(
        series.at(*split).start, prices, params, params.soc_initial_mwh);
    if (perfect.ok()) result.after_split_perfect_gbp = perfect->result.objective_gbp;
  }
  result.seconds = absl::ToDoubleSeconds(absl::Now() - began);
  return result;
}

int Main(int argc, char** argv) {
  const char* source_dir = std::getenv("GRIDPILOT_SOURCE_DIR");
  const std::string data_dir = Arg(
      argc, argv, "data_dir", source_dir != nullptr ? std::string(source_dir) + "/data" : "data");
  const std::string from_text = Arg(argc, argv, "from", "2022-10-01");
  const std::string to_text = Arg(argc, argv, "to", "2023-12-31");
  absl::StatusOr<absl::Time> from = base::ParseUtcDate(from_text);
  absl::StatusOr<absl::Time> to_day = base::ParseUtcDate(to_text);
  if (!from.ok() || !to_day.ok()) {
    std::fprintf(stderr, "--from/--to must be dates like 2023-01-01\n");
    return 2;
  }
  StackEffects effects;
  if (const std::string path = Arg(argc, argv, "overrides", ""); !path.empty()) {
    absl::StatusOr<std::map<absl::Time, double>> overrides = ReadOverrides(path);
    if (!overrides.ok()) {
      std::fprintf(stderr, "%s\n", std::string(overrides.status().message()).c_str());
      return 2;
    }
    effects.resilience_mw = *std::move(overrides);
  }
  if (const std::string path = Arg(argc, argv, "suspect_ticks", ""); !path.empty()) {
    absl::StatusOr<std::set<absl::Time>> ticks = ReadTicks(path);
    if (!ticks.ok()) {
      std::fprintf(stderr, "%s\n", std::string(ticks.status().message()).c_str());
      return 2;
    }
    effects.suspect_ticks = *std::move(ticks);
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
  double risk_aversion = 0.0;
  if (!absl::SimpleAtod(Arg(argc, argv, "risk_aversion", "0"), &risk_aversion) ||
      !market::ValidateRiskAversion(risk_aversion).ok()) {
    std::fprintf(stderr, "--risk_aversion must be a number in [0, 1]\n");
    return 2;
  }

  const absl::Time load_began = absl::Now();
  absl::StatusOr<data::GridSeries> series = data::LoadGridSeries(
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
                 base::FormatUtcTimestamp(series->start()).c_str(),
                 base::FormatUtcTimestamp(series->end()).c_str());
    return 2;
  }
  const size_t end = *first + static_cast<size_t>((to - *from) / base::kHalfHour);
  std::optional<size_t> split;
  if (const std::string text = Arg(argc, argv, "split", ""); !text.empty()) {
    absl::StatusOr<absl::Time> split_day = base::ParseUtcDate(text);
    if (!split_day.ok() || *split_day <= *from || *split_day >= to) {
      std::fprintf(stderr, "--split must be a date inside the replay\n");
      return 2;
    }
    split = series->IndexOf(*split_day);
  }
  const bool check_planner = Arg(argc, argv, "check_planner", "no") == "yes";
  std::vector<data::DayAheadForecastRow> day_ahead;
  if (Arg(argc, argv, "day_ahead", "yes") != "no") {
    absl::StatusOr<std::vector<data::DayAheadForecastRow>> loaded =
        data::LoadDayAheadForecast(data_dir + "/gb_demand_forecast_dayahead_2022-10_2023-12.csv");
    if (!loaded.ok()) {
      std::fprintf(stderr, "%s\n", std::string(loaded.status().message()).c_str());
      return 1;
    }
    day_ahead = *std::move(loaded);
    std::erase_if(day_ahead, [](const data::DayAheadForecastRow& row) { return !row.net_load_mw; });
    std::stable_sort(day_ahead.begin(), day_ahead.end(),
                     [](const data::DayAheadForecastRow& a, const data::DayAheadForecastRow& b) {
                       return a.published < b.published;
                     });
  }

  std::printf("trader replay %s .. %s (data loaded in %.2f s)\n", from_text.c_str(),
              to_text.c_str(), load_seconds);
  for (double limit_mw : ramp_limits_mw) {
    const ReplayResult r = Replay(*series, *first, end, limit_mw, effects, risk_aversion, day_ahead,
                                  split, check_planner);
    const v1::GetTraderPnlResponse& p = r.pnl;
    std::printf("ramp limit %g MW/interval: %lld ticks in %.2f s (%.0f us per tick)\n", limit_mw,
                static_cast<long long>(r.ticks), r.seconds, 1e6 * r.seconds / r.ticks);
    std::printf("  realised           %12.0f GBP   capture %.3f\n", p.realised_pnl_gbp(),
                p.capture_ratio());
    std::printf("  perfect foresight  %12.0f GBP\n", p.perfect_foresight_pnl_gbp());
    std::printf("  yesterday plan     %12.0f GBP   capture %.3f\n", p.yesterday_plan_pnl_gbp(),
                p.yesterday_plan_capture_ratio());
    std::printf(
        "  trader / yesterday plan: %.2fx; largest applied step %.1f MW\n",
        p.yesterday_plan_pnl_gbp() != 0 ? p.realised_pnl_gbp() / p.yesterday_plan_pnl_gbp() : 0.0,
        r.largest_step_mw);
    std::printf("  note: %s\n", p.note().c_str());
    if (r.planner_check.has_value()) {
      const PlannerCheck& c = *r.planner_check;
      std::printf(
          "  planner check: %lld re-plans, %lld differ from the reference planner, "
          "%lld from the policy's own plan\n",
          static_cast<long long>(c.replans), static_cast<long long>(c.differing),
          static_cast<long long>(c.differing_policy));
      std::printf("    planner   %s\n", PlannerCheck::Percentiles(c.planner_us).c_str());
      std::printf("    reference %s\n", PlannerCheck::Percentiles(c.reference_us).c_str());
    }
    // The downside risk settings are for: the worst days, marked to market.
    std::vector<double> days;
    const assets::BatteryParams battery;
    for (const auto& [index, day] : r.days) {
      const double mean_price =
          day.priced_intervals > 0 ? day.price_sum_gbp_per_mwh / day.priced_intervals : 0.0;
      days.push_back(day.net_gbp + (day.soc_end_mwh - day.soc_start_mwh) * mean_price *
                                       battery.discharge_efficiency);
    }
    std::sort(days.begin(), days.end());
    const auto losing = std::count_if(days.begin(), days.end(), [](double d) { return d < 0; });
    std::printf(
        "  days marked to market: %zu, %lld losing; worst %.0f GBP, 5th percentile "
        "%.0f GBP, median %.0f GBP\n",
        days.size(), static_cast<long long>(losing), days.front(), days[days.size() / 20],
        days[days.size() / 2]);
    if (r.before_split.has_value()) {
      const v1::GetTraderPnlResponse& b = *r.before_split;
      std::printf("  before the split   %12.0f GBP   capture %.3f (perfect %.0f GBP)\n",
                  b.realised_pnl_gbp(), b.capture_ratio(), b.perfect_foresight_pnl_gbp());
      std::printf("  from the split     %12.0f GBP   capture %.3f (perfect %.0f GBP)\n",
                  r.after_split_realised_gbp,
                  r.after_split_perfect_gbp > 0
                      ? r.after_split_realised_gbp / r.after_split_perfect_gbp
                      : 0.0,
                  r.after_split_perfect_gbp);
    }
    if (!effects.resilience_mw.empty() || !effects.suspect_ticks.empty()) {
      std::printf(
          "  replayed %lld resilience overrides and %zu suspect ticks; battery net "
          "%.0f GBP in overridden intervals, %.0f GBP in the rest\n",
          static_cast<long long>(r.overridden_intervals), effects.suspect_ticks.size(),
          r.overridden_net_gbp, r.trader_net_gbp);
    }
  }
  return 0;
}

}  // namespace
}  // namespace gridpilot

int main(int argc, char** argv) { return gridpilot::Main(argc, argv); }
