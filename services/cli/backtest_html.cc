#include "services/cli/backtest_html.h"

#include <fstream>
#include <limits>

#include "absl/strings/str_cat.h"
#include "services/console/console_page.h"
#include "services/console/pdf_printer.h"
#include "services/console/stack_addresses.h"
#include "services/console/stack_follower.h"
#include "services/console/web_assets.h"

namespace gridpilot {

absl::Status BacktestHtmlReport::Collect(const std::string& run_dir) {
  absl::StatusOr<StackAddresses> addresses = ReadStackAddresses(run_dir);
  if (!addresses.ok()) return addresses.status();
  StackFollowerOptions options;
  // A report shows the whole run: every event and anomaly the agents still hold.
  options.events_limit = std::numeric_limits<int32_t>::max();
  options.anomalies_limit = std::numeric_limits<int32_t>::max();
  options.decisions_limit = 1000;
  return StackFollower::CollectFinishedRun(*addresses, &state_, absl::Minutes(2), options);
}

absl::StatusOr<std::string> BacktestHtmlReport::Html(const nlohmann::json& summary) {
  absl::StatusOr<WebAssets> assets = LoadWebAssets(DefaultWebDir());
  if (!assets.ok()) return assets.status();
  state_.SetSummary(summary);
  return ReportPageHtml(*assets, state_.Snapshot(SnapshotQuery{}),
                        absl::StrCat("gridpilot backtest ", summary.value("from", ""), " .. ",
                                     summary.value("to", "")));
}

namespace {

absl::Status WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
  out.close();
  if (!out) return absl::UnavailableError(absl::StrCat(path, ": cannot write"));
  return absl::OkStatus();
}

}  // namespace

absl::Status BacktestHtmlReport::Write(const nlohmann::json& summary, const std::string& path) {
  absl::StatusOr<std::string> html = Html(summary);
  if (!html.ok()) return html.status();
  return WriteFile(path, *html);
}

absl::Status BacktestHtmlReport::WritePdf(const nlohmann::json& summary, const std::string& path) {
  absl::StatusOr<std::string> html = Html(summary);
  if (!html.ok()) return html.status();
  absl::StatusOr<std::string> pdf = PrintHtmlToPdf(*html);
  if (!pdf.ok()) return pdf.status();
  return WriteFile(path, *pdf);
}

}  // namespace gridpilot
