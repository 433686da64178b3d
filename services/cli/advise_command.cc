#include "services/cli/advise_command.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <optional>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "core/advice/advice_score.h"
#include "core/advice/day_advice.h"
#include "core/advice/half_hour_series.h"
#include "core/advice/tariff.h"
#include "core/data/csv_reader.h"
#include "nlohmann/json.hpp"

namespace gridpilot {
namespace {

using advice::AdviceOptions;
using advice::PowerUnit;

constexpr double kMaxPowerKw = 1e7;  // bound on any load or limit read, in the unit

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "gridpilot advise: %s\n", message.c_str());
  return code;
}

std::string Get(const std::map<std::string, std::string>& o, const std::string& key,
                const std::string& fallback = "") {
  auto it = o.find(key);
  return it == o.end() ? fallback : it->second;
}

// A number option within [min, max]; nullopt when absent.
absl::StatusOr<std::optional<double>> Number(const std::map<std::string, std::string>& o,
                                             const std::string& key, double min, double max) {
  if (!o.contains(key)) return std::nullopt;
  double value = 0.0;
  if (!absl::SimpleAtod(o.at(key), &value) || !(value >= min && value <= max)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", key, " \"", o.at(key), "\" is not a number in [", min, ", ", max, "]"));
  }
  return value;
}

absl::StatusOr<absl::Time> Day(const std::string& key, const std::string& text) {
  absl::Time t;
  std::string error;
  if (!absl::ParseTime("%Y-%m-%d", text, absl::UTCTimeZone(), &t, &error)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", key, " \"", text, "\" is not a day (YYYY-MM-DD)"));
  }
  return t;
}

std::string DayText(absl::Time t) { return absl::FormatTime("%Y-%m-%d", t, absl::UTCTimeZone()); }
std::string Round(double x, int digits) { return absl::StrFormat("%.*f", digits, x); }

// A power or energy for the summary: three significant figures, never an exponent.
std::string Figure(double x) {
  const double magnitude = std::abs(x);
  return Round(x, magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3);
}

struct Inputs {
  advice::HalfHourSeries load;
  std::optional<advice::HalfHourSeries> prices;
  std::optional<advice::TimeOfUseTariff> tariff;
  AdviceOptions options;
  advice::PriceSource Source() const {
    return {prices.has_value() ? &*prices : nullptr, tariff.has_value() ? &*tariff : nullptr};
  }
};

// Reads the files and options. The int is the exit code on failure (1 data, 2 arguments).
absl::Status ReadInputs(const std::map<std::string, std::string>& o, Inputs* in, int* code) {
  *code = 2;
  const std::string unit = Get(o, "unit", "kw");
  if (unit != "kw" && unit != "mw") {
    return absl::InvalidArgumentError("--unit must be kw or mw, not \"" + unit + "\"");
  }
  in->options.unit = unit == "kw" ? PowerUnit::kKilowatt : PowerUnit::kMegawatt;
  if (o.contains("prices") == o.contains("tariff")) {
    return absl::InvalidArgumentError("give exactly one of --prices FILE and --tariff FILE");
  }
  absl::StatusOr<std::optional<double>> share = Number(o, "flexible_share", 0, 1);
  absl::StatusOr<std::optional<double>> limit = Number(o, "peak_limit", 0, kMaxPowerKw);
  absl::StatusOr<std::optional<double>> percentile = Number(o, "peak_percentile", 0, 100);
  absl::StatusOr<std::optional<double>> capacity = Number(o, "battery_capacity", 0, kMaxPowerKw);
  absl::StatusOr<std::optional<double>> power = Number(o, "battery_power", 0, kMaxPowerKw);
  absl::StatusOr<std::optional<double>> efficiency = Number(o, "battery_efficiency", 0, 1);
  absl::StatusOr<std::optional<double>> wear = Number(o, "battery_wear_gbp_per_mwh", 0, 1e4);
  for (const auto* s : {&share, &limit, &percentile, &capacity, &power, &efficiency, &wear}) {
    if (!s->ok()) return s->status();
  }
  in->options.flexible_share = share->value_or(0.2);
  in->options.peak_limit = *limit;
  in->options.peak_percentile = percentile->value_or(90.0);
  if (capacity->has_value()) {
    advice::SiteBatteryOptions battery;
    battery.capacity = **capacity;
    battery.power = power->value_or(battery.capacity / 2);
    battery.round_trip_efficiency = efficiency->value_or(0.9);
    battery.wear_gbp_per_mwh = wear->value_or(0.0);
    in->options.battery = battery;
  } else if (power->has_value() || efficiency->has_value() || wear->has_value()) {
    return absl::InvalidArgumentError("battery options need --battery_capacity");
  }
  *code = 1;
  absl::StatusOr<data::CsvFile> load_file = data::CsvFile::Read(Get(o, "input"));
  if (!load_file.ok()) return load_file.status();
  const std::string time_column = Get(o, "time-column", load_file->header().front());
  absl::StatusOr<advice::HalfHourSeries> load = advice::ReadHalfHourSeries(
      *load_file, time_column, Get(o, "column"), 0.0, kMaxPowerKw, unit == "kw" ? "kW" : "MW");
  if (!load.ok()) return load.status();
  in->load = *std::move(load);
  if (o.contains("prices")) {
    absl::StatusOr<data::CsvFile> price_file = data::CsvFile::Read(Get(o, "prices"));
    if (!price_file.ok()) return price_file.status();
    absl::StatusOr<advice::HalfHourSeries> prices =
        advice::ReadHalfHourSeries(*price_file, price_file->header().front(),
                                   Get(o, "price_column", "Price"), -1e4, 1e5, "GBP/MWh");
    if (!prices.ok()) return prices.status();
    in->prices = *std::move(prices);
  } else {
    absl::StatusOr<data::CsvFile> tariff_file = data::CsvFile::Read(Get(o, "tariff"));
    if (!tariff_file.ok()) return tariff_file.status();
    absl::StatusOr<advice::TimeOfUseTariff> tariff = advice::ParseTariff(*tariff_file);
    if (!tariff.ok()) return tariff.status();
    in->tariff = *tariff;
  }
  return absl::OkStatus();
}

