#include "core/forecast/feature_store.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numbers>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "core/base/status_macros.h"
#include "core/base/time_util.h"

namespace gridpilot::forecast {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kTwoPi = 2.0 * std::numbers::pi;
constexpr int kDayAheadHorizons = 8;  // ServedChangeHorizons()

double ValueOrNaN(const std::optional<double>& v) { return v.has_value() ? *v : kNaN; }

bool OnGrid(absl::Time t, absl::Duration interval) {
  return t != absl::InfinitePast() && t != absl::InfiniteFuture() &&
         (t - absl::UnixEpoch()) % interval == absl::ZeroDuration();
}

absl::Duration SupportedOrHalfHour(absl::Duration interval) {
  return interval == absl::Minutes(5) || interval == absl::Minutes(15) ||
                 interval == absl::Minutes(60)
             ? interval
             : base::kHalfHour;
}

std::vector<std::string> BuildFeatureNames() {
  std::vector<std::string> names = {"hour_of_day_sin", "hour_of_day_cos", "day_of_week_sin",
                                    "day_of_week_cos", "day_of_year_sin", "day_of_year_cos",
                                    "net_load_lag1_mw"};
  for (int k = 1; k <= 11; ++k) {
    names.push_back(absl::StrCat("net_load_diff_lag", k, "_lag", k + 1, "_mw"));
  }
  for (const char* name :
       {"net_load_change_yesterday_mw", "net_load_change_last_week_mw",
        "net_load_change2_yesterday_mw", "net_load_change2_last_week_mw", "net_load_mean_4_mw",
        "net_load_std_4_mw", "net_load_mean_12_mw", "net_load_std_12_mw", "net_load_mean_48_mw",
        "net_load_std_48_mw", "net_load_gradient_mw", "embedded_solar_lag1_mw",
        "embedded_wind_lag1_mw", "embedded_solar_diff_lag1_lag2_mw",
        "embedded_wind_diff_lag1_lag2_mw", "renewable_penetration", "local_hour_of_day_sin",
        "local_hour_of_day_cos", "bank_holiday"}) {
    names.push_back(name);
  }
  for (int h = 1; h <= kDayAheadHorizons; ++h) {
    names.push_back(absl::StrCat("day_ahead_change_h", h, "_mw"));
  }
  names.push_back("day_ahead_error_lag1_mw");
  names.push_back("day_ahead_error_diff_mw");
  return names;
}

}  // namespace

FeatureStore::FeatureStore() : FeatureStore(base::HolidayCalendar::Uk()) {}

FeatureStore::FeatureStore(base::HolidayCalendar holidays, absl::Duration interval)
    : interval_(SupportedOrHalfHour(interval)),
      per_day_(static_cast<size_t>(absl::Hours(24) / interval_)),
      capacity_(8 * per_day_),
      net_load_mw_(capacity_, kNaN),
      solar_mw_(capacity_, kNaN),
      wind_mw_(capacity_, kNaN),
      holidays_(std::move(holidays)) {}

const std::vector<std::string>& FeatureStore::FeatureNames() {
  static const std::vector<std::string>* const kNames =
      new std::vector<std::string>(BuildFeatureNames());
  return *kNames;
}

absl::Status FeatureStore::Push(const data::GridMeasurement& m) {
  if (!OnGrid(m.interval_start, interval_)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "interval start ", absl::FormatTime(m.interval_start, absl::UTCTimeZone()),
        " is not on the UTC ", absl::FormatDuration(interval_), " grid (last interval start ",
        size_ == 0 ? "none" : base::FormatUtcTimestamp(last_start_), ")"));
  }
  if (size_ > 0) {
    if (m.interval_start <= last_start_) {
      return absl::InvalidArgumentError(absl::StrCat(
          "interval start ", base::FormatUtcTimestamp(m.interval_start),
          " is not after the last interval start ", base::FormatUtcTimestamp(last_start_)));
    }
    // Skipped intervals become all-missing; beyond a full ring the older ones would be
    // overwritten anyway, so at most capacity_ are written.
    const int64_t skipped = (m.interval_start - last_start_) / interval_ - 1;
    for (int64_t i = 0; i < std::min<int64_t>(skipped, static_cast<int64_t>(capacity_)); ++i) {
      Append(kNaN, kNaN, kNaN);
    }
  }
  Append(ValueOrNaN(m.net_load_mw), ValueOrNaN(m.embedded_solar_mw),
         ValueOrNaN(m.embedded_wind_mw));
  last_start_ = m.interval_start;
  day_ahead_.erase(day_ahead_.begin(), day_ahead_.lower_bound(decision_time() - 2 * interval_));
  return absl::OkStatus();
}

