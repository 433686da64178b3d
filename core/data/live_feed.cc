#include "core/data/live_feed.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/base/time_util.h"

namespace gridpilot::data {
namespace {

constexpr absl::Duration kTripRecovery = absl::Minutes(5);
constexpr absl::Duration kCloudOnset = absl::Minutes(2);
constexpr absl::Duration kCloudRecovery = absl::Minutes(10);

// Share (0..1) of an event's magnitude acting at time x.
double EventShare(const FeedEvent& e, absl::Time x) {
  if (x < e.at) return 0.0;
  const absl::Duration onset =
      e.kind == FeedEventKind::kCloudFront ? kCloudOnset : absl::ZeroDuration();
  const absl::Duration recovery =
      e.kind == FeedEventKind::kCloudFront ? kCloudRecovery : kTripRecovery;
  const absl::Duration since = x - e.at;
  if (since < onset) return absl::FDivDuration(since, onset);
  if (since < e.duration) return 1.0;
  const absl::Duration recovering = since - e.duration;
  if (recovering >= recovery) return 0.0;
  return 1.0 - absl::FDivDuration(recovering, recovery);
}

// Linear interpolation of one field between the series' interval centres at time x.
std::optional<double> Interpolate(const GridSeries& series, absl::Time x,
                                  std::optional<double> GridInterval::*field) {
  const absl::Time first_centre = series.start() + series.interval() / 2;
  const double position =
      absl::FDivDuration(x - first_centre, series.interval());  // in intervals from centre 0
  const double floor = std::floor(position);
  const long last = static_cast<long>(series.size()) - 1;
  const long i = std::clamp(static_cast<long>(floor), 0L, last);
  const long j = std::clamp(static_cast<long>(floor) + 1, 0L, last);
  const std::optional<double>& a = series.at(static_cast<size_t>(i)).*field;
  const std::optional<double>& b = series.at(static_cast<size_t>(j)).*field;
  if (!a.has_value()) return b;
  if (!b.has_value()) return a;
  const double w = std::clamp(position - floor, 0.0, 1.0);
  return *a + (*b - *a) * w;
}

}  // namespace

std::string FeedEventKindName(FeedEventKind kind) {
  return kind == FeedEventKind::kCloudFront ? "cloud_front" : "generator_trip";
}

absl::Status LiveFeedConfig::Validate() const {
  if (step <= absl::ZeroDuration() || (base::kHalfHour / step) * step != base::kHalfHour) {
    return absl::InvalidArgumentError("live.step_seconds must be > 0 and divide 30 minutes");
  }
  if (!(noise_sd_mw >= 0.0) || !std::isfinite(noise_sd_mw)) {
    return absl::InvalidArgumentError("live.noise_sd_mw must be >= 0");
  }
  if (noise_correlation <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("live.noise_correlation_seconds must be > 0");
  }
  if (!(random_events_per_hour >= 0.0) || !std::isfinite(random_events_per_hour)) {
    return absl::InvalidArgumentError("live.random_events_per_hour must be >= 0");
  }
  for (size_t i = 0; i < events.size(); ++i) {
    if (!(events[i].magnitude_mw > 0.0) || !std::isfinite(events[i].magnitude_mw)) {
      return absl::InvalidArgumentError(
          absl::StrCat("live.events[", i, "].magnitude_mw must be > 0"));
    }
    if (events[i].duration < absl::ZeroDuration()) {
      return absl::InvalidArgumentError(
          absl::StrCat("live.events[", i, "].duration_min must be >= 0"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<LiveFeed> LiveFeed::Create(GridSeries region_series, absl::Time from, absl::Time to,
                                          LiveFeedConfig config) {
  if (absl::Status valid = config.Validate(); !valid.ok()) return valid;
  if ((region_series.interval() / config.step) * config.step != region_series.interval()) {
    return absl::InvalidArgumentError(
        absl::StrCat("live.step_seconds must divide the series' interval of ",
                     absl::FormatDuration(region_series.interval())));
  }
  if (!region_series.IndexOf(from).has_value() || to > region_series.end() || to <= from) {
    return absl::InvalidArgumentError(absl::StrCat(
        "live feed span ", base::FormatUtcTimestamp(from), " to ", base::FormatUtcTimestamp(to),
        " is not on the half-hour grid inside the data (",
        base::FormatUtcTimestamp(region_series.start()), " to ",
        base::FormatUtcTimestamp(region_series.end()), ")"));
  }
  std::vector<FeedEvent> events = config.events;
  if (config.random_events_per_hour > 0.0) {
    std::mt19937_64 draw(config.seed ^ 0x9e3779b97f4a7c15ULL);
    std::exponential_distribution<double> gap_hours(config.random_events_per_hour);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    for (absl::Time at = from + absl::Hours(gap_hours(draw)); at < to;
         at += absl::Hours(gap_hours(draw))) {
      FeedEvent e;
      e.at = at;
      if (unit(draw) < 0.5) {
        e.kind = FeedEventKind::kGeneratorTrip;
        e.magnitude_mw = 5.0 + 10.0 * unit(draw);
        e.duration = absl::Minutes(10 + 20 * unit(draw));
      } else {
        e.kind = FeedEventKind::kCloudFront;
        e.magnitude_mw = 10.0 + 20.0 * unit(draw);
        e.duration = absl::Minutes(10 + 30 * unit(draw));
      }
      events.push_back(e);
    }
  }
  std::sort(events.begin(), events.end(),
            [](const FeedEvent& a, const FeedEvent& b) { return a.at < b.at; });
  return LiveFeed(std::move(region_series), from, to, std::move(config), std::move(events));
}

LiveFeed::LiveFeed(GridSeries series, absl::Time from, absl::Time to, LiveFeedConfig config,
                   std::vector<FeedEvent> events)
    : series_(std::move(series)),
      to_(to),
      config_(std::move(config)),
      events_(std::move(events)),
      next_start_(from),
      rng_(config_.seed) {}

absl::StatusOr<FeedReading> LiveFeed::Next() {
  if (Done()) {
    return absl::OutOfRangeError(
        absl::StrCat("live feed: no step after ", base::FormatUtcTimestamp(to_)));
  }
  FeedReading r;
  r.start = next_start_;
  next_start_ += config_.step;
  const absl::Time middle = r.start + config_.step / 2;
  r.net_load_mw = Interpolate(series_, middle, &GridInterval::net_load_mw);
  r.embedded_solar_mw = Interpolate(series_, middle, &GridInterval::embedded_solar_mw);
  r.embedded_wind_mw = Interpolate(series_, middle, &GridInterval::embedded_wind_mw);
  const absl::Time interval_start = r.start - (r.start - series_.start()) % series_.interval();
  r.price_gbp_per_mwh = series_.at(*series_.IndexOf(interval_start)).price_gbp_per_mwh;

  // AR(1) noise, advanced every step whether or not the reading is present.
  const double phi = std::exp(-absl::FDivDuration(config_.step, config_.noise_correlation));
  std::normal_distribution<double> normal(0.0, 1.0);
  noise_mw_ = phi * noise_mw_ + config_.noise_sd_mw * std::sqrt(1.0 - phi * phi) * normal(rng_);

  if (!r.net_load_mw.has_value()) return r;
  double net_mw = *r.net_load_mw + noise_mw_;
  for (const FeedEvent& e : events_) {
    if (e.at > middle) break;
    const double share = EventShare(e, middle);
    if (share <= 0.0) continue;
    double lost_mw = e.magnitude_mw * share;
    if (e.kind == FeedEventKind::kCloudFront) {
      const double solar_mw = r.embedded_solar_mw.value_or(0.0);
      lost_mw = std::min(lost_mw, solar_mw);
      if (r.embedded_solar_mw.has_value()) *r.embedded_solar_mw = solar_mw - lost_mw;
    }
    net_mw += lost_mw;
    absl::StrAppend(&r.event, r.event.empty() ? "" : "; ",
                    absl::StrFormat("%s since %s: %+.1f MW of net load", FeedEventKindName(e.kind),
                                    base::FormatUtcTimestamp(e.at), lost_mw));
  }
  r.net_load_mw = net_mw;
  return r;
}

}  // namespace gridpilot::data
