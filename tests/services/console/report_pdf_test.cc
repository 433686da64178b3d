// The console's PDF download: the state the console holds reaches the printed page, and
// no more than the bound of prints run at once (one beyond it is refused, not queued).
#include "services/console/report_pdf.h"

#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/services/console/console_test_assets.h"
#include "tests/services/console/pdf_test_tools.h"

namespace gridpilot {
namespace {

using ::testing::HasSubstr;

TEST(ReportPdfTest, PrintsTheStateTheConsoleHolds) {
  const std::string dir = FreshTestDir("report-pdf-state");
  // The page's script writes the inlined summary into the page, as console.js does.
  const WebAssets assets = MinimalWebAssets(
      "document.body.textContent = 'net gbp ' + window.GRIDPILOT_REPORT.summary.net_gbp;", "", "",
      "");
  ConsoleState state;
  state.SetSummary({{"net_gbp", 98765.25}});
  ReportPdfOptions options;
  options.print.temp_parent = dir;
  ReportPdf report(&state, &assets, options);
  absl::StatusOr<std::string> pdf = report.Print("t");
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  EXPECT_THAT(PdfText(*pdf, dir), HasSubstr("net gbp 98765.25"));
  EXPECT_EQ(report.running(), 0);
}

TEST(ReportPdfTest, PrintsBeyondTheBoundAreRefused) {
  const std::string dir = FreshTestDir("report-pdf-bound");
  const WebAssets assets = MinimalWebAssets("", "", "", "");
  ConsoleState state;
  ReportPdfOptions options;
  options.max_concurrent = 1;
  options.print.temp_parent = dir;
  // Prints only once the test creates the gate file.
  const std::string gate = dir + "/gate";
  options.print.chromium = FakeChromium(
      dir, "gated", "while [ ! -e " + gate + " ]; do sleep 0.05; done\necho '%PDF-1.4' > \"$out\"");
  ReportPdf report(&state, &assets, options);
  absl::StatusOr<std::string> first = absl::UnknownError("not run");
  std::thread printing([&] { first = report.Print("t"); });
  while (report.running() == 0) absl::SleepFor(absl::Milliseconds(5));
  absl::StatusOr<std::string> second = report.Print("t");
  EXPECT_EQ(second.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ReportPdfHttpStatus(second.status()), 503);
  std::ofstream(gate).close();
  printing.join();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->rfind("%PDF-1.4", 0), 0u);
  // The slot is free again.
  EXPECT_TRUE(report.Print("t").ok());
}

TEST(ReportPdfTest, TheBoundMustBeSensible) {
  ReportPdfOptions options;
  options.max_concurrent = 0;
  EXPECT_EQ(ReportPdf::CheckOptions(options).code(), absl::StatusCode::kInvalidArgument);
  options.max_concurrent = kMaxConcurrentPdfPrints + 1;
  EXPECT_EQ(ReportPdf::CheckOptions(options).code(), absl::StatusCode::kInvalidArgument);
  options.max_concurrent = 2;
  EXPECT_TRUE(ReportPdf::CheckOptions(options).ok());
  EXPECT_EQ(ReportPdfHttpStatus(absl::NotFoundError("no chromium")), 503);
  EXPECT_EQ(ReportPdfHttpStatus(absl::InternalError("crashed")), 500);
}

}  // namespace
}  // namespace gridpilot
