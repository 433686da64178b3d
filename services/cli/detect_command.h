// `gridpilot detect`: offline anomaly detection on one column of a regularly sampled CSV
// (a meter, or a region's demand). Fits an Isolation Forest on the column's features
// (core/anomaly/anomaly_features.h) and a seasonal forecast-residual detector
// (core/anomaly/residual_detector.h) on the training file (the input itself by default), then
// writes for every input row
//   timestamp_utc,value,score,is_anomaly,kind,cause
// Other tools read that file: keep the names. `timestamp_utc` holds the input's time
// column as written; `value` the field as written (empty when missing); `score` in [0, 1],
// higher = more anomalous (empty for a missing value; see RunDetectCommand); `is_anomaly`
// 0 or 1; `kind` one of core/anomaly/anomaly.h's names (empty when not flagged); `cause` a
// one-line reason without commas.
#ifndef GRIDPILOT_SERVICES_CLI_DETECT_COMMAND_H_
#define GRIDPILOT_SERVICES_CLI_DETECT_COMMAND_H_

#include <map>
#include <string>

namespace gridpilot {

// Options (keys without "--"):
//   input, column, out       required
//   time-column              default timestamp_utc; ISO 8601 UTC, one row per fixed step
//                            that divides a day, ascending, no gaps
//   train                    fit on this file (same columns and step) instead of the input
//   contamination            share of training rows the forest flags, (0, 0.5], default 0.01
//   residual-threshold       least |z| that flags false data, default 4; higher when 4 would
//                            flag more than the contamination share of the training rows
//   flat-rows                identical consecutive values that make a flat line; default
//                            the larger of 4 rows and one hour of rows
//   seed                     Isolation Forest seed, default 42
//   features                 also write the feature matrix here (timestamp_utc + features)
// Missing readings: an empty field or UCI's "?" is a missing value; the row is kept, kind
// "missing", no score. Any other non-number is an error naming file, line and column.
// score = the larger of CombinedAnomalyScore and FlatLineScore (core/anomaly/anomaly.h): the
// forest's score, and the residual |z| and the run of identical values mapped onto the
// forest's scale so that each rule's threshold lands on the forest's threshold; so a row
// with a value has score >= the forest's threshold exactly when it is flagged.
// Returns the exit code: 0 done, 1 on a data or I/O error (message on stderr names the
// file, and the line where there is one), 2 on bad arguments.
int RunDetectCommand(const std::map<std::string, std::string>& options);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CLI_DETECT_COMMAND_H_