absl::Status FeatureStore::PushDayAheadForecast(const data::DayAheadForecastRow& row) {
  if (size_ == 0 || row.published >= decision_time()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "day-ahead forecast for ", base::FormatUtcTimestamp(row.target_start), " published at ",
        base::FormatUtcTimestamp(row.published), " is not before the decision time ",
        size_ == 0 ? "(nothing pushed yet)" : base::FormatUtcTimestamp(decision_time())));
  }
  if (!row.net_load_mw.has_value() || row.target_start < decision_time() - 2 * interval_) {
    return absl::OkStatus();
  }
  auto [it, inserted] =
      day_ahead_.try_emplace(row.target_start, DayAheadValue{row.published, *row.net_load_mw});
  if (!inserted && row.published > it->second.published) {
    it->second = DayAheadValue{row.published, *row.net_load_mw};
  }
  return absl::OkStatus();
}

double FeatureStore::DayAheadAt(absl::Time target_start) const {
  auto it = day_ahead_.find(target_start);
  return it == day_ahead_.end() ? kNaN : it->second.demand_mw;
}

DayAheadForecastFeed::DayAheadForecastFeed(const std::vector<data::DayAheadForecastRow>& vintages) {
  Add(vintages);
}

void DayAheadForecastFeed::Add(const std::vector<data::DayAheadForecastRow>& vintages) {
  if (vintages.empty()) return;
  vintages_.erase(vintages_.begin(), vintages_.begin() + static_cast<std::ptrdiff_t>(next_));
  next_ = 0;
  vintages_.insert(vintages_.end(), vintages.begin(), vintages.end());
  std::stable_sort(vintages_.begin(), vintages_.end(),
                   [](const data::DayAheadForecastRow& a, const data::DayAheadForecastRow& b) {
                     return a.published < b.published;
                   });
}

absl::Status DayAheadForecastFeed::PushPublishedBefore(FeatureStore& store) {
  while (next_ < vintages_.size() && vintages_[next_].published < store.decision_time()) {
    RETURN_IF_ERROR(store.PushDayAheadForecast(vintages_[next_]));
    ++next_;
  }
  return absl::OkStatus();
}

void FeatureStore::Append(double net_load_mw, double solar_mw, double wind_mw) {
  net_load_mw_[next_] = net_load_mw;
  solar_mw_[next_] = solar_mw;
  wind_mw_[next_] = wind_mw;
  next_ = (next_ + 1) % capacity_;
  if (size_ < capacity_) ++size_;
}

absl::Time FeatureStore::decision_time() const {
  return size_ == 0 ? absl::InfinitePast() : last_start_ + interval_;
}

double FeatureStore::Lag(const std::vector<double>& ring, size_t k) const {
  if (k > size_) return kNaN;
  return ring[(next_ + capacity_ - k) % capacity_];
}

std::optional<double> FeatureStore::last_net_load_mw() const {
  const double v = Lag(net_load_mw_, 1);
  if (size_ == 0 || std::isnan(v)) return std::nullopt;
  return v;
}

