#include "services/cli/detect_command.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <optional>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "core/anomaly/anomaly.h"
#include "core/anomaly/anomaly_features.h"
#include "core/anomaly/residual_detector.h"
#include "core/anomaly/series_anomaly_detector.h"
#include "core/base/status_macros.h"
#include "core/data/csv_reader.h"
#include "core/ml/isolation_forest.h"

namespace gridpilot {
namespace {

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "gridpilot detect: %s\n", message.c_str());
  return code;
}

// One column of a CSV on a regular time grid.
struct ColumnSeries {
  std::vector<std::string> time_text;   // the time column as written
  std::vector<std::string> value_text;  // the value field as written
  std::vector<double> values;           // NaN = missing
  absl::Duration step;
  int periods_per_day = 0;
  int first_period = 0;  // period of day of row 0 (period 0 starts at UTC midnight)
};

absl::StatusOr<ColumnSeries> LoadColumn(const std::string& path, const std::string& column,
                                        const std::string& time_column) {
  ASSIGN_OR_RETURN(const data::CsvFile file, data::CsvFile::Read(path));
  ASSIGN_OR_RETURN(const size_t value_index, file.ColumnIndex(column));
  ASSIGN_OR_RETURN(const size_t time_index, file.ColumnIndex(time_column));
  if (file.rows().size() < 2) {
    return absl::InvalidArgumentError(absl::StrFormat("%s: needs at least 2 rows", path));
  }
  ColumnSeries s;
  std::optional<absl::Time> first, previous;
  for (const data::CsvRow& row : file.rows()) {
    ASSIGN_OR_RETURN(const absl::Time t, file.RequiredTime(row, time_index));
    if (previous.has_value()) {
      if (*previous == *first) {  // the second row sets the step
        s.step = t - *previous;
        if (s.step <= absl::ZeroDuration() || absl::Hours(24) % s.step != absl::ZeroDuration()) {
          return absl::InvalidArgumentError(absl::StrFormat(
              "%s:%d: step %s from the previous row must be positive and divide a day", path,
              row.line, absl::FormatDuration(s.step)));
        }
      } else if (t - *previous != s.step) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "%s:%d: %s is %s after the previous row, not %s: detect needs a regular series "
            "with no gaps",
            path, row.line, row.fields[time_index], absl::FormatDuration(t - *previous),
            absl::FormatDuration(s.step)));
      }
    }
    if (!first.has_value()) first = t;
    previous = t;
    const std::string& field = row.fields[value_index];
    double value = std::nan("");
    if (!field.empty() && field != "?") {  // "?" is UCI's missing-reading mark
      ASSIGN_OR_RETURN(const std::optional<double> parsed, file.OptionalNumber(row, value_index));
      value = *parsed;
    }
    s.time_text.push_back(row.fields[time_index]);
    s.value_text.push_back(field);
    s.values.push_back(value);
  }
  s.periods_per_day = static_cast<int>(absl::Hours(24) / s.step);
  // A series that starts off the step grid (e.g. at 00:10 with 30-min steps) takes the
  // period it starts in.
  absl::Duration remainder;
  const absl::Duration since_midnight = (*first - absl::UnixEpoch()) % absl::Hours(24);
  s.first_period = static_cast<int>(absl::IDivDuration(since_midnight, s.step, &remainder));
  return s;
}

absl::Status WriteFeatures(const std::string& path, const ColumnSeries& series,
                           const anomaly::AnomalyFeatureMatrix& m) {
  std::ofstream out(path);
  out << "timestamp_utc";
  for (const std::string& name : m.names) out << "," << name;
  out << "\n";
  for (size_t r = 0; r < m.row_count; ++r) {
    out << series.time_text[r];
    for (int f = 0; f < m.feature_count; ++f) {
      const double x = m.row(r)[f];
      out << ",";
      if (!std::isnan(x)) out << absl::StrFormat("%.17g", x);
    }
    out << "\n";
  }
  if (!out) return absl::InternalError(absl::StrFormat("cannot write %s", path));
  return absl::OkStatus();
}

bool ReadNumberOption(const std::map<std::string, std::string>& o, const std::string& key,
                      double* value) {
  auto it = o.find(key);
  return it == o.end() || absl::SimpleAtod(it->second, value);
}

}  // namespace

