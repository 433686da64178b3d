// RegularSeries: a caller's readings checked to be one regularly sampled series, as the
// anomaly detectors need them: ascending, one reading per fixed step that divides a day,
// no gaps. Each reading carries where it came from ("meter.csv:12", "readings[11]") so a
// refusal names it. Pure; the text formats are parsed at the edge
// (services/forecast/readings_text.h).
#ifndef GRIDPILOT_CORE_ANOMALY_REGULAR_SERIES_H_
#define GRIDPILOT_CORE_ANOMALY_REGULAR_SERIES_H_

#include <cmath>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace gridpilot::anomaly {

// Largest |value| accepted, in the caller's unit: beyond any meter or region, and far
// from where doubles lose the precision the features need.
inline constexpr double kMaxAbsReadingValue = 1e12;

struct LocatedReading {
  std::string where;            // "file:line" or "readings[i]", for messages
  absl::Time time;              // interval start, UTC
  double value = std::nan("");  // NaN = missing
};

struct RegularSeries {
  std::vector<absl::Time> times;
  std::vector<double> values;  // NaN = missing
  absl::Duration step;         // > 0, divides 24 h
  int periods_per_day = 0;     // 24 h / step
  int first_period = 0;        // period of day of row 0 (period 0 starts at UTC midnight)
};

// Checks and packs `readings`. InvalidArgument, naming the reading's `where` and the
// field, for: fewer than 2 readings or more than `max_rows`; a time outside
// [1900-01-01, 2200-01-01); a non-finite value or |value| > kMaxAbsReadingValue; a
// first step that is not positive or does not divide a day (and is under 1 s: sub-second
// steps are refused); a later reading not exactly one step after the one before (a gap,
// a duplicate or a reading out of order); a series with no value at all.
absl::StatusOr<RegularSeries> MakeRegularSeries(const std::vector<LocatedReading>& readings,
                                                size_t max_rows);

}  // namespace gridpilot::anomaly

#endif  // GRIDPILOT_CORE_ANOMALY_REGULAR_SERIES_H_
