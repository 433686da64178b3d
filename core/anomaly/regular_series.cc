#include "core/anomaly/regular_series.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace gridpilot::anomaly {

absl::StatusOr<RegularSeries> MakeRegularSeries(const std::vector<LocatedReading>& readings,
                                                size_t max_rows) {
  if (readings.size() < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("needs at least 2 readings, found ", readings.size()));
  }
  if (readings.size() > max_rows) {
    return absl::InvalidArgumentError(
        absl::StrCat("has ", readings.size(), " readings, more than the limit of ", max_rows));
  }
  const absl::Time earliest = absl::FromCivil(absl::CivilSecond(1900, 1, 1), absl::UTCTimeZone());
  const absl::Time latest = absl::FromCivil(absl::CivilSecond(2200, 1, 1), absl::UTCTimeZone());
  RegularSeries s;
  s.times.reserve(readings.size());
  s.values.reserve(readings.size());
  bool any_value = false;
  for (size_t i = 0; i < readings.size(); ++i) {
    const LocatedReading& r = readings[i];
    if (r.time < earliest || r.time >= latest) {
      return absl::InvalidArgumentError(absl::StrCat(r.where, ": time ",
                                                     absl::FormatTime(r.time, absl::UTCTimeZone()),
                                                     " is outside [1900-01-01, 2200-01-01)"));
    }
    if (!std::isnan(r.value)) {
      if (!std::isfinite(r.value) || std::abs(r.value) > kMaxAbsReadingValue) {
        return absl::InvalidArgumentError(
            absl::StrFormat("%s: value %g is not a finite number within +-%g", r.where, r.value,
                            kMaxAbsReadingValue));
      }
      any_value = true;
    }
    if (i == 1) {
      s.step = r.time - readings[0].time;
      if (s.step < absl::Seconds(1) || absl::Hours(24) % s.step != absl::ZeroDuration()) {
        return absl::InvalidArgumentError(absl::StrCat(
            r.where, ": time: step ", absl::FormatDuration(s.step),
            " from the previous reading must be at least 1s, ascending, and divide a day"));
      }
    } else if (i > 1 && r.time - readings[i - 1].time != s.step) {
      return absl::InvalidArgumentError(absl::StrCat(
          r.where, ": time: ", absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", r.time, absl::UTCTimeZone()),
          " is ", absl::FormatDuration(r.time - readings[i - 1].time),
          " after the previous reading, not the series' step of ", absl::FormatDuration(s.step),
          " (readings must be ascending with no gaps)"));
    }
    s.times.push_back(r.time);
    s.values.push_back(r.value);
  }
  if (!any_value) return absl::InvalidArgumentError("has no values (every reading is missing)");
  s.periods_per_day = static_cast<int>(absl::Hours(24) / s.step);
  absl::Duration remainder;
  const absl::Duration since_midnight = (s.times[0] - absl::UnixEpoch()) % absl::Hours(24);
  // Times before 1970 give a negative remainder: move it into [0, 24 h).
  const absl::Duration in_day =
      since_midnight < absl::ZeroDuration() ? since_midnight + absl::Hours(24) : since_midnight;
  s.first_period = static_cast<int>(absl::IDivDuration(in_day, s.step, &remainder));
  return s;
}

}  // namespace gridpilot::anomaly