int RunDetectCommand(const std::map<std::string, std::string>& o) {
  for (const char* required : {"input", "column", "out"}) {
    if (!o.contains(required)) return Fail(2, absl::StrFormat("--%s is required", required));
  }
  const std::string time_column = o.contains("time-column") ? o.at("time-column") : "timestamp_utc";
  ml::IsolationForestOptions forest_options;
  anomaly::ResidualDetectorOptions residual_options;
  double seed = static_cast<double>(forest_options.seed), flat_rows = 0;
  if (!ReadNumberOption(o, "contamination", &forest_options.contamination) ||
      !(forest_options.contamination > 0 && forest_options.contamination <= 0.5)) {
    return Fail(2, "--contamination must be a number in (0, 0.5]");
  }
  if (!ReadNumberOption(o, "residual-threshold", &residual_options.threshold_z) ||
      !(residual_options.threshold_z > 0)) {
    return Fail(2, "--residual-threshold must be a positive number");
  }
  if (!ReadNumberOption(o, "seed", &seed) || !(seed >= 0) || seed != std::floor(seed)) {
    return Fail(2, "--seed must be a non-negative integer");
  }
  forest_options.seed = static_cast<uint64_t>(seed);
  if (!ReadNumberOption(o, "flat-rows", &flat_rows) || flat_rows != std::floor(flat_rows) ||
      (o.contains("flat-rows") && flat_rows < 2)) {
    return Fail(2, "--flat-rows must be an integer >= 2");
  }

  const std::string& input_path = o.at("input");
  const std::string& column = o.at("column");
  absl::StatusOr<ColumnSeries> input = LoadColumn(input_path, column, time_column);
  if (!input.ok()) return Fail(1, std::string(input.status().message()));
  absl::StatusOr<ColumnSeries> train = input;
  if (o.contains("train")) {
    train = LoadColumn(o.at("train"), column, time_column);
    if (!train.ok()) return Fail(1, std::string(train.status().message()));
    if (train->step != input->step) {
      return Fail(1, absl::StrFormat("%s has a step of %s but %s has %s", o.at("train"),
                                     absl::FormatDuration(train->step), input_path,
                                     absl::FormatDuration(input->step)));
    }
  }

  anomaly::SeriesAnomalyOptions options;
  options.forest = forest_options;
  options.residual = residual_options;
  options.residual.periods_per_day = input->periods_per_day;
  options.residual.max_training_flag_share = forest_options.contamination;
  const int rows_per_hour = std::max(1, static_cast<int>(absl::Hours(1) / input->step));
  options.rules.flat_line_min_rows =
      o.contains("flat-rows") ? static_cast<int>(flat_rows) : std::max(4, rows_per_hour);

  const std::string& train_path = o.contains("train") ? o.at("train") : input_path;
  absl::StatusOr<anomaly::SeriesAnomalyDetector> detector =
      anomaly::SeriesAnomalyDetector::Fit(train->values, train->first_period, options);
  if (!detector.ok()) {
    return Fail(
        1, absl::StrFormat("%s: column %s: %s", train_path, column, detector.status().message()));
  }
  absl::StatusOr<std::vector<anomaly::ScoredReading>> scored =
      detector->ScoreAll(input->values, input->first_period);
  if (!scored.ok()) return Fail(1, std::string(scored.status().message()));

  std::ofstream out(o.at("out"));
  out << "timestamp_utc,value,score,is_anomaly,kind,cause\n";
  std::map<anomaly::AnomalyKind, int> kind_counts;
  for (size_t r = 0; r < input->values.size(); ++r) {
    const anomaly::ScoredReading& reading = (*scored)[r];
    const anomaly::AnomalyLabel& label = reading.label;
    ++kind_counts[label.kind];
    out << input->time_text[r] << "," << input->value_text[r] << ","
        << (std::isnan(reading.score) ? std::string() : absl::StrFormat("%.6f", reading.score))
        << "," << (label.kind == anomaly::AnomalyKind::kNone ? 0 : 1) << ","
        << anomaly::AnomalyKindName(label.kind) << "," << label.cause << "\n";
  }
  if (!out) return Fail(1, absl::StrFormat("cannot write %s", o.at("out")));
  if (o.contains("features")) {
    anomaly::AnomalyFeatureOptions feature_options = options.features;
    feature_options.periods_per_day = input->periods_per_day;
    absl::StatusOr<anomaly::AnomalyFeatureMatrix> features =
        anomaly::AnomalyFeatures(input->values, feature_options);
    if (!features.ok()) return Fail(1, std::string(features.status().message()));
    if (absl::Status s = WriteFeatures(o.at("features"), *input, *features); !s.ok()) {
      return Fail(1, std::string(s.message()));
    }
  }

  const size_t train_present = static_cast<size_t>(std::count_if(
      train->values.begin(), train->values.end(), [](double v) { return !std::isnan(v); }));
  const ml::IsolationForest& forest = detector->forest();
  const anomaly::ResidualDetector& residual_detector = detector->residual_detector();
  std::printf("detect %s column %s: %zu rows, step %s, trained on %s (%zu rows with a value)\n",
              input_path.c_str(), column.c_str(), input->values.size(),
              absl::FormatDuration(input->step).c_str(), train_path.c_str(), train_present);
  std::printf("  isolation forest: %d trees, subsample %d, threshold %.4f (contamination %g)\n",
              forest.tree_count(), forest.subsample_size(), forest.threshold(),
              forest_options.contamination);
  std::printf(
      "  residual detector: forecast = median of the same period 1, 7 and 14 days "
      "earlier, |z| >= %.2f (at least %g, at most %g of training flagged); flat line "
      ">= %d rows\n",
      residual_detector.threshold(), options.residual.threshold_z,
      options.residual.max_training_flag_share, options.rules.flat_line_min_rows);
  int flagged = 0;
  std::string by_kind;
  for (const auto& [kind, count] : kind_counts) {
    if (kind == anomaly::AnomalyKind::kNone) continue;
    flagged += count;
    by_kind += absl::StrFormat(" %s %d", anomaly::AnomalyKindName(kind), count);
  }
  std::printf("  flagged %d rows:%s\n  written to %s\n", flagged, by_kind.c_str(),
              o.at("out").c_str());
  return 0;
}

}  // namespace gridpilot
