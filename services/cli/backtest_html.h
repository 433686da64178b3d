// BacktestHtmlReport: `gridpilot backtest --html FILE`. After the replay has finished and
// before the launcher stops the stack, Collect reads the run's charts from the processes
// over gRPC, exactly as the web console does (services/console); Write then writes one
// self-contained HTML file: the console's page with the chart library and the data
// inlined, plus the backtest summary table. WritePdf prints that same page to PDF with
// headless Chromium (services/console/pdf_printer.h).
#ifndef GRIDPILOT_SERVICES_CLI_BACKTEST_HTML_H_
#define GRIDPILOT_SERVICES_CLI_BACKTEST_HTML_H_

#include <nlohmann/json.hpp>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/console/console_state.h"

namespace gridpilot {

class BacktestHtmlReport {
 public:
  // Reads the finished run of the stack whose port files are in `run_dir`. Errors as
  // StackFollower::CollectFinishedRun (Unavailable, DeadlineExceeded, NotFound).
  absl::Status Collect(const std::string& run_dir);
  // Writes the report with `summary` (BacktestReportJson) to `path`. NotFound if the web
  // assets are missing (`npm ci` in web/ not run); Unavailable if the file cannot be written.
  absl::Status Write(const nlohmann::json& summary, const std::string& path);
  // The same page as PDF at `path`. Errors as Write, and as PrintHtmlToPdf.
  absl::Status WritePdf(const nlohmann::json& summary, const std::string& path);

 private:
  absl::StatusOr<std::string> Html(const nlohmann::json& summary);

  ConsoleState state_;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CLI_BACKTEST_HTML_H_
