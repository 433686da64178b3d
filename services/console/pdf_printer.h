// PrintHtmlToPdf: one HTML page printed to PDF by Debian's headless Chromium
// (`chromium --headless --print-to-pdf`). Used for `gridpilot backtest --pdf` and the
// console's /report.pdf; both print the self-contained report page (console_page.h).
//
// Contract: the page is written to a fresh private temporary directory together with a
// throw-away Chromium profile; Chromium runs in its own process group with no network
// (every host name resolves to nothing) and --virtual-time-budget, so the page's scripts
// (the charts) finish before printing; the whole group is killed if it outlives the
// timeout. The directory is removed afterwards, whatever happened. Thread-safe (no shared
// state); the caller bounds how many run at once. docs/decisions.md, "PDF reports".
#ifndef GRIDPILOT_SERVICES_CONSOLE_PDF_PRINTER_H_
#define GRIDPILOT_SERVICES_CONSOLE_PDF_PRINTER_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace gridpilot {

// Largest page accepted and largest PDF returned, bytes.
inline constexpr size_t kMaxPrintHtmlBytes = size_t{256} << 20;
inline constexpr size_t kMaxPdfBytes = size_t{256} << 20;

struct PdfPrintOptions {
  // The Chromium binary: a path, or a name looked up on $PATH. Empty: $GRIDPILOT_CHROMIUM
  // if set, else the first of "chromium", "chromium-browser" found on $PATH.
  std::string chromium;
  // Wall-clock limit on the whole print; the process group is killed after it.
  absl::Duration timeout = absl::Seconds(120);
  // Virtual time the page's scripts get before printing (--virtual-time-budget); the
  // report draws its charts on load, so this is generous.
  absl::Duration script_budget = absl::Seconds(10);
  // Where the temporary directory is made; empty: $TMPDIR, else /tmp.
  std::string temp_parent;
};

// The Chromium binary `options` names, as an absolute path. NotFound if there is none,
// saying how to install Debian's chromium.
absl::StatusOr<std::string> FindChromium(const PdfPrintOptions& options);

// The PDF of `html`. NotFound (no Chromium), InvalidArgument (page over
// kMaxPrintHtmlBytes or bad options), DeadlineExceeded (timeout), Internal (Chromium
// failed: its exit and the end of its output; or the output is not a PDF),
// OutOfRange (PDF over kMaxPdfBytes), Unavailable (temporary files).
absl::StatusOr<std::string> PrintHtmlToPdf(const std::string& html,
                                           const PdfPrintOptions& options = {});

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CONSOLE_PDF_PRINTER_H_
