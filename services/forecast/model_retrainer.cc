#include "services/forecast/model_retrainer.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "core/base/logging.h"
#include "core/base/time_util.h"
#include "core/forecast/models/change_model_registry.h"

namespace gridpilot {

ModelRetrainer::ModelRetrainer(RetrainOptions options, std::vector<data::GridMeasurement> history,
                               std::vector<data::DayAheadForecastRow> day_ahead, absl::Time start,
                               ForecastBook* book, ModelHistory* models,
                               std::function<void(const ServedModel&)> on_swapped)
    : options_(std::move(options)),
      book_(book),
      models_(models),
      on_swapped_(std::move(on_swapped)),
      history_(history.begin(), history.end()),
      day_ahead_(day_ahead.begin(), day_ahead.end()),
      next_cutoff_(forecast::NextRetrainCutoff(options_.schedule, start)) {
  Trim(start);
}

ModelRetrainer::~ModelRetrainer() { JoinTraining(); }

void ModelRetrainer::JoinTraining() {
  if (training_.joinable()) training_.join();
}

bool ModelRetrainer::TrainingRunning() const {
  absl::MutexLock lock(&mu_);
  return !training_done_;
}

void ModelRetrainer::AddDayAheadForecasts(const std::vector<data::DayAheadForecastRow>& rows) {
  if (!next_cutoff_.has_value()) return;
  day_ahead_.insert(day_ahead_.end(), rows.begin(), rows.end());
}

void ModelRetrainer::Trim(absl::Time now) {
  // The next cut-off is after `now`, so its window starts after now - training_days.
  const absl::Time keep_from = now - absl::Hours(24) * (options_.schedule.training_days + 1);
  while (!history_.empty() && history_.front().interval_start < keep_from) history_.pop_front();
  // Vintages are kept by target: a training row reads the vintages of nearby targets.
  std::erase_if(day_ahead_, [&](const data::DayAheadForecastRow& row) {
    return row.target_start < keep_from - absl::Hours(24);
  });
}

void ModelRetrainer::BeforeIssue(const data::GridMeasurement& measured) {
  if (!next_cutoff_.has_value()) return;
  const absl::Time issue = measured.interval_start + options_.interval;
  history_.push_back(measured);
  if (issue < *next_cutoff_) return;
  // The newest cut-off the decision time reached (a gap in the ticks may cross several).
  absl::Time cutoff = *next_cutoff_;
  for (std::optional<absl::Time> later = forecast::NextRetrainCutoff(options_.schedule, cutoff);
       later.has_value() && *later <= issue;
       later = forecast::NextRetrainCutoff(options_.schedule, *later)) {
    cutoff = *later;
  }
  next_cutoff_ = forecast::NextRetrainCutoff(options_.schedule, cutoff);
  if (options_.swap == RetrainSwap::kWhenReady && TrainingRunning()) {
    ++skipped_;
    base::LogWarning(absl::StrCat("retraining for ", base::FormatUtcTimestamp(cutoff),
                                  " skipped: the previous training is still running"));
    return;
  }
  JoinTraining();
  // No look-ahead: intervals that ended by the cut-off, vintages published before it.
  const absl::Time train_from = cutoff - absl::Hours(24) * options_.schedule.training_days;
  std::vector<data::GridMeasurement> history;
  for (const data::GridMeasurement& m : history_) {
    if (m.interval_start >= train_from && m.interval_start + options_.interval <= cutoff) {
      history.push_back(m);
    }
  }
  std::vector<data::DayAheadForecastRow> day_ahead;
  for (const data::DayAheadForecastRow& row : day_ahead_) {
    if (row.published < cutoff) day_ahead.push_back(row);
  }
  Trim(issue);
  {
    absl::MutexLock lock(&mu_);
    training_done_ = false;
    pending_.reset();
  }
  base::LogInfo(absl::StrFormat("retraining for cut-off %s on %d intervals from %s",
                                base::FormatUtcTimestamp(cutoff), history.size(),
                                base::FormatUtcTimestamp(train_from)));
  training_ = std::thread(
      [this, cutoff, history = std::move(history), day_ahead = std::move(day_ahead)]() mutable {
        Trained trained = Train(cutoff, std::move(history), std::move(day_ahead));
        if (options_.swap == RetrainSwap::kWhenReady) {
          // The next ingested tick is the first the new models issue.
          SwapIn(std::move(trained), book_->LatestIssueTime() + options_.interval, 0.0);
          absl::MutexLock lock(&mu_);
          training_done_ = true;
          return;
        }
        absl::MutexLock lock(&mu_);
        pending_.emplace(std::move(trained));
        training_done_ = true;
      });
  if (options_.swap == RetrainSwap::kWhenReady) return;
  // Wall time here only measures how long the ticks waited.
  const absl::Time began = absl::Now();
  JoinTraining();
  std::optional<Trained> trained;
  {
    absl::MutexLock lock(&mu_);
    trained.swap(pending_);
  }
  SwapIn(*std::move(trained), issue, absl::ToDoubleSeconds(absl::Now() - began));
}

ModelRetrainer::Trained ModelRetrainer::Train(
    absl::Time cutoff, std::vector<data::GridMeasurement> history,
    std::vector<data::DayAheadForecastRow> day_ahead) const {
  // Wall time only reports the training's cost.
  const absl::Time began = absl::Now();
  absl::StatusOr<forecast::models::NetLoadChangeForecaster> forecaster =
      forecast::models::NetLoadChangeForecaster::Train(history, options_.horizons, options_.params,
                                                       day_ahead, options_.holidays,
                                                       options_.interval);
  ServedModel record;
  record.source = "retrain";
  record.cutoff = cutoff;
  record.training_wall_seconds = absl::ToDoubleSeconds(absl::Now() - began);
  record.training_intervals = static_cast<int64_t>(history.size());
  record.name = absl::StrFormat(
      "xgboost net-load change h1..h8, retrained on %d intervals before %s (%s schedule)",
      history.size(), base::FormatUtcTimestamp(cutoff),
      forecast::CadenceName(options_.schedule.cadence));
  if (forecaster.ok() && !options_.registry_dir.empty()) {
    const nlohmann::json metadata = {
        {"training_from", history.empty()
                              ? std::string()
                              : base::FormatUtcTimestamp(history.front().interval_start)},
        {"training_to", base::FormatUtcTimestamp(cutoff)},
        {"training_intervals", history.size()},
        {"train_wall_seconds", record.training_wall_seconds},
        {"trainer", "gridpilot-forecast scheduled retraining"}};
    absl::Status published = forecast::models::PublishChangeModelSet(options_.registry_dir,
                                                                     *forecaster, cutoff, metadata);
    if (!published.ok()) {
      // A set already there (a rerun) is the registry's record; this process serves its own.
      base::LogWarning(absl::StrCat("retrained set not published: ", published.message()));
    }
  }
  return Trained{std::move(forecaster), std::move(record)};
}

void ModelRetrainer::SwapIn(Trained trained, absl::Time first_issue, double waited_wall_seconds) {
  if (!trained.forecaster.ok()) {
    base::LogError(absl::StrCat(
        "retraining for ", base::FormatUtcTimestamp(trained.record.cutoff),
        " failed; the old models keep serving: ", trained.forecaster.status().message()));
    return;
  }
  if (absl::Status swapped = book_->SwapForecaster(*std::move(trained.forecaster)); !swapped.ok()) {
    base::LogError(absl::StrCat("retrained models not swapped in: ", swapped.message()));
    return;
  }
  trained.record.first_issue = first_issue;
  trained.record.waited_wall_seconds = waited_wall_seconds;
  base::LogInfo(absl::StrFormat("swapped in %s from %s (trained in %.1f s, ticks waited %.1f s)",
                                trained.record.name, base::FormatUtcTimestamp(first_issue),
                                trained.record.training_wall_seconds, waited_wall_seconds));
  models_->Add(trained.record);
  if (on_swapped_) on_swapped_(trained.record);
}

}  // namespace gridpilot
