#include "core/price_forecaster.h"

#include <iterator>

#include "core/time_util.h"

namespace gridpilot {
namespace {

constexpr int64_t kPeriodsPerDay = 48;

// Half-hour index since the Unix epoch, floored so that times before 1970 also land in
// the half-hour that contains them.
int64_t PeriodIndex(absl::Time t) {
  absl::Duration remainder;
  return absl::IDivDuration(absl::Floor(t - absl::UnixEpoch(), kHalfHour), kHalfHour,
                            &remainder);
}

// The value at `period` if known and before `start`.
std::optional<double> Known(const std::map<int64_t, double>& prices, int64_t period,
                            int64_t start) {
  if (period >= start) return std::nullopt;
  auto it = prices.find(period);
  if (it == prices.end()) return std::nullopt;
  return it->second;
}

}  // namespace

void PriceForecaster::Observe(absl::Time interval_start,
                              std::optional<double> price_gbp_per_mwh) {
  const int64_t period = PeriodIndex(interval_start);
  if (price_gbp_per_mwh.has_value()) {
    prices_[period] = *price_gbp_per_mwh;
  } else {
    prices_.erase(period);
  }
  if (!newest_period_.has_value() || period > *newest_period_) newest_period_ = period;
  prices_.erase(prices_.begin(),
                prices_.lower_bound(*newest_period_ - kHistoryDays * kPeriodsPerDay));
}

std::vector<double> PriceForecaster::Forecast(absl::Time first_interval_start,
                                              int intervals) const {
  if (intervals <= 0) return {};
  const int64_t start = PeriodIndex(first_interval_start);
  const auto past_end = prices_.lower_bound(start);  // first entry not usable

  // Fallback: the last known price before the start, else 0.
  const double last_known = past_end == prices_.begin() ? 0.0 : std::prev(past_end)->second;

  // Level correction from the most recent observed prices against the day before.
  double diff_sum = 0.0;
  int pairs = 0;
  int seen = 0;
  for (auto it = past_end; it != prices_.begin() && seen < kLevelWindow; ++seen) {
    --it;
    if (auto earlier = Known(prices_, it->first - kPeriodsPerDay, start)) {
      diff_sum += it->second - *earlier;
      ++pairs;
    }
  }
  const double shift = pairs > 0 ? kLevelDamping * diff_sum / pairs : 0.0;

  const int64_t oldest = prices_.empty() ? start : prices_.begin()->first;
  std::vector<double> forecast;
  forecast.reserve(intervals);
  for (int i = 0; i < intervals; ++i) {
    const int64_t target = start + i;
    double weighted = 0.0;
    double weight = 0.0;
    // Smallest whole number of days back that lands before the start.
    for (int64_t p = target - (i / kPeriodsPerDay + 1) * kPeriodsPerDay; p >= oldest;
         p -= kPeriodsPerDay) {
      if (auto daily = Known(prices_, p, start)) {
        weighted += kDailyWeight * *daily;
        weight += kDailyWeight;
        break;
      }
    }
    const int64_t week = 7 * kPeriodsPerDay;
    if (auto weekly = Known(prices_, target - (i / week + 1) * week, start)) {
      weighted += kWeeklyWeight * *weekly;
      weight += kWeeklyWeight;
    }
    forecast.push_back(weight > 0.0 ? weighted / weight + shift : last_known);
  }
  return forecast;
}

}  // namespace gridpilot
