#include "core/advice/advice_score.h"

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"

namespace gridpilot::advice {
namespace {

std::string DayText(absl::Time day) {
  return absl::FormatTime("%Y-%m-%d", day, absl::UTCTimeZone());
}

// The day's 48 values, or the count of missing ones.
std::optional<std::vector<double>> Complete(const std::vector<std::optional<double>>& day,
                                            int* missing) {
  std::vector<double> values;
  *missing = 0;
  for (const std::optional<double>& v : day) {
    if (v.has_value()) {
      values.push_back(*v);
    } else {
      ++*missing;
    }
  }
  if (*missing > 0) return std::nullopt;
  return values;
}

}  // namespace

absl::StatusOr<AdviceScore> ScoreAdvice(const HalfHourSeries& load, const PriceSource& prices,
                                        absl::Time from, absl::Time to,
                                        const AdviceOptions& options) {
  RETURN_IF_ERROR(ValidateAdviceOptions(options));
  from = FloorToDay(from);
  to = FloorToDay(to);
  if (to < from) return absl::InvalidArgumentError("--to is before --from");
  if ((to - from) / absl::Hours(24) + 1 > kMaxScoredDays) {
    return absl::InvalidArgumentError(
        absl::StrCat("at most ", kMaxScoredDays, " days can be scored at once"));
  }
  const double mwh = MwhPerUnitHour(options.unit);
  AdviceScore score;
  for (absl::Time day = from; day <= to; day += absl::Hours(24)) {
    int missing = 0;
    const std::optional<std::vector<double>> actual_load = Complete(load.Day(day), &missing);
    if (!actual_load.has_value()) {
      score.skipped.push_back(
          absl::StrCat(DayText(day), ": ", missing, " half-hours of load missing"));
      continue;
    }
    std::optional<std::vector<double>> actual_prices;
    if (prices.tariff != nullptr) {
      actual_prices = prices.tariff->DayGbpPerMwh();
    } else if (prices.price_gbp_per_mwh != nullptr) {
      actual_prices = Complete(prices.price_gbp_per_mwh->Day(day), &missing);
      if (!actual_prices.has_value()) {
        score.skipped.push_back(
            absl::StrCat(DayText(day), ": ", missing, " half-hours of prices missing"));
        continue;
      }
    }
    absl::StatusOr<DayAdvice> advice = AdviseDay(load, prices, day, options);
    if (!advice.ok()) {
      if (advice.status().code() != absl::StatusCode::kFailedPrecondition) return advice.status();
      score.skipped.push_back(absl::StrCat(DayText(day), ": ", advice.status().message()));
      continue;
    }
    ASSIGN_OR_RETURN(const DayAdvice hindsight,
                     AdviseWithHindsight(*actual_load, *actual_prices, day, options));
    DayScore s;
    s.day_start = day;
    s.peak_limit = advice->shift.peak_limit;
    s.forecast_peak = advice->forecast_outcome.peak_before;
    ASSIGN_OR_RETURN(s.advised, ApplyLoadShift(advice->shift, *actual_load, *actual_prices,
                                               options.flexible_share, mwh));
    ASSIGN_OR_RETURN(s.hindsight, ApplyLoadShift(hindsight.shift, *actual_load, *actual_prices,
                                                 options.flexible_share, mwh));
    if (options.battery.has_value()) {
      ASSIGN_OR_RETURN(s.battery_advised_gbp,
                       BatteryReturnGbp(*advice->battery, *actual_prices, *options.battery, mwh));
      ASSIGN_OR_RETURN(s.battery_hindsight_gbp,
                       BatteryReturnGbp(*hindsight.battery, *actual_prices, *options.battery, mwh));
      score.battery_advised_gbp = score.battery_advised_gbp.value_or(0) + *s.battery_advised_gbp;
      score.battery_hindsight_gbp =
          score.battery_hindsight_gbp.value_or(0) + *s.battery_hindsight_gbp;
    }
    score.advised_saved_gbp += s.advised.saved_gbp();
    score.hindsight_saved_gbp += s.hindsight.saved_gbp();
    score.advised_mean_peak_reduction += s.advised.peak_reduction();
    score.hindsight_mean_peak_reduction += s.hindsight.peak_reduction();
    score.mean_actual_peak += s.advised.peak_before;
    score.advised_shifted_energy += s.advised.shifted_energy;
    score.days.push_back(std::move(s));
  }
  if (!score.days.empty()) {
    const double n = static_cast<double>(score.days.size());
    score.advised_mean_peak_reduction /= n;
    score.hindsight_mean_peak_reduction /= n;
    score.mean_actual_peak /= n;
  }
  return score;
}

}  // namespace gridpilot::advice
