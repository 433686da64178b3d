// ReportPdf: the console's "PDF" download (GET /report.pdf): the run the console follows,
// as the self-contained report page (console_page.h, ReportPageHtml of the whole
// snapshot) printed by headless Chromium (pdf_printer.h) on request. Each print is a
// Chromium process of a few hundred MB for a few seconds, so at most `max_concurrent`
// run at once; a request beyond that is refused at once (ResourceExhausted), not queued.
// Thread-safe. docs/decisions.md, "PDF reports".
#ifndef GRIDPILOT_SERVICES_CONSOLE_REPORT_PDF_H_
#define GRIDPILOT_SERVICES_CONSOLE_REPORT_PDF_H_

#include <atomic>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/console/console_state.h"
#include "services/console/pdf_printer.h"
#include "services/console/web_assets.h"

namespace gridpilot {

inline constexpr char kReportPdfPath[] = "/report.pdf";
// Largest allowed bound on concurrent prints.
inline constexpr int kMaxConcurrentPdfPrints = 16;

struct ReportPdfOptions {
  int max_concurrent = 2;  // in [1, kMaxConcurrentPdfPrints]
  PdfPrintOptions print;
};

class ReportPdf {
 public:
  // `state` and `assets` are not owned and must outlive this.
  ReportPdf(const ConsoleState* state, const WebAssets* assets, ReportPdfOptions options);

  // InvalidArgument if max_concurrent is outside [1, kMaxConcurrentPdfPrints].
  static absl::Status CheckOptions(const ReportPdfOptions& options);

  // The PDF of the state as it is now, titled `title`. ResourceExhausted when
  // max_concurrent prints are running; otherwise as ReportPageHtml and PrintHtmlToPdf.
  absl::StatusOr<std::string> Print(const std::string& title);

  int running() const { return running_.load(); }

 private:
  const ConsoleState* const state_;
  const WebAssets* const assets_;
  const ReportPdfOptions options_;
  std::atomic<int> running_{0};
};

// The HTTP status for a refused or failed print: 503 when busy, without Chromium or timed
// out (worth retrying, or a deployment problem), 500 otherwise.
int ReportPdfHttpStatus(const absl::Status& status);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CONSOLE_REPORT_PDF_H_
