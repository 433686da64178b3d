#include "services/console/pdf_printer.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"

namespace gridpilot {
namespace {

constexpr size_t kLogTailBytes = 600;

bool IsExecutable(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// `name` as an absolute executable path: itself if it holds a '/', else the first hit on
// $PATH. Empty if none.
std::string Resolve(const std::string& name) {
  if (name.find('/') != std::string::npos) {
    return IsExecutable(name) ? std::filesystem::absolute(name).string() : "";
  }
  const char* path = std::getenv("PATH");
  for (absl::string_view dir :
       absl::StrSplit(path != nullptr ? path : "/usr/bin:/bin", ':', absl::SkipEmpty())) {
    const std::string candidate = absl::StrCat(dir, "/", name);
    if (IsExecutable(candidate)) return std::filesystem::absolute(candidate).string();
  }
  return "";
}

// Removes a directory tree when it goes out of scope.
class TempDir {
 public:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string Tail(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.size() > kLogTailBytes) text = "..." + text.substr(text.size() - kLogTailBytes);
  return text;
}

}  // namespace

absl::StatusOr<std::string> FindChromium(const PdfPrintOptions& options) {
  std::vector<std::string> names;
  if (!options.chromium.empty()) {
    names.push_back(options.chromium);
  } else if (const char* env = std::getenv("GRIDPILOT_CHROMIUM"); env != nullptr && *env) {
    names.push_back(env);
  } else {
    names = {"chromium", "chromium-browser"};
  }
  for (const std::string& name : names) {
    if (std::string found = Resolve(name); !found.empty()) return found;
  }
  return absl::NotFoundError(absl::StrCat(
      "headless Chromium not found (looked for ", absl::StrJoin(names, ", "),
      options.chromium.empty() ? " on $PATH; $GRIDPILOT_CHROMIUM names another binary" : "",
      "): install Debian's chromium (apt-get install chromium, or deploy/install-deps.sh)"));
}

absl::StatusOr<std::string> PrintHtmlToPdf(const std::string& html,
                                           const PdfPrintOptions& options) {
  if (html.size() > kMaxPrintHtmlBytes) {
    return absl::InvalidArgumentError(absl::StrCat("page of ", html.size(),
                                                   " bytes is over the print limit of ",
                                                   kMaxPrintHtmlBytes, " bytes"));
  }
  if (options.timeout <= absl::ZeroDuration() || options.script_budget <= absl::ZeroDuration() ||
      options.script_budget >= options.timeout) {
    return absl::InvalidArgumentError(
        "PDF print: the script budget and the timeout must be positive, the budget below the "
        "timeout");
  }
  absl::StatusOr<std::string> chromium = FindChromium(options);
  if (!chromium.ok()) return chromium.status();

  std::string parent = options.temp_parent;
  if (parent.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    parent = tmp != nullptr && *tmp ? tmp : "/tmp";
  }
  std::string pattern = parent + "/gridpilot-pdf-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    return absl::UnavailableError(
        absl::StrCat(parent, ": cannot make a temporary directory: ", std::strerror(errno)));
  }
  const TempDir dir(pattern);  // mode 0700 (mkdtemp)
  const std::string page_path = dir.path() + "/report.html";
  const std::string pdf_path = dir.path() + "/report.pdf";
  const std::string log_path = dir.path() + "/chromium.log";
  {
    std::ofstream out(page_path, std::ios::binary);
    out << html;
    out.close();
    if (!out) return absl::UnavailableError(absl::StrCat(page_path, ": cannot write"));
  }

  // Everything the child needs is made before fork: between fork and exec only
  // async-signal-safe calls (the caller may be multi-threaded).
  std::vector<std::string> args = {
      *chromium,
      "--headless",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-extensions",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--no-default-browser-check",
      "--mute-audio",
      "--hide-scrollbars",
      // The printable width of A4 landscape with 10 mm margins (web/console.css, @page):
      // the charts are drawn at the width they are printed at.
      "--window-size=1047,1400",
      // The page is self-contained; nothing it might name is fetched.
      "--host-resolver-rules=MAP * ~NOTFOUND",
      absl::StrCat("--user-data-dir=", dir.path(), "/profile"),
      "--run-all-compositor-stages-before-draw",
      absl::StrCat("--virtual-time-budget=", absl::ToInt64Milliseconds(options.script_budget)),
      "--no-pdf-header-footer",
      absl::StrCat("--print-to-pdf=", pdf_path),
  };
  // Chromium's sandbox cannot start as root; as another user it stays on.
  if (::geteuid() == 0) args.insert(args.begin() + 1, "--no-sandbox");
  args.push_back(absl::StrCat("file://", page_path));
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (log_fd < 0 || null_fd < 0) {
    if (log_fd >= 0) ::close(log_fd);
    if (null_fd >= 0) ::close(null_fd);
    return absl::UnavailableError(absl::StrCat(log_path, ": cannot open"));
  }
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    ::close_range(3, ~0U, 0);  // the caller's sockets and files stay the caller's
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(log_fd);
  ::close(null_fd);
  if (pid < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot start ", *chromium, ": ", std::strerror(errno)));
  }
  ::setpgid(pid, pid);  // also in the child: whichever runs first

  // Waits for the exit without reaping (WNOWAIT), so that the group's id cannot be reused
  // before the group is killed below.
  const absl::Time deadline = absl::Now() + options.timeout;
  bool exited = false;
  while (true) {
    siginfo_t info = {};
    const int r = ::waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT);
    if ((r == 0 && info.si_pid == pid) || (r < 0 && errno != EINTR)) {
      exited = true;
      break;
    }
    if (absl::Now() >= deadline) break;
    absl::SleepFor(absl::Milliseconds(20));
  }
  // Chromium's helpers (zygote, renderer, GPU) share its group; none may outlive it.
  ::kill(-pid, SIGKILL);
  int wait_status = 0;
  while (::waitpid(pid, &wait_status, 0) < 0 && errno == EINTR) {
  }
  if (!exited) {
    return absl::DeadlineExceededError(absl::StrCat("Chromium did not print the PDF within ",
                                                    absl::FormatDuration(options.timeout),
                                                    "; it was killed"));
  }
  if (!WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 0) {
    return absl::InternalError(absl::StrCat(
        *chromium,
        WIFEXITED(wait_status) ? absl::StrCat(" exited with ", WEXITSTATUS(wait_status))
                               : absl::StrCat(" ended by signal ", WTERMSIG(wait_status)),
        " while printing the PDF: ", Tail(log_path)));
  }
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(pdf_path, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat(*chromium, " wrote no PDF (", ec.message(), "): ", Tail(log_path)));
  }
  if (size > kMaxPdfBytes) {
    return absl::OutOfRangeError(
        absl::StrCat("the PDF is ", size, " bytes, over the limit of ", kMaxPdfBytes));
  }
  std::ifstream in(pdf_path, std::ios::binary);
  std::string pdf((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (pdf.rfind("%PDF-", 0) != 0) {
    return absl::InternalError(absl::StrCat(*chromium, " wrote a file that is not a PDF"));
  }
  return pdf;
}

}  // namespace gridpilot
