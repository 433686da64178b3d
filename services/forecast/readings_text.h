// The text forms a caller's readings arrive in (an uploaded file, a program's JSON body),
// parsed into located readings for core/anomaly/regular_series.h. Every refusal names
// the source and where in it: "meter.csv:12: column kwh: \"abc\" is not a number",
// "meter.json:3:14: JSON syntax error ...", "meter.json: readings[11].value: ...".
#ifndef GRIDPILOT_SERVICES_FORECAST_READINGS_TEXT_H_
#define GRIDPILOT_SERVICES_FORECAST_READINGS_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "core/anomaly/regular_series.h"

namespace gridpilot {

// Bounds on one scoring request (docs/decisions.md, "Upload scoring"): the text's bytes
// stay under gRPC's 4 MiB request limit with room for the other fields; the rows keep one
// scoring under about a second on this machine and its reply well under the client's
// 64 MiB receive limit.
inline constexpr size_t kMaxUploadBytes = 4'000'000;
inline constexpr size_t kMaxUploadRows = 100'000;
// Deepest JSON nesting accepted (the documented form needs 3).
inline constexpr int kMaxUploadJsonDepth = 16;

enum class ReadingsTextFormat { kCsv, kJson };

struct ReadingsTextOptions {
  std::string source_name = "upload";  // names the text in messages
  std::string time_column = "timestamp_utc";
  std::string value_column;  // empty: CSV's only column besides the time, JSON's "value"
};

// CSV: header row, comma-separated, no quoting (core/data/csv_reader.h); the time column
// ISO 8601 UTC; an empty value field or "?" is a missing reading.
// JSON: {"readings": [{"<time_column>": "2024-01-01T00:00:00Z", "<value_column>": 1.5},
// ...]} or the bare array; a null or absent value is a missing reading; other keys are
// ignored.
// InvalidArgument naming source, line (CSV; JSON syntax errors also the column) or reading
// index (JSON) and field, for: text over kMaxUploadBytes, more than kMaxUploadRows rows,
// nesting over kMaxUploadJsonDepth, a missing column, a value that is not a number, a time
// that is not ISO 8601 UTC, and the JSON shapes above not met.
absl::StatusOr<std::vector<anomaly::LocatedReading>> ParseReadingsText(
    std::string_view text, ReadingsTextFormat format, const ReadingsTextOptions& options);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_FORECAST_READINGS_TEXT_H_
