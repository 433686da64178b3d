#include "services/forecast/price_book.h"

#include "absl/strings/str_cat.h"
#include "core/time_util.h"

namespace gridpilot {

absl::Status PriceBook::Ingest(absl::Time interval_start,
                               std::optional<double> price_gbp_per_mwh) {
  absl::MutexLock lock(&mu_);
  if (last_interval_.has_value() && interval_start <= *last_interval_) {
    return absl::InvalidArgumentError(
        absl::StrCat("price of ", FormatUtcTimestamp(interval_start), " is not after the last (",
                     FormatUtcTimestamp(*last_interval_), ")"));
  }
  last_interval_ = interval_start;
  profile_.Observe(interval_start, price_gbp_per_mwh);
  // Scores the forecasts of this interval, issued before its price was known.
  if (price_gbp_per_mwh.has_value()) band_.AddMeasurement(interval_start, *price_gbp_per_mwh);

  const absl::Time issue_time = interval_start + kHalfHour;
  IssuedPriceForecast issued;
  issued.issue_time = issue_time;
  issued.price_gbp_per_mwh = profile_.Forecast(issue_time, kHorizonIntervals);
  for (int k = 0; k < kHorizonIntervals; ++k) {
    const absl::Duration horizon = (k + 1) * kHalfHour;
    issued.half_width_gbp.push_back(band_.HalfWidth(horizon));
    band_.AddForecast(horizon, issue_time + k * kHalfHour, issued.price_gbp_per_mwh[k]);
  }
  issued_[issue_time] = std::move(issued);
  while (issued_.size() > kIssuedKept) issued_.erase(issued_.begin());
  return absl::OkStatus();
}

absl::StatusOr<IssuedPriceForecast> PriceBook::Get(std::optional<absl::Time> issue_time) const {
  absl::MutexLock lock(&mu_);
  if (issued_.empty()) return absl::NotFoundError("no price forecast issued yet");
  if (!issue_time.has_value()) return issued_.rbegin()->second;
  auto it = issued_.find(*issue_time);
  if (it == issued_.end()) {
    return absl::NotFoundError(absl::StrCat(
        "no price forecast issued at ", FormatUtcTimestamp(*issue_time), " (kept: ",
        FormatUtcTimestamp(issued_.begin()->first), " to ",
        FormatUtcTimestamp(issued_.rbegin()->first), ")"));
  }
  return it->second;
}

}  // namespace gridpilot
