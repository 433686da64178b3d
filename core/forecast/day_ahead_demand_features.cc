#include "core/forecast/day_ahead_demand_features.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "absl/time/civil_time.h"
#include "core/base/time_util.h"

namespace gridpilot::forecast {
namespace {

constexpr absl::Duration kDay = absl::Hours(24);
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

float AsFeature(std::optional<double> v) { return v.has_value() ? static_cast<float>(*v) : kNaN; }

std::optional<double> Minus(std::optional<double> a, std::optional<double> b) {
  if (!a.has_value() || !b.has_value()) return std::nullopt;
  return *a - *b;
}

// UTC midnight at or before t.
absl::Time UtcDayStart(absl::Time t) {
  return absl::FromCivil(absl::ToCivilDay(t, absl::UTCTimeZone()), absl::UTCTimeZone());
}

// Start of the latest half-hour that had ended by `cutoff`.
absl::Time LastEndedIntervalStart(absl::Time cutoff) {
  const int64_t ended_by_s = absl::ToUnixSeconds(cutoff - base::kHalfHour);  // rounds down
  const int64_t period_s = 1800;
  int64_t start_s = ended_by_s - ended_by_s % period_s;
  if (start_s > ended_by_s) start_s -= period_s;  // % keeps the sign before the epoch
  return absl::FromUnixSeconds(start_s);
}

// Signed days from the nearest 25 December to `day`, clipped to [-15, 15].
int DaysFromChristmas(absl::CivilDay day) {
  int best = 15;
  for (absl::civil_year_t y = day.year() - 1; y <= day.year() + 1; ++y) {
    const int d = static_cast<int>(day - absl::CivilDay(y, 12, 25));
    if (std::abs(d) < std::abs(best)) best = d;
  }
  return std::clamp(best, -15, 15);
}

}  // namespace

absl::Time DayAheadCutoff(absl::Time day_start) { return day_start - absl::Minutes(15); }

const data::GridInterval* DayAheadDemandFeatures::IntervalAt(absl::Time interval_start) const {
  const std::optional<size_t> i = series_->IndexOf(interval_start);
  return i.has_value() ? &series_->at(*i) : nullptr;
}

std::optional<double> DayAheadDemandFeatures::ActualNationalDemandMw(
    absl::Time interval_start) const {
  const data::GridInterval* interval = IntervalAt(interval_start);
  return interval == nullptr ? std::nullopt : interval->net_load_mw;
}

std::optional<double> DayAheadDemandFeatures::KnownNationalDemandMw(absl::Time interval_start,
                                                                    absl::Time cutoff) const {
  if (interval_start + base::kHalfHour > cutoff) return std::nullopt;  // not ended yet
  return ActualNationalDemandMw(interval_start);
}

std::optional<double> DayAheadDemandFeatures::NesoForecastMw(absl::Time target_start,
                                                             absl::Time cutoff,
                                                             absl::Time* published) const {
  auto it = std::lower_bound(
      neso_->begin(), neso_->end(), target_start,
      [](const data::DayAheadForecastRow& row, absl::Time t) { return row.target_start < t; });
  std::optional<double> best;
  for (; it != neso_->end() && it->target_start == target_start; ++it) {
    // Vintages are in publication order, so the last admissible one with a value wins.
    if (it->published > cutoff || !it->net_load_mw.has_value()) continue;
    best = it->net_load_mw;
    if (published != nullptr) *published = it->published;
  }
  return best;
}

std::optional<double> DayAheadDemandFeatures::PersistenceMw(absl::Time target_start,
                                                            absl::Time cutoff) const {
  for (absl::Time t = target_start - kDay;; t -= kDay) {
    if (t + base::kHalfHour <= cutoff) return KnownNationalDemandMw(t, cutoff);
  }
}

std::optional<double> DayAheadDemandFeatures::SeasonalNaiveMw(absl::Time target_start,
                                                              absl::Time cutoff) const {
  return KnownNationalDemandMw(target_start - 7 * kDay, cutoff);
}

std::optional<double> DayAheadDemandFeatures::AnchorMw(absl::Time target_start,
                                                       absl::Time cutoff) const {
  const std::optional<double> neso = NesoForecastMw(target_start, cutoff);
  return neso.has_value() ? neso : SeasonalNaiveMw(target_start, cutoff);
}

const std::vector<std::string>& DayAheadDemandFeatures::FeatureNames() {
  static const std::vector<std::string>* const kNames = new std::vector<std::string>{
      "local_half_hour_of_day",  // 0..49 from UK local midnight
      "local_day_of_week",       // Monday = 0
      "local_day_of_year",       // 1..366
      "bst",                     // 1 in British Summer Time
      "bank_holiday",            // the calendar's (uk: England & Wales), target's local day
      "bank_holiday_d1",         // ... the local day of target - 24 h
      "bank_holiday_d7",         // ... the local day of target - 7 days
      "days_from_christmas",     // signed, clipped to [-15, 15]
      "neso_forecast_mw",        // latest vintage published by the cut-off
      "neso_lead_hours",         // target start - that vintage's publication
      "neso_minus_d1_mw",        // neso_forecast_mw - nd_d1_mw
      "neso_minus_d7_mw",        // neso_forecast_mw - nd_d7_mw
      "nd_d1_mw",                // outturn ND of the same half-hour on D-1 ...
      "nd_d2_mw",
      "nd_d7_mw",
      "nd_d14_mw",
      "nd_last_known_mw",             // the last half-hour ended by the cut-off
      "nd_last_known_minus_d1_mw",    // that minus the same half-hour a day earlier
      "nd_mean_last_day_mw",          // mean of the 48 half-hours ended by the cut-off
      "neso_error_d1_mw",             // nd_d1 - NESO's forecast of it at its own cut-off
      "neso_error_last_known_mw",     // the same for the last known half-hour
      "neso_error_mean_last_day_mw",  // mean of that error over the last 48 known
      "embedded_solar_d1_mw",         // NESO estimates, same half-hour on D-1
      "embedded_wind_d1_mw",
  };
  return *kNames;
}

std::vector<float> DayAheadDemandFeatures::Features(absl::Time target_start,
                                                    absl::Time cutoff) const {
  std::vector<float> f;
  f.reserve(FeatureNames().size());
  const absl::CivilSecond local = holidays_.LocalTime(target_start);
  const absl::CivilDay local_day(local);
  f.push_back(static_cast<float>((local.hour() * 60 + local.minute()) / 30));
  f.push_back(static_cast<float>((static_cast<int>(absl::GetWeekday(local_day)) + 7 -
                                  static_cast<int>(absl::Weekday::monday)) %
                                 7));
  f.push_back(static_cast<float>(absl::GetYearDay(local_day)));
  f.push_back(holidays_.IsDaylightSaving(target_start) ? 1.0f : 0.0f);
  f.push_back(holidays_.IsHolidayAt(target_start) ? 1.0f : 0.0f);
  f.push_back(holidays_.IsHolidayAt(target_start - kDay) ? 1.0f : 0.0f);
  f.push_back(holidays_.IsHolidayAt(target_start - 7 * kDay) ? 1.0f : 0.0f);
  f.push_back(static_cast<float>(DaysFromChristmas(local_day)));

  absl::Time published;
  const std::optional<double> neso = NesoForecastMw(target_start, cutoff, &published);
  const std::optional<double> d1 = KnownNationalDemandMw(target_start - kDay, cutoff);
  const std::optional<double> d7 = KnownNationalDemandMw(target_start - 7 * kDay, cutoff);
  f.push_back(AsFeature(neso));
  f.push_back(neso.has_value() ? static_cast<float>(absl::ToDoubleHours(target_start - published))
                               : kNaN);
  f.push_back(AsFeature(Minus(neso, d1)));
  f.push_back(AsFeature(Minus(neso, d7)));
  f.push_back(AsFeature(d1));
  f.push_back(AsFeature(KnownNationalDemandMw(target_start - 2 * kDay, cutoff)));
  f.push_back(AsFeature(d7));
  f.push_back(AsFeature(KnownNationalDemandMw(target_start - 14 * kDay, cutoff)));

  const absl::Time last = LastEndedIntervalStart(cutoff);
  const std::optional<double> nd_last = KnownNationalDemandMw(last, cutoff);
  f.push_back(AsFeature(nd_last));
  f.push_back(AsFeature(Minus(nd_last, KnownNationalDemandMw(last - kDay, cutoff))));
  // NESO's error on a half-hour that has ended, against the forecast it had published by
  // that half-hour's own day's cut-off (what this model would have been given then).
  auto neso_error = [&](absl::Time start) {
    return Minus(KnownNationalDemandMw(start, cutoff),
                 NesoForecastMw(start, DayAheadCutoff(UtcDayStart(start))));
  };
  double nd_sum = 0, error_sum = 0;
  int nd_count = 0, error_count = 0;
  for (int k = 0; k < 48; ++k) {
    const absl::Time start = last - k * base::kHalfHour;
    if (std::optional<double> v = KnownNationalDemandMw(start, cutoff)) {
      nd_sum += *v;
      ++nd_count;
    }
    if (std::optional<double> e = neso_error(start)) {
      error_sum += *e;
      ++error_count;
    }
  }
  f.push_back(nd_count > 0 ? static_cast<float>(nd_sum / nd_count) : kNaN);
  f.push_back(AsFeature(neso_error(target_start - kDay)));
  f.push_back(AsFeature(neso_error(last)));
  f.push_back(error_count > 0 ? static_cast<float>(error_sum / error_count) : kNaN);

  const bool d1_ended = target_start - kDay + base::kHalfHour <= cutoff;
  const data::GridInterval* d1_interval = d1_ended ? IntervalAt(target_start - kDay) : nullptr;
  f.push_back(AsFeature(d1_interval ? d1_interval->embedded_solar_mw : std::nullopt));
  f.push_back(AsFeature(d1_interval ? d1_interval->embedded_wind_mw : std::nullopt));
  return f;
}

}  // namespace gridpilot::forecast
