#include "services/console/console_page.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace gridpilot {
namespace {

constexpr char kHeadMarker[] = "<!--GRIDPILOT:HEAD-->";
constexpr char kBodyMarker[] = "<!--GRIDPILOT:BODY-->";

absl::StatusOr<std::string> Fill(const std::string& page, const std::string& head,
                                 const std::string& body) {
  const size_t h = page.find(kHeadMarker);
  const size_t b = page.find(kBodyMarker);
  if (h == std::string::npos || b == std::string::npos || b < h) {
    return absl::InvalidArgumentError(
        absl::StrCat("console.html must hold ", kHeadMarker, " then ", kBodyMarker));
  }
  return absl::StrCat(page.substr(0, h), head,
                      page.substr(h + sizeof(kHeadMarker) - 1, b - h - sizeof(kHeadMarker) + 1),
                      body, page.substr(b + sizeof(kBodyMarker) - 1));
}

// Inline <script> content ends at the first "</script". In JSON "<\/" is the same as "</"
// everywhere; in script code "</script" can only sit in a string or regular expression,
// where "<\/script" means the same.
std::string JsonScriptSafe(const std::string& json) {
  return absl::StrReplaceAll(json, {{"</", "<\\/"}});
}
std::string CodeScriptSafe(const std::string& code) {
  return absl::StrReplaceAll(code, {{"</script", "<\\/script"}, {"</SCRIPT", "<\\/SCRIPT"}});
}

std::string HtmlEscape(const std::string& text) {
  return absl::StrReplaceAll(text,
                             {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&quot;"}});
}

}  // namespace

absl::StatusOr<std::string> LivePageHtml(const WebAssets& assets) {
  return Fill(
      assets.page_html,
      absl::StrCat("<title>gridpilot console</title>\n<link rel=\"stylesheet\" href=\"",
                   kChartCssPath, "\">\n<link rel=\"stylesheet\" href=\"", kPageCssPath, "\">"),
      absl::StrCat("<script src=\"", kChartJsPath, "\"></script>\n<script src=\"", kPageJsPath,
                   "\"></script>"));
}

absl::StatusOr<std::string> ReportPageHtml(const WebAssets& assets, const nlohmann::json& snapshot,
                                           const std::string& title) {
  // CSS has no "</" outside comments and strings in these files; "</style" would end it.
  return Fill(
      assets.page_html,
      absl::StrCat("<title>", HtmlEscape(title), "</title>\n<style>\n",
                   absl::StrReplaceAll(assets.chart_css, {{"</style", "<\\/style"}}),
                   "\n</style>\n<style>\n",
                   absl::StrReplaceAll(assets.page_css, {{"</style", "<\\/style"}}), "\n</style>"),
      absl::StrCat(
          "<script>window.GRIDPILOT_REPORT = ",
          JsonScriptSafe(snapshot.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)),
          ";</script>\n<script>\n", CodeScriptSafe(assets.chart_js), "\n</script>\n<script>\n",
          CodeScriptSafe(assets.page_js), "\n</script>"));
}

}  // namespace gridpilot
