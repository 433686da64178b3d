// The console page in its two forms: served live by gridpilot-console (the page loads
// its script, style and chart library from the server and follows /api/stream), and the
// backtest report (one self-contained HTML file: every script and style inlined, the
// data inlined as JSON, nothing fetched). web/console.html holds two markers,
// <!--GRIDPILOT:HEAD--> and <!--GRIDPILOT:BODY-->, that these fill.
#ifndef GRIDPILOT_SERVICES_CONSOLE_CONSOLE_PAGE_H_
#define GRIDPILOT_SERVICES_CONSOLE_CONSOLE_PAGE_H_

#include <nlohmann/json.hpp>
#include <string>

#include "absl/status/statusor.h"
#include "services/console/web_assets.h"

namespace gridpilot {

// URL paths the live page loads its assets from (the server serves them).
inline constexpr char kChartJsPath[] = "/lib/uPlot.iife.min.js";
inline constexpr char kChartCssPath[] = "/lib/uPlot.min.css";
inline constexpr char kPageJsPath[] = "/console.js";
inline constexpr char kPageCssPath[] = "/console.css";

// The live page. InvalidArgument if the template lacks a marker.
absl::StatusOr<std::string> LivePageHtml(const WebAssets& assets);

// The self-contained report of `snapshot` (ConsoleState::Snapshot, with its summary) under
// `title`. Text that would end an inline script early ("</") is escaped.
absl::StatusOr<std::string> ReportPageHtml(const WebAssets& assets, const nlohmann::json& snapshot,
                                           const std::string& title);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CONSOLE_CONSOLE_PAGE_H_
