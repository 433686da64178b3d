#include "services/cli/optimize_command.h"

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "core/base/time_util.h"
#include "core/data/grid_data_loader.h"
#include "core/market/perfect_foresight.h"
#include "services/gateway/gateway_config.h"

namespace gridpilot {
namespace {

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "gridpilot optimize: %s\n", message.c_str());
  return code;
}

}  // namespace

int RunOptimizeCommand(const std::map<std::string, std::string>& o) {
  for (const char* required : {"prices", "from", "to", "out"}) {
    if (!o.contains(required)) return Fail(2, absl::StrFormat("--%s is required", required));
  }
  absl::StatusOr<absl::Time> from = base::ParseUtcDate(o.at("from"));
  absl::StatusOr<absl::Time> to_day = base::ParseUtcDate(o.at("to"));
  if (!from.ok()) return Fail(2, absl::StrFormat("--from: %s", from.status().message()));
  if (!to_day.ok()) return Fail(2, absl::StrFormat("--to: %s", to_day.status().message()));
  const absl::Time to = *to_day + absl::Hours(24);  // --to is inclusive
  if (to <= *from) return Fail(2, "--to must not be before --from");

  absl::StatusOr<GatewayConfig> config =
      LoadGatewayConfig(o.contains("config") ? o.at("config") : "");
  if (!config.ok()) return Fail(1, std::string(config.status().message()));
  if (config->batteries.empty()) return Fail(1, "the config has no battery");
  const assets::BatteryParams& battery = config->batteries.front();
  std::optional<double> terminal_mwh = battery.soc_initial_mwh;  // energy-neutral by default
  if (o.contains("soc_terminal_mwh")) {
    double value = 0;
    if (!absl::SimpleAtod(o.at("soc_terminal_mwh"), &value)) {
      return Fail(2, "--soc_terminal_mwh must be a number");
    }
    terminal_mwh = value;
  }

  absl::StatusOr<data::GridSeries> series = data::LoadPriceSeries(o.at("prices"));
  if (!series.ok()) return Fail(1, std::string(series.status().message()));
  std::vector<std::optional<double>> prices;
  std::vector<absl::Time> starts;
  for (const data::GridInterval& interval : series->intervals()) {
    if (interval.start < *from || interval.start >= to) continue;
    prices.push_back(interval.price_gbp_per_mwh);
    starts.push_back(interval.start);
  }
  if (starts.empty() || starts.front() != *from || starts.back() + base::kHalfHour != to) {
    return Fail(1, absl::StrFormat("%s covers %s to %s, not the whole window", o.at("prices"),
                                   base::FormatUtcTimestamp(series->start()),
                                   base::FormatUtcTimestamp(series->end())));
  }
  absl::StatusOr<market::PerfectForesight> solved =
      market::SolvePerfectForesight(*from, prices, battery, terminal_mwh);
  if (!solved.ok()) return Fail(1, std::string(solved.status().message()));
  const planning::OptimizerBatteryPlan& plan = solved->result.batteries.front();

  std::ofstream out(o.at("out"));
  out << "timestamp_utc,price_gbp_per_mwh,charge_mw,discharge_mw,soc_mwh\n";
  for (size_t i = 0; i < starts.size(); ++i) {
    out << absl::StrFormat("%s,%.10g,%.10g,%.10g,%.10g\n", base::FormatUtcTimestamp(starts[i]),
                           solved->price_gbp_per_mwh[i], plan.charge_mw[i], plan.discharge_mw[i],
                           plan.soc_after_mwh[i]);
  }
  if (!out) return Fail(1, absl::StrFormat("cannot write %s", o.at("out")));

  std::printf("perfect-foresight schedule %s .. %s: %d intervals\n", o.at("from").c_str(),
              o.at("to").c_str(), static_cast<int>(starts.size()));
  std::printf("  objective %.2f GBP (revenue %.2f GBP, degradation %.2f GBP)\n",
              solved->result.objective_gbp, solved->result.revenue_gbp,
              solved->result.degradation_gbp);
  if (solved->missing_prices > 0) {
    std::printf("  %d missing prices filled with the previous known price (persistence)\n",
                solved->missing_prices);
  }
  if (!solved->result.note.empty()) std::printf("  note: %s\n", solved->result.note.c_str());
  std::printf("  schedule written to %s\n", o.at("out").c_str());

  if (o.contains("json")) {
    nlohmann::json battery_json = {
        {"energy_mwh", battery.energy_capacity_mwh},
        {"max_charge_mw", battery.max_charge_mw},
        {"max_discharge_mw", battery.max_discharge_mw},
        {"charge_efficiency", battery.charge_efficiency},
        {"discharge_efficiency", battery.discharge_efficiency},
        {"soc_min_mwh", battery.soc_min_mwh},
        {"soc_max_mwh", battery.soc_max_mwh},
        {"soc_initial_mwh", battery.soc_initial_mwh},
        {"soc_terminal_mwh", terminal_mwh.has_value() ? nlohmann::json(*terminal_mwh) : nullptr},
        {"reserve_mwh", battery.reserve_mwh},
        {"soc_floor_mwh", plan.soc_floor_mwh},
        {"degradation_gbp_per_mwh", battery.degradation_gbp_per_mwh}};
    // One power figure when charge and discharge limits agree (the usual case).
    battery_json["power_mw"] = battery.max_charge_mw == battery.max_discharge_mw
                                   ? nlohmann::json(battery.max_charge_mw)
                                   : nlohmann::json(nullptr);
    nlohmann::json report = {{"objective_gbp", solved->result.objective_gbp},
                             {"revenue_gbp", solved->result.revenue_gbp},
                             {"degradation_gbp", solved->result.degradation_gbp},
                             {"intervals", starts.size()},
                             {"interval_hours", 0.5},
                             {"missing_prices_filled", solved->missing_prices},
                             {"note", solved->result.note},
                             {"battery", battery_json}};
    std::ofstream json(o.at("json"));
    json << report.dump(2) << "\n";
    if (!json) return Fail(1, absl::StrFormat("cannot write %s", o.at("json")));
    std::printf("  parameters and objective written to %s\n", o.at("json").c_str());
  }
  return 0;
}

}  // namespace gridpilot
