#include "services/forecast/forecast_book.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "core/base/logging.h"
#include "core/base/status_macros.h"
#include "core/base/time_util.h"

namespace gridpilot {
namespace {

// Forecasts are kept for this many issue times: enough for every horizon to be scored
// and for a slow agent to fetch an older one.
constexpr size_t kIssuedKept = 512;

}  // namespace

ForecastBook::ForecastBook(forecast::models::NetLoadChangeForecaster forecaster,
                           const std::vector<data::GridMeasurement>& history,
                           const std::vector<data::DayAheadForecastRow>& day_ahead,
                           const base::HolidayCalendar& holidays, absl::Duration interval)
    : interval_(interval), store_(holidays, interval), day_ahead_(day_ahead) {
  absl::MutexLock lock(&mu_);
  forecaster_ =
      std::make_shared<const forecast::models::NetLoadChangeForecaster>(std::move(forecaster));
  for (const data::GridMeasurement& m : history) {
    absl::Status pushed = store_.Push(m);
    if (!pushed.ok()) base::LogWarning(absl::StrCat("history: ", pushed.message()));
  }
  if (!history.empty()) {
    absl::Status pushed = day_ahead_.PushPublishedBefore(store_);
    if (!pushed.ok()) base::LogWarning(absl::StrCat("day-ahead forecast: ", pushed.message()));
  }
  for (int h : forecaster_->horizons()) scores_.push_back({h, 0, 0.0, 0.0});
}

void ForecastBook::ScoreTarget(absl::Time interval_start, double actual_net_load_mw) {
  for (size_t i = 0; i < scores_.size(); ++i) {
    const absl::Time issue = interval_start - (scores_[i].horizon_intervals - 1) * interval_;
    auto it = issued_.find(issue);
    if (it == issued_.end() || i >= it->second.forecasts.size()) continue;
    const double actual_change = actual_net_load_mw - it->second.last_net_load_mw;
    HorizonScore& score = scores_[i];
    ++score.count;
    score.abs_error_sum_mw += std::abs(actual_change - it->second.forecasts[i].change_mw);
    score.persistence_abs_error_sum_mw += std::abs(actual_change);
  }
}

void ForecastBook::AddDayAheadForecasts(const std::vector<data::DayAheadForecastRow>& day_ahead) {
  absl::MutexLock lock(&mu_);
  day_ahead_.Add(day_ahead);
}

absl::Status ForecastBook::Ingest(const data::GridMeasurement& measurement) {
  absl::MutexLock lock(&mu_);
  absl::Status pushed = store_.Push(measurement);
  if (!pushed.ok()) return pushed;
  RETURN_IF_ERROR(day_ahead_.PushPublishedBefore(store_));
  if (measurement.net_load_mw.has_value()) {
    ScoreTarget(measurement.interval_start, *measurement.net_load_mw);
    band_.AddMeasurement(measurement.interval_start, *measurement.net_load_mw);
  }
  const absl::Time issue_time = store_.decision_time();
  latest_issue_ = issue_time;
  std::optional<double> base = store_.last_net_load_mw();
  if (base.has_value()) {
    std::vector<float> features = store_.Features();
    absl::StatusOr<std::vector<forecast::models::ChangeForecast>> forecasts =
        forecaster_->Forecast(store_, features);
    if (forecasts.ok()) {
      // Each interval is what the errors known now say: taken before this one is added.
      std::vector<std::optional<double>> half_widths;
      for (const forecast::models::ChangeForecast& f : *forecasts) {
        const absl::Duration horizon = f.horizon_intervals * interval_;
        half_widths.push_back(band_.HalfWidth(horizon));
        band_.AddForecast(horizon, f.target_interval_start, *base + f.change_mw);
      }
      issued_[issue_time] = IssuedForecast{
          issue_time,          *base,      *std::move(forecasts), std::move(half_widths),
          std::move(features), forecaster_};
    } else {
      base::LogWarning(absl::StrCat("no forecast at ", base::FormatUtcTimestamp(issue_time), ": ",
                                    forecasts.status().message()));
    }
  }
  while (issued_.size() > kIssuedKept) issued_.erase(issued_.begin());
  return absl::OkStatus();
}

absl::StatusOr<IssuedForecast> ForecastBook::Get(absl::Time issue_time,
                                                 absl::Duration max_wait) const {
  absl::MutexLock lock(&mu_);
  auto arrived = [this, issue_time]()
                     ABSL_NO_THREAD_SAFETY_ANALYSIS { return latest_issue_ >= issue_time; };
  // max_wait is wall time: it bounds how long a caller waits for the tick to reach us.
  if (!mu_.AwaitWithTimeout(absl::Condition(&arrived), max_wait)) {
    return absl::DeadlineExceededError(absl::StrCat(
        "no forecast issued at ", base::FormatUtcTimestamp(issue_time), " yet; latest is ",
        latest_issue_ == absl::InfinitePast() ? "none" : base::FormatUtcTimestamp(latest_issue_)));
  }
  auto it = issued_.find(issue_time);
  if (it == issued_.end()) {
    return absl::NotFoundError(absl::StrCat("no forecast was issued at ",
                                            base::FormatUtcTimestamp(issue_time),
                                            " (too old, or its measurement was missing)"));
  }
  return it->second;
}

std::vector<HorizonScore> ForecastBook::Scores() const {
  absl::MutexLock lock(&mu_);
  return scores_;
}

absl::StatusOr<std::vector<HorizonExplanation>> ForecastBook::Explain(absl::Time issue_time,
                                                                      int top_k) const {
  if (top_k < 1) return absl::InvalidArgumentError("top_k must be >= 1");
  ASSIGN_OR_RETURN(const IssuedForecast issued, Get(issue_time, absl::ZeroDuration()));
  // Outside the lock: XGBoost computes the contributions (tens of microseconds each).
  ASSIGN_OR_RETURN(const std::vector<std::vector<double>> contributions,
                   issued.model->Contributions(issued.features));
  std::vector<HorizonExplanation> out;
  for (size_t j = 0; j < contributions.size(); ++j) {
    ASSIGN_OR_RETURN(ml::Explanation e,
                     ml::ExplainContributions(forecast::FeatureStore::FeatureNames(),
                                              issued.features, contributions[j], top_k));
    out.push_back({issued.model->horizons()[j], std::move(e)});
  }
  return out;
}

absl::Status ForecastBook::SwapForecaster(forecast::models::NetLoadChangeForecaster forecaster) {
  absl::MutexLock lock(&mu_);
  if (forecaster.horizons() != forecaster_->horizons()) {
    return absl::InvalidArgumentError(
        "the new models forecast other horizons than the running ones");
  }
  forecaster_ =
      std::make_shared<const forecast::models::NetLoadChangeForecaster>(std::move(forecaster));
  return absl::OkStatus();
}

absl::Time ForecastBook::LatestIssueTime() const {
  absl::MutexLock lock(&mu_);
  return latest_issue_;
}

}  // namespace gridpilot
