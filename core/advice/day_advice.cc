#include "core/advice/day_advice.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/forecast/profile_forecaster.h"

namespace gridpilot::advice {
namespace {

// Forecasts the day from the kLookbackDays before it; nullopt when nothing is known.
std::optional<std::vector<double>> ForecastDay(const HalfHourSeries& series, absl::Time day_start) {
  forecast::ProfileForecaster forecaster;
  const int64_t window = int64_t{forecast::ProfileForecaster::kLookbackDays} * kHalfHoursPerDay;
  bool any = false;
  for (int64_t k = window; k >= 1; --k) {
    const absl::Time t = day_start - kHalfHour * k;
    const std::optional<double> value = series.At(t);
    if (value.has_value()) any = true;
    forecaster.Observe(t, value);
  }
  if (!any) return std::nullopt;
  return forecaster.Forecast(day_start, kHalfHoursPerDay);
}

absl::StatusOr<DayAdvice> Plan(std::vector<double> load, std::vector<double> prices,
                               absl::Time day_start, const AdviceOptions& options) {
  DayAdvice advice;
  advice.day_start = day_start;
  double limit = 0.0;
  if (options.peak_limit.has_value()) {
    limit = *options.peak_limit;
  } else {
    ASSIGN_OR_RETURN(limit, Percentile(load, options.peak_percentile));
  }
  ASSIGN_OR_RETURN(advice.shift, PlanLoadShift(load, prices, options.flexible_share, limit));
  ASSIGN_OR_RETURN(advice.forecast_outcome,
                   ApplyLoadShift(advice.shift, load, prices, options.flexible_share,
                                  MwhPerUnitHour(options.unit)));
  advice.move_from = Windows(advice.shift.out);
  advice.move_to = Windows(advice.shift.in);
  advice.sentence = ShiftSentence(advice.move_from, advice.move_to, EnergyUnitName(options.unit));
  if (options.battery.has_value()) {
    ASSIGN_OR_RETURN(advice.battery,
                     PlanSiteBattery(prices, *options.battery, MwhPerUnitHour(options.unit)));
  }
  advice.forecast_load = std::move(load);
  advice.price_gbp_per_mwh = std::move(prices);
  return advice;
}

}  // namespace

const char* PowerUnitName(PowerUnit unit) { return unit == PowerUnit::kKilowatt ? "kW" : "MW"; }
const char* EnergyUnitName(PowerUnit unit) { return unit == PowerUnit::kKilowatt ? "kWh" : "MWh"; }
double MwhPerUnitHour(PowerUnit unit) { return unit == PowerUnit::kKilowatt ? 0.001 : 1.0; }

absl::Status ValidateAdviceOptions(const AdviceOptions& options) {
  if (!(options.flexible_share >= 0 && options.flexible_share <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("flexible_share ", options.flexible_share, " is outside [0, 1]"));
  }
  if (options.peak_limit.has_value() &&
      (!(*options.peak_limit >= 0) || std::isinf(*options.peak_limit))) {
    return absl::InvalidArgumentError(
        absl::StrCat("peak_limit ", *options.peak_limit, " must be finite and >= 0"));
  }
  if (!(options.peak_percentile >= 0 && options.peak_percentile <= 100)) {
    return absl::InvalidArgumentError(
        absl::StrCat("peak_percentile ", options.peak_percentile, " is outside [0, 100]"));
  }
  return absl::OkStatus();
}

absl::StatusOr<DayAdvice> AdviseDay(const HalfHourSeries& load, const PriceSource& prices,
                                    absl::Time day_start, const AdviceOptions& options) {
  RETURN_IF_ERROR(ValidateAdviceOptions(options));
  if ((prices.price_gbp_per_mwh == nullptr) == (prices.tariff == nullptr)) {
    return absl::InvalidArgumentError("give either a price series or a tariff, not both");
  }
  day_start = FloorToDay(day_start);
  std::optional<std::vector<double>> load_forecast = ForecastDay(load, day_start);
  if (!load_forecast.has_value()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "no load is known in the ", forecast::ProfileForecaster::kLookbackDays, " days before ",
        absl::FormatTime("%Y-%m-%d", day_start, absl::UTCTimeZone())));
  }
  for (double& v : *load_forecast) v = std::max(v, 0.0);
  std::vector<double> day_prices;
  if (prices.tariff != nullptr) {
    day_prices = prices.tariff->DayGbpPerMwh();
  } else {
    std::optional<std::vector<double>> price_forecast =
        ForecastDay(*prices.price_gbp_per_mwh, day_start);
    if (!price_forecast.has_value()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "no price is known in the ", forecast::ProfileForecaster::kLookbackDays, " days before ",
          absl::FormatTime("%Y-%m-%d", day_start, absl::UTCTimeZone())));
    }
    day_prices = std::move(*price_forecast);
  }
  ASSIGN_OR_RETURN(DayAdvice advice,
                   Plan(std::move(*load_forecast), std::move(day_prices), day_start, options));
  advice.prices_forecast = prices.price_gbp_per_mwh != nullptr;
  return advice;
}

absl::StatusOr<DayAdvice> AdviseWithHindsight(const std::vector<double>& actual_load,
                                              const std::vector<double>& actual_price_gbp_per_mwh,
                                              absl::Time day_start, const AdviceOptions& options) {
  RETURN_IF_ERROR(ValidateAdviceOptions(options));
  return Plan(actual_load, actual_price_gbp_per_mwh, FloorToDay(day_start), options);
}

}  // namespace gridpilot::advice
