#include "services/forecast/price_book.h"

#include <cmath>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/base/time_util.h"
#include "core/forecast/eval/change_forecast_eval.h"

namespace gridpilot {

absl::Status PriceBook::Ingest(absl::Time interval_start, std::optional<double> price_gbp_per_mwh) {
  absl::MutexLock lock(&mu_);
  if (last_interval_.has_value() && interval_start <= *last_interval_) {
    return absl::InvalidArgumentError(
        absl::StrCat("price of ", base::FormatUtcTimestamp(interval_start),
                     " is not after the last (", base::FormatUtcTimestamp(*last_interval_), ")"));
  }
  last_interval_ = interval_start;
  profile_.Observe(interval_start, price_gbp_per_mwh);
  const absl::Time issue_time = interval_start + interval_;
  // Scores every kept forecast of this interval: horizon k was issued k intervals before
  // it. The price is known from issue_time on.
  // The issue times are walked newest first from one search.
  if (price_gbp_per_mwh.has_value()) {
    auto above = issued_.upper_bound(interval_start);  // the first kept issue time after
    absl::Time issued_at = interval_start;
    for (int k = 0; k < horizon_intervals_; ++k, issued_at -= interval_) {
      while (above != issued_.begin() && std::prev(above)->first > issued_at) --above;
      if (above == issued_.begin()) break;  // nothing kept from issued_at back
      const auto it = std::prev(above);
      if (it->first != issued_at) continue;
      above = it;
      std::deque<ScoredError>& errors = errors_[k];
      errors.push_back({issue_time, std::abs(it->second[k] - *price_gbp_per_mwh)});
      while (errors.size() > static_cast<size_t>(kIntervalWindow) + issued_kept()) {
        errors.pop_front();
      }
    }
  }
  issued_[issue_time] = profile_.Forecast(issue_time, horizon_intervals_);
  while (issued_.size() > issued_kept()) issued_.erase(issued_.begin());
  return absl::OkStatus();
}

absl::StatusOr<IssuedPriceForecast> PriceBook::Get(std::optional<absl::Time> issue_time) const {
  absl::MutexLock lock(&mu_);
  if (issued_.empty()) return absl::NotFoundError("no price forecast issued yet");
  auto it = issue_time.has_value() ? issued_.find(*issue_time) : std::prev(issued_.end());
  if (it == issued_.end()) {
    return absl::NotFoundError(
        absl::StrCat("no price forecast issued at ", base::FormatUtcTimestamp(*issue_time),
                     " (kept: ", base::FormatUtcTimestamp(issued_.begin()->first), " to ",
                     base::FormatUtcTimestamp(issued_.rbegin()->first), ")"));
  }
  IssuedPriceForecast out;
  out.issue_time = it->first;
  out.price_gbp_per_mwh = it->second;
  for (int k = 0; k < horizon_intervals_; ++k) {
    // The last kIntervalWindow errors known at the issue time, and their conformal
    // quantile.
    std::vector<double> known;
    for (auto e = errors_[k].rbegin();
         e != errors_[k].rend() && known.size() < static_cast<size_t>(kIntervalWindow); ++e) {
      if (e->known_at <= out.issue_time) known.push_back(e->abs_error_gbp);
    }
    if (known.size() < static_cast<size_t>(kIntervalMinErrors)) {
      out.half_width_gbp.push_back(std::nullopt);
      continue;
    }
    ASSIGN_OR_RETURN(const double half_width,
                     forecast::eval::ConformalQuantile(std::move(known), kIntervalCoverage));
    out.half_width_gbp.push_back(half_width);
  }
  return out;
}

}  // namespace gridpilot
