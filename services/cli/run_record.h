// The run record, RUN_DIR/run.json: the options a backtest was started with, written at
// its start, so `gridpilot backtest --resume RUN_DIR` can start the same run again (with
// the gateway's --resume on the same store) after the launcher itself was killed.
#ifndef GRIDPILOT_SERVICES_CLI_RUN_RECORD_H_
#define GRIDPILOT_SERVICES_CLI_RUN_RECORD_H_

#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace gridpilot {

// RUN_DIR/run.json.
std::string RunRecordPath(const std::string& run_dir);

// Writes {"command":"backtest","options":{key: value}} atomically (temp file, rename).
// Unavailable, naming the file, on failure.
absl::Status WriteRunRecord(const std::string& run_dir,
                            const std::map<std::string, std::string>& options);

// The options written by WriteRunRecord. NotFound if RUN_DIR has no run.json;
// InvalidArgument, naming the file, if it is not such a record.
absl::StatusOr<std::map<std::string, std::string>> ReadRunRecord(const std::string& run_dir);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CLI_RUN_RECORD_H_
