#include "services/console/web_assets.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace gridpilot {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path, const std::string& hint) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open", hint));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::string DefaultWebDir() {
  if (const char* dir = std::getenv("GRIDPILOT_WEB_DIR"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  return GRIDPILOT_DEFAULT_WEB_DIR;
}

absl::StatusOr<WebAssets> LoadWebAssets(const std::string& web_dir) {
  const std::string npm_hint = absl::StrCat(" (run `npm ci` in ", web_dir, ")");
  WebAssets assets;
  struct Source {
    std::string* out;
    std::string path;
    std::string hint;
  } sources[] = {
      {&assets.page_html, "console.html", ""},
      {&assets.page_js, "console.js", ""},
      {&assets.page_css, "console.css", ""},
      {&assets.chart_js, "node_modules/uplot/dist/uPlot.iife.min.js", npm_hint},
      {&assets.chart_css, "node_modules/uplot/dist/uPlot.min.css", npm_hint},
      {&assets.upload_html, "upload.html", ""},
      {&assets.upload_js, "upload.js", ""},
  };
  for (Source& s : sources) {
    absl::StatusOr<std::string> text = ReadFile(absl::StrCat(web_dir, "/", s.path), s.hint);
    if (!text.ok()) return text.status();
    *s.out = *std::move(text);
  }
  return assets;
}

}  // namespace gridpilot
