// Tomorrow's advice for a site or a region: forecast the day's load (and its prices, unless
// a tariff fixes them) from what is known before the day, find the peak half-hours, plan
// the shift of flexible load, and plan the battery if there is one.
//
// Forecast. Load and price use the profile forecaster of core/forecast
// (profile_forecaster.h): per half-hour, a weighted mean of the same half-hour on the last
// 28 days of the same kind (weekday or weekend). It needs no training, works on any
// series put on the half-hour grid (a household meter or a region), and reads only values
// before the day; docs/decisions.md, "Flexibility advice", says why it was chosen.
// No look-ahead: AdviseDay copies only the 28 days before day_start into the forecaster,
// so nothing at or after day_start can change the advice.
#ifndef GRIDPILOT_CORE_ADVICE_DAY_ADVICE_H_
#define GRIDPILOT_CORE_ADVICE_DAY_ADVICE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/advice/half_hour_series.h"
#include "core/advice/load_shift.h"
#include "core/advice/shift_windows.h"
#include "core/advice/site_battery.h"
#include "core/advice/tariff.h"

namespace gridpilot::advice {

// The unit of a series: kW for a site, MW for a region (docs/decisions.md).
enum class PowerUnit { kKilowatt, kMegawatt };
const char* PowerUnitName(PowerUnit unit);   // "kW" / "MW"
const char* EnergyUnitName(PowerUnit unit);  // "kWh" / "MWh"
double MwhPerUnitHour(PowerUnit unit);       // 0.001 / 1

// Where the day's prices come from: a price series (forecast from the days before) or a
// tariff (known in advance). Exactly one must be set; neither is owned.
struct PriceSource {
  const HalfHourSeries* price_gbp_per_mwh = nullptr;
  const TimeOfUseTariff* tariff = nullptr;
};

struct AdviceOptions {
  PowerUnit unit = PowerUnit::kKilowatt;
  double flexible_share = 0.2;  // share of each half-hour's load that can move, [0, 1]
  // The peak limit in `unit`; when unset, the peak_percentile-th percentile of the day's
  // forecast load.
  std::optional<double> peak_limit;
  double peak_percentile = 90.0;
  std::optional<SiteBatteryOptions> battery;
};

struct DayAdvice {
  absl::Time day_start;
  std::vector<double> forecast_load;      // unit, 48 half-hours
  std::vector<double> price_gbp_per_mwh;  // the prices the plan used (forecast or tariff)
  bool prices_forecast = false;           // true when from a price series
  LoadShiftPlan shift;
  ShiftOutcome forecast_outcome;  // the shift applied to the forecast itself
  std::vector<TimeWindow> move_from;
  std::vector<TimeWindow> move_to;
  std::string sentence;  // ShiftSentence of the windows
  std::optional<SiteBatteryPlan> battery;
};

// Validates options: InvalidArgument naming the field.
absl::Status ValidateAdviceOptions(const AdviceOptions& options);

// The advice for the day starting at day_start (floored to the day). FailedPrecondition
// when no load (or, for a price series, no price) is known in the 28 days before the day;
// InvalidArgument for bad options or when both or neither price source is set.
absl::StatusOr<DayAdvice> AdviseDay(const HalfHourSeries& load, const PriceSource& prices,
                                    absl::Time day_start, const AdviceOptions& options);

// The plan that perfect foresight of the day would make: the same rule on the day's
// actual load and prices (all 48 values). Used to bound what any advice could achieve.
absl::StatusOr<DayAdvice> AdviseWithHindsight(const std::vector<double>& actual_load,
                                              const std::vector<double>& actual_price_gbp_per_mwh,
                                              absl::Time day_start, const AdviceOptions& options);

}  // namespace gridpilot::advice

#endif  // GRIDPILOT_CORE_ADVICE_DAY_ADVICE_H_