absl::Status WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) return absl::UnavailableError("cannot write " + path);
  return absl::OkStatus();
}

int RunAdvice(const Inputs& in, const std::map<std::string, std::string>& o) {
  absl::Time day = advice::FloorToDay(in.load.end() - advice::kHalfHour) + absl::Hours(24);
  if (o.contains("date")) {
    absl::StatusOr<absl::Time> d = Day("date", o.at("date"));
    if (!d.ok()) return Fail(2, std::string(d.status().message()));
    day = *d;
  }
  absl::StatusOr<advice::DayAdvice> a = advice::AdviseDay(in.load, in.Source(), day, in.options);
  if (!a.ok()) return Fail(1, std::string(a.status().message()));
  const std::string u = in.options.unit == PowerUnit::kKilowatt ? "kw" : "mw";
  const char* power_unit = advice::PowerUnitName(in.options.unit);
  const char* energy_unit = advice::EnergyUnitName(in.options.unit);
  std::string csv = absl::StrCat("interval_start,forecast_load_", u, ",price_gbp_per_mwh,move_out_",
                                 u, ",move_in_", u, ",load_after_", u, ",battery_charge_", u,
                                 ",battery_discharge_", u, ",battery_stored_", u, "h\n");
  for (int i = 0; i < advice::kHalfHoursPerDay; ++i) {
    const absl::Time t = a->day_start + advice::kHalfHour * i;
    absl::StrAppend(&csv, absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone()), ",",
                    Round(a->forecast_load[i], 4), ",", Round(a->price_gbp_per_mwh[i], 2), ",",
                    Round(a->shift.out[i], 4), ",", Round(a->shift.in[i], 4), ",",
                    Round(a->forecast_outcome.load_after[i], 4));
    if (a->battery.has_value()) {
      absl::StrAppend(&csv, ",", Round(a->battery->charge[i], 4), ",",
                      Round(a->battery->discharge[i], 4), ",", Round(a->battery->stored[i], 4),
                      "\n");
    } else {
      absl::StrAppend(&csv, ",,,\n");
    }
  }
  nlohmann::json windows_from = nlohmann::json::array();
  nlohmann::json windows_to = nlohmann::json::array();
  for (const advice::TimeWindow& w : a->move_from) {
    windows_from.push_back({{"window", w.Text()}, {"energy", w.energy}});
  }
  for (const advice::TimeWindow& w : a->move_to) {
    windows_to.push_back({{"window", w.Text()}, {"energy", w.energy}});
  }
  nlohmann::json json = {
      {"day", DayText(a->day_start)},
      {"unit", power_unit},
      {"energy_unit", energy_unit},
      {"prices", a->prices_forecast ? "forecast from the price file" : "tariff"},
      {"flexible_share", in.options.flexible_share},
      {"peak_limit", a->shift.peak_limit},
      {"advice", a->sentence},
      {"move_from", windows_from},
      {"move_to", windows_to},
      {"shifted_energy", a->shift.shifted_energy},
      {"forecast_peak", a->forecast_outcome.peak_before},
      {"forecast_peak_after", a->forecast_outcome.peak_after},
      {"forecast_peak_reduction", a->forecast_outcome.peak_reduction()},
      {"forecast_saved_gbp", a->forecast_outcome.saved_gbp()},
  };
  if (a->battery.has_value()) {
    json["battery"] = {
        {"capacity", in.options.battery->capacity},
        {"power", in.options.battery->power},
        {"round_trip_efficiency", in.options.battery->round_trip_efficiency},
        {"forecast_return_gbp", a->battery->return_gbp},
    };
    nlohmann::json charge = nlohmann::json::array();
    nlohmann::json discharge = nlohmann::json::array();
    for (const advice::TimeWindow& w : advice::Windows(a->battery->charge)) {
      charge.push_back({{"window", w.Text()}, {"energy", w.energy}});
    }
    for (const advice::TimeWindow& w : advice::Windows(a->battery->discharge)) {
      discharge.push_back({{"window", w.Text()}, {"energy", w.energy}});
    }
    json["battery"]["charge"] = charge;
    json["battery"]["discharge"] = discharge;
  }
  const std::string prefix = Get(o, "out");
  for (const absl::Status& s :
       {WriteText(prefix + ".csv", csv), WriteText(prefix + ".json", json.dump(2) + "\n")}) {
    if (!s.ok()) return Fail(1, std::string(s.message()));
  }
  std::printf("advice for %s (%s, prices %s)\n", DayText(a->day_start).c_str(), power_unit,
              a->prices_forecast ? "forecast from the price file" : "from the tariff");
  std::printf("  peak limit %s %s; forecast peak %s %s\n", Figure(a->shift.peak_limit).c_str(),
              power_unit, Figure(a->forecast_outcome.peak_before).c_str(), power_unit);
  std::printf("  %s\n", a->sentence.c_str());
  std::printf("  forecast peak reduction %s %s, forecast saving GBP %.2f\n",
              Figure(a->forecast_outcome.peak_reduction()).c_str(), power_unit,
              a->forecast_outcome.saved_gbp());
  if (a->battery.has_value()) {
    std::string charge;
    std::string discharge;
    for (const advice::TimeWindow& w : advice::Windows(a->battery->charge)) {
      absl::StrAppend(&charge, charge.empty() ? "" : ", ", w.Text());
    }
    for (const advice::TimeWindow& w : advice::Windows(a->battery->discharge)) {
      absl::StrAppend(&discharge, discharge.empty() ? "" : ", ", w.Text());
    }
    std::printf("  battery: buy and store %s, use %s; forecast return GBP %.2f\n",
                charge.empty() ? "never" : charge.c_str(),
                discharge.empty() ? "never" : discharge.c_str(), a->battery->return_gbp);
  }
  std::printf("wrote %s.csv and %s.json\n", prefix.c_str(), prefix.c_str());
  return 0;
}