std::optional<double> FeatureStore::NetLoadAt(absl::Time interval_start) const {
  if (size_ == 0 || !OnGrid(interval_start, interval_) || interval_start >= decision_time()) {
    return std::nullopt;
  }
  const int64_t k = (decision_time() - interval_start) / interval_;
  if (k < 1 || k > static_cast<int64_t>(size_)) return std::nullopt;
  const double v = Lag(net_load_mw_, static_cast<size_t>(k));
  if (std::isnan(v)) return std::nullopt;
  return v;
}

std::vector<float> FeatureStore::Features() const {
  std::vector<float> f;
  f.reserve(FeatureNames().size());
  auto put = [&f](double v) { f.push_back(static_cast<float>(v)); };

  if (size_ == 0) {
    f.assign(FeatureNames().size(), std::numeric_limits<float>::quiet_NaN());
    return f;
  }

  const absl::Time t = decision_time();
  const absl::CivilSecond civil = absl::ToCivilSecond(t, absl::UTCTimeZone());
  const double day_fraction = (civil.hour() * 60 + civil.minute()) / 1440.0;
  const double weekday = static_cast<int>(absl::GetWeekday(civil));  // Monday = 0
  const double year_fraction = (absl::GetYearDay(absl::CivilDay(civil)) - 1) / 365.25;
  put(std::sin(kTwoPi * day_fraction));
  put(std::cos(kTwoPi * day_fraction));
  put(std::sin(kTwoPi * weekday / 7.0));
  put(std::cos(kTwoPi * weekday / 7.0));
  put(std::sin(kTwoPi * year_fraction));
  put(std::cos(kTwoPi * year_fraction));

  auto net = [this](size_t k) { return Lag(net_load_mw_, k); };
  put(net(1));
  for (size_t k = 1; k <= 11; ++k) put(net(k) - net(k + 1));  // NaN propagates
  // Yesterday and last week at the same time of day, in this store's intervals.
  const size_t day = per_day_;
  const size_t week = 7 * per_day_;
  put(net(day) - net(day + 1));
  put(net(week) - net(week + 1));
  put(net(day - 1) - net(day + 1));
  put(net(week - 1) - net(week + 1));

  // Windows of 2, 6 and 24 hours (4, 12 and 48 half-hours).
  const size_t two_hours = day / 12;
  for (size_t window : {two_hours, 3 * two_hours, day}) {
    double sum = 0.0;
    int count = 0;
    for (size_t k = 1; k <= window; ++k) {
      if (!std::isnan(net(k))) {
        sum += net(k);
        ++count;
      }
    }
    const double mean = count > 0 ? sum / count : kNaN;
    double squares = 0.0;
    for (size_t k = 1; k <= window; ++k) {
      if (!std::isnan(net(k))) squares += (net(k) - mean) * (net(k) - mean);
    }
    put(mean);
    put(count >= 2 ? std::sqrt(squares / count) : kNaN);
  }
  put((net(1) - net(4)) / 3.0);

  const double solar = Lag(solar_mw_, 1);
  const double wind = Lag(wind_mw_, 1);
  put(solar);
  put(wind);
  put(solar - Lag(solar_mw_, 2));
  put(wind - Lag(wind_mw_, 2));
  const double gross_mw = net(1) + solar + wind;
  put(gross_mw > 0.0 ? (solar + wind) / gross_mw : kNaN);  // false for NaN

  const absl::CivilSecond local = holidays_.LocalTime(t);
  const double local_day_fraction = (local.hour() * 60 + local.minute()) / 1440.0;
  put(std::sin(kTwoPi * local_day_fraction));
  put(std::cos(kTwoPi * local_day_fraction));
  put(holidays_.IsHolidayAt(t) ? 1.0 : 0.0);

  const double forecast_lag1 = DayAheadAt(t - interval_);
  for (int h = 1; h <= kDayAheadHorizons; ++h) {
    put(DayAheadAt(t + (h - 1) * interval_) - forecast_lag1);
  }
  const double error_lag1 = net(1) - forecast_lag1;
  put(error_lag1);
  put(error_lag1 - (net(2) - DayAheadAt(t - 2 * interval_)));
  return f;
}

}  // namespace gridpilot::forecast
