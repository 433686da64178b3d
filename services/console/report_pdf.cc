#include "services/console/report_pdf.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "services/console/console_page.h"
#include "services/console/snapshot_query.h"

namespace gridpilot {
namespace {

// Holds one of the `limit` print slots for its lifetime, if one was free.
class PrintSlot {
 public:
  PrintSlot(std::atomic<int>* running, int limit) : running_(running) {
    int now = running_->load();
    while (now < limit) {
      if (running_->compare_exchange_weak(now, now + 1)) {
        held_ = true;
        return;
      }
    }
  }
  ~PrintSlot() {
    if (held_) running_->fetch_sub(1);
  }
  PrintSlot(const PrintSlot&) = delete;
  PrintSlot& operator=(const PrintSlot&) = delete;
  bool held() const { return held_; }

 private:
  std::atomic<int>* running_;
  bool held_ = false;
};

}  // namespace

ReportPdf::ReportPdf(const ConsoleState* state, const WebAssets* assets, ReportPdfOptions options)
    : state_(state), assets_(assets), options_(std::move(options)) {}

absl::Status ReportPdf::CheckOptions(const ReportPdfOptions& options) {
  if (options.max_concurrent < 1 || options.max_concurrent > kMaxConcurrentPdfPrints) {
    return absl::InvalidArgumentError(
        absl::StrCat("concurrent PDF prints (--pdf_max_concurrent): ", options.max_concurrent,
                     " is outside [1, ", kMaxConcurrentPdfPrints, "]"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReportPdf::Print(const std::string& title) {
  if (absl::Status valid = CheckOptions(options_); !valid.ok()) return valid;
  const PrintSlot slot(&running_, options_.max_concurrent);
  if (!slot.held()) {
    return absl::ResourceExhaustedError(absl::StrCat(
        options_.max_concurrent, " PDF prints are already running; try again shortly"));
  }
  absl::StatusOr<std::string> html =
      ReportPageHtml(*assets_, state_->Snapshot(SnapshotQuery{}), title);
  if (!html.ok()) return html.status();
  return PrintHtmlToPdf(*html, options_.print);
}

int ReportPdfHttpStatus(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kUnavailable: return 503;
    default: return 500;
  }
}

}  // namespace gridpilot
