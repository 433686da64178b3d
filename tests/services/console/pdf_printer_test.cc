// The PDF printer: Debian's headless Chromium prints what the page's scripts drew (after
// their timers ran), and each way a print can fail gives its own error: no Chromium,
// Chromium failing, a file that is not a PDF, a print that outlives its timeout (whose
// process group is killed). The temporary directory never outlives a print.
#include "services/console/pdf_printer.h"

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/services/console/pdf_test_tools.h"

namespace gridpilot {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// True once /proc shows no live process `pid` (gone, or a zombie nobody reaped yet).
bool ProcessEnds(int pid) {
  for (int i = 0; i < 500; ++i) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return true;
    const size_t close = line.rfind(')');
    if (close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z') {
      return true;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  return false;
}

TEST(PdfPrinterTest, PrintsWhatTheScriptsDrewAfterTheirTimers) {
  const std::string dir = FreshTestDir("pdf-printer-draws");
  // The figure appears only after a 3 s timer: printed at once, the page would say
  // "waiting".
  const std::string html =
      "<!doctype html><html><body><p id=\"x\">waiting</p><script>"
      "setTimeout(function () { document.getElementById('x').textContent = "
      "'net 4217.5 drawn'; }, 3000);</script></body></html>";
  PdfPrintOptions options;
  options.temp_parent = dir;
  absl::StatusOr<std::string> pdf = PrintHtmlToPdf(html, options);
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  EXPECT_EQ(pdf->rfind("%PDF-", 0), 0u);
  const std::string text = PdfText(*pdf, dir);
  EXPECT_THAT(text, HasSubstr("net 4217.5 drawn"));
  EXPECT_THAT(text, Not(HasSubstr("waiting")));
  // Only the text file this test wrote is left: the printer's directory is gone.
  int left = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    EXPECT_EQ(entry.path().filename(), "text-of.pdf");
    ++left;
  }
  EXPECT_EQ(left, 1);
}

TEST(PdfPrinterTest, MissingChromiumSaysHowToInstallIt) {
  PdfPrintOptions options;
  options.chromium = "/nonexistent/chromium";
  absl::StatusOr<std::string> pdf = PrintHtmlToPdf("<p>x</p>", options);
  EXPECT_EQ(pdf.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(pdf.status().message(), HasSubstr("/nonexistent/chromium"));
  EXPECT_THAT(pdf.status().message(), HasSubstr("apt-get install chromium"));
  options.chromium = "no-such-chromium-binary";
  EXPECT_EQ(FindChromium(options).status().code(), absl::StatusCode::kNotFound);
}

TEST(PdfPrinterTest, FailingChromiumIsReportedWithItsOutput) {
  const std::string dir = FreshTestDir("pdf-printer-fails");
  PdfPrintOptions options;
  options.temp_parent = dir;
  options.chromium = FakeChromium(dir, "failing", "echo 'cannot open display' >&2; exit 3");
  absl::StatusOr<std::string> pdf = PrintHtmlToPdf("<p>x</p>", options);
  EXPECT_EQ(pdf.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(pdf.status().message(), HasSubstr("exited with 3"));
  EXPECT_THAT(pdf.status().message(), HasSubstr("cannot open display"));

  options.chromium = FakeChromium(dir, "no-output", "exit 0");
  pdf = PrintHtmlToPdf("<p>x</p>", options);
  EXPECT_EQ(pdf.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(pdf.status().message(), HasSubstr("wrote no PDF"));

  options.chromium = FakeChromium(dir, "not-pdf", "echo '<html>' > \"$out\"");
  pdf = PrintHtmlToPdf("<p>x</p>", options);
  EXPECT_EQ(pdf.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(pdf.status().message(), HasSubstr("not a PDF"));

  // The page reached the binary as a file:// URL of a file holding it.
  options.chromium = FakeChromium(
      dir, "copies-page",
      "for a in \"$@\"; do case \"$a\" in file://*) page=\"${a#file://}\";; esac; done\n"
      "{ printf '%%PDF-1.4\\n'; cat \"$page\"; } > \"$out\"");
  pdf = PrintHtmlToPdf("<p>the page 77</p>", options);
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  EXPECT_EQ(*pdf, "%PDF-1.4\n<p>the page 77</p>");
}

TEST(PdfPrinterTest, APrintOverItsTimeoutIsKilledWithItsHelpers) {
  const std::string dir = FreshTestDir("pdf-printer-timeout");
  PdfPrintOptions options;
  options.temp_parent = dir;
  options.timeout = absl::Seconds(1);
  options.script_budget = absl::Milliseconds(100);
  // A helper process in the background, as Chromium's renderer would be.
  options.chromium =
      FakeChromium(dir, "hangs", "sleep 300 & echo $! > " + dir + "/helper.pid\nwait");
  absl::StatusOr<std::string> pdf = PrintHtmlToPdf("<p>x</p>", options);
  EXPECT_EQ(pdf.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(pdf.status().message(), HasSubstr("killed"));
  std::ifstream pid_file(dir + "/helper.pid");
  std::string pid_text;
  ASSERT_TRUE(std::getline(pid_file, pid_text));
  int pid = 0;
  ASSERT_TRUE(absl::SimpleAtoi(pid_text, &pid)) << pid_text;
  EXPECT_TRUE(ProcessEnds(pid)) << "helper " << pid << " outlived the print";
}

TEST(PdfPrinterTest, BadTimingOptionsAreRefused) {
  PdfPrintOptions options;
  options.timeout = absl::Seconds(5);
  options.script_budget = absl::Seconds(5);
  EXPECT_EQ(PrintHtmlToPdf("<p>x</p>", options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace gridpilot