int RunScore(const Inputs& in, const std::map<std::string, std::string>& o) {
  if (!o.contains("from") || !o.contains("to")) return Fail(2, "--score needs --from and --to");
  absl::StatusOr<absl::Time> from = Day("from", o.at("from"));
  absl::StatusOr<absl::Time> to = Day("to", o.at("to"));
  if (!from.ok()) return Fail(2, std::string(from.status().message()));
  if (!to.ok()) return Fail(2, std::string(to.status().message()));
  absl::StatusOr<advice::AdviceScore> score =
      advice::ScoreAdvice(in.load, in.Source(), *from, *to, in.options);
  if (!score.ok()) {
    return Fail(score.status().code() == absl::StatusCode::kInvalidArgument ? 2 : 1,
                std::string(score.status().message()));
  }
  const std::string u = in.options.unit == PowerUnit::kKilowatt ? "kw" : "mw";
  const char* power_unit = advice::PowerUnitName(in.options.unit);
  std::string csv = absl::StrCat(
      "day,peak_limit_", u, ",forecast_peak_", u, ",actual_peak_", u, ",advised_peak_", u,
      ",advised_peak_reduction_", u, ",hindsight_peak_reduction_", u, ",advised_shifted_", u,
      "h,advised_saved_gbp,hindsight_saved_gbp,battery_advised_gbp,battery_hindsight_gbp\n");
  nlohmann::json days = nlohmann::json::array();
  for (const advice::DayScore& d : score->days) {
    absl::StrAppend(&csv, DayText(d.day_start), ",", Round(d.peak_limit, 4), ",",
                    Round(d.forecast_peak, 4), ",", Round(d.advised.peak_before, 4), ",",
                    Round(d.advised.peak_after, 4), ",", Round(d.advised.peak_reduction(), 4), ",",
                    Round(d.hindsight.peak_reduction(), 4), ",", Round(d.advised.shifted_energy, 4),
                    ",", Round(d.advised.saved_gbp(), 4), ",", Round(d.hindsight.saved_gbp(), 4),
                    ",", d.battery_advised_gbp ? Round(*d.battery_advised_gbp, 4) : "", ",",
                    d.battery_hindsight_gbp ? Round(*d.battery_hindsight_gbp, 4) : "", "\n");
  }
  nlohmann::json json = {
      {"from", DayText(advice::FloorToDay(*from))},
      {"to", DayText(advice::FloorToDay(*to))},
      {"unit", power_unit},
      {"prices", in.tariff.has_value() ? "tariff" : "price file (advice on forecast prices)"},
      {"flexible_share", in.options.flexible_share},
      {"days_scored", score->days.size()},
      {"days_skipped", score->skipped},
      {"mean_actual_peak", score->mean_actual_peak},
      {"advised_mean_peak_reduction", score->advised_mean_peak_reduction},
      {"hindsight_mean_peak_reduction", score->hindsight_mean_peak_reduction},
      {"advised_shifted_energy", score->advised_shifted_energy},
      {"advised_saved_gbp", score->advised_saved_gbp},
      {"hindsight_saved_gbp", score->hindsight_saved_gbp},
  };
  if (score->battery_advised_gbp.has_value()) {
    json["battery_advised_gbp"] = *score->battery_advised_gbp;
    json["battery_hindsight_gbp"] = *score->battery_hindsight_gbp;
  }
  const std::string prefix = Get(o, "out");
  for (const absl::Status& s :
       {WriteText(prefix + ".csv", csv), WriteText(prefix + ".json", json.dump(2) + "\n")}) {
    if (!s.ok()) return Fail(1, std::string(s.message()));
  }
  std::printf("advice scored on %zu days %s..%s (%zu skipped), measured on the actual days:\n",
              score->days.size(), DayText(advice::FloorToDay(*from)).c_str(),
              DayText(advice::FloorToDay(*to)).c_str(), score->skipped.size());
  const double share = score->mean_actual_peak > 0 ? 100.0 / score->mean_actual_peak : 0.0;
  std::printf(
      "  mean daily peak %s %s; reduced by %s %s (%.1f%%) as advised, %s %s (%.1f%%) "
      "with hindsight\n",
      Figure(score->mean_actual_peak).c_str(), power_unit,
      Figure(score->advised_mean_peak_reduction).c_str(), power_unit,
      score->advised_mean_peak_reduction * share,
      Figure(score->hindsight_mean_peak_reduction).c_str(), power_unit,
      score->hindsight_mean_peak_reduction * share);
  std::printf("  saved GBP %.2f as advised, GBP %.2f with hindsight\n", score->advised_saved_gbp,
              score->hindsight_saved_gbp);
  if (score->battery_advised_gbp.has_value()) {
    std::printf("  battery return GBP %.2f as advised, GBP %.2f with hindsight\n",
                *score->battery_advised_gbp, *score->battery_hindsight_gbp);
  }
  std::printf("wrote %s.csv and %s.json\n", prefix.c_str(), prefix.c_str());
  return 0;
}

}  // namespace

int RunAdviseCommand(const std::map<std::string, std::string>& options) {
  for (const char* key : {"input", "column", "out"}) {
    if (!options.contains(key)) return Fail(2, absl::StrCat("--", key, " is required"));
  }
  Inputs in;
  int code = 2;
  if (absl::Status s = ReadInputs(options, &in, &code); !s.ok()) {
    return Fail(code, std::string(s.message()));
  }
  return options.contains("score") ? RunScore(in, options) : RunAdvice(in, options);
}

}  // namespace gridpilot
