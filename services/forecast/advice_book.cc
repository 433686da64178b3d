#include "services/forecast/advice_book.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "core/advice/half_hour_series.h"
#include "core/base/time_util.h"

namespace gridpilot {

absl::Status AdviceBook::Ingest(const data::GridMeasurement& measurement) {
  const absl::Time start = advice::FloorToHalfHour(measurement.interval_start);
  absl::MutexLock lock(&mu_);
  if (!held_.empty() && start <= held_.rbegin()->first) {
    return absl::InvalidArgumentError(absl::StrCat(
        "advice: interval ", base::FormatUtcTimestamp(start), " is not after the last one held, ",
        base::FormatUtcTimestamp(held_.rbegin()->first)));
  }
  held_[start] = {measurement.net_load_mw, measurement.price_gbp_per_mwh};
  const absl::Time oldest_kept = start - advice::kHalfHour * (kDaysKept * 48 - 1);
  while (held_.begin()->first < oldest_kept) held_.erase(held_.begin());
  return absl::OkStatus();
}

absl::StatusOr<BookAdvice> AdviceBook::Advise(std::optional<absl::Time> day,
                                              const advice::AdviceOptions& options) const {
  if (options.unit != advice::PowerUnit::kMegawatt) {
    return absl::InvalidArgumentError("the region's advice is in MW");
  }
  advice::HalfHourSeries load;
  advice::HalfHourSeries prices;
  absl::Time latest;
  {
    absl::MutexLock lock(&mu_);
    if (held_.empty()) return absl::FailedPreconditionError("advice: no interval received yet");
    latest = held_.rbegin()->first;
    load.start = prices.start = held_.begin()->first;
    const int64_t size = (latest - load.start) / advice::kHalfHour + 1;
    load.values.resize(static_cast<size_t>(size));
    prices.values.resize(static_cast<size_t>(size));
    for (const auto& [start, values] : held_) {
      const size_t i = static_cast<size_t>((start - load.start) / advice::kHalfHour);
      load.values[i] = values.first;
      prices.values[i] = values.second;
    }
  }
  const absl::Time tomorrow = advice::FloorToDay(latest) + absl::Hours(24);
  const absl::Time advised = day.has_value() ? advice::FloorToDay(*day) : tomorrow;
  if (advised > tomorrow) {
    return absl::InvalidArgumentError(absl::StrCat(
        "advice: day ", base::FormatUtcTimestamp(advised),
        " is more than one day past the latest interval held, ", base::FormatUtcTimestamp(latest)));
  }
  absl::StatusOr<advice::DayAdvice> result =
      advice::AdviseDay(load, {&prices, nullptr}, advised, options);
  if (!result.ok()) return result.status();
  return BookAdvice{*std::move(result), std::min(latest, advised - advice::kHalfHour)};
}

}  // namespace gridpilot
