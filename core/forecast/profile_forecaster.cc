#include "core/forecast/profile_forecaster.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gridpilot::forecast {
namespace {

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

}  // namespace

ProfileForecaster::ProfileForecaster(absl::Duration interval)
    : interval_(interval),
      periods_per_day_(absl::Hours(24) / interval),
      kept_periods_(kHistoryDays * periods_per_day_) {}

int64_t ProfileForecaster::PeriodIndex(absl::Time t) const {
  absl::Duration remainder;
  return absl::IDivDuration(absl::Floor(t - absl::UnixEpoch(), interval_), interval_, &remainder);
}

bool ProfileForecaster::IsWeekend(int64_t period) const {
  const int64_t day = FloorDiv(period, periods_per_day_);
  return day + 3 - 7 * FloorDiv(day + 3, 7) >= 5;
}

size_t ProfileForecaster::Slot(int64_t period) const {
  return static_cast<size_t>(period - kept_periods_ * FloorDiv(period, kept_periods_));
}

void ProfileForecaster::Observe(absl::Time interval_start,
                                std::optional<double> price_gbp_per_mwh) {
  const int64_t period = PeriodIndex(interval_start);
  if (newest_period_.has_value() && period <= *newest_period_ - kept_periods_) return;
  if (price_gbp_per_mwh_.empty()) {
    price_gbp_per_mwh_.assign(kept_periods_, std::numeric_limits<double>::quiet_NaN());
    period_.assign(kept_periods_, std::numeric_limits<int64_t>::min());
  }
  const size_t slot = Slot(period);
  price_gbp_per_mwh_[slot] = price_gbp_per_mwh.value_or(std::numeric_limits<double>::quiet_NaN());
  period_[slot] = period;
  if (!newest_period_.has_value() || period > *newest_period_) newest_period_ = period;
}

std::optional<double> ProfileForecaster::Known(int64_t period, int64_t start) const {
  if (period >= start || !newest_period_.has_value() || period > *newest_period_ ||
      period <= *newest_period_ - kept_periods_) {
    return std::nullopt;
  }
  const size_t slot = Slot(period);
  if (period_[slot] != period || std::isnan(price_gbp_per_mwh_[slot])) return std::nullopt;
  return price_gbp_per_mwh_[slot];
}

std::vector<double> ProfileForecaster::Forecast(absl::Time first_interval_start,
                                                int intervals) const {
  if (intervals <= 0) return {};
  const int64_t start = PeriodIndex(first_interval_start);

  // Fallback: the last known price before the start, else 0.
  double last_known = 0.0;
  if (newest_period_.has_value()) {
    for (int64_t p = std::min(start - 1, *newest_period_); p > *newest_period_ - kept_periods_;
         --p) {
      if (std::optional<double> price = Known(p, start)) {
        last_known = *price;
        break;
      }
    }
  }

  std::vector<double> forecast;
  forecast.reserve(intervals);
  if (!newest_period_.has_value()) {
    forecast.assign(intervals, last_known);
    return forecast;
  }
  // Known(p, start) for p = target - d days, with the slot and the day of the week stepped
  // back a day at a time instead of divided out for every candidate (the same candidates
  // and the same sums in the same order, so the same bits).
  const int64_t newest = *newest_period_;
  for (int i = 0; i < intervals; ++i) {
    const int64_t target = start + i;
    const int64_t target_day = FloorDiv(target, periods_per_day_);
    const bool weekend = IsWeekend(target);
    int64_t slot = static_cast<int64_t>(Slot(target));
    int64_t day_of_week = target_day + 3 - 7 * FloorDiv(target_day + 3, 7);  // Monday = 0
    // Weighted sums and the next weight, for same-kind days and for all days.
    double same_sum = 0.0, same_weights = 0.0, same_next = 1.0;
    double all_sum = 0.0, all_weights = 0.0, all_next = 1.0;
    for (int d = 1; d <= kLookbackDays; ++d) {
      const int64_t p = target - d * periods_per_day_;
      slot -= periods_per_day_;
      if (slot < 0) slot += kept_periods_;
      if (--day_of_week < 0) day_of_week += 7;
      if (p >= start || p > newest || p <= newest - kept_periods_) continue;
      if (period_[slot] != p) continue;
      const double price = price_gbp_per_mwh_[slot];
      if (std::isnan(price)) continue;
      all_sum += all_next * price;
      all_weights += all_next;
      all_next *= kDayDecay;
      if ((day_of_week >= 5) == weekend) {
        same_sum += same_next * price;
        same_weights += same_next;
        same_next *= kDayDecay;
      }
    }
    forecast.push_back(same_weights > 0.0  ? same_sum / same_weights
                       : all_weights > 0.0 ? all_sum / all_weights
                                           : last_known);
  }
  return forecast;
}

}  // namespace gridpilot::forecast
