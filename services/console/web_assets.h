// WebAssets: the files the console page is made of, read once from the web directory:
// the project's own page, script and style (web/console.*) and the chart library that
// `npm ci` installed under web/node_modules (pinned by web/package-lock.json).
#ifndef GRIDPILOT_SERVICES_CONSOLE_WEB_ASSETS_H_
#define GRIDPILOT_SERVICES_CONSOLE_WEB_ASSETS_H_

#include <string>

#include "absl/status/statusor.h"

namespace gridpilot {

struct WebAssets {
  std::string page_html;    // web/console.html, with the markers console_page.h fills
  std::string page_js;      // web/console.js
  std::string page_css;     // web/console.css
  std::string chart_js;     // web/node_modules/uplot/dist/uPlot.iife.min.js
  std::string chart_css;    // web/node_modules/uplot/dist/uPlot.min.css
  std::string upload_html;  // web/upload.html
  std::string upload_js;    // web/upload.js
};

// The web directory compiled in (the source tree's web/), overridden by $GRIDPILOT_WEB_DIR.
std::string DefaultWebDir();

// Reads every asset from `web_dir`. NotFound names the missing file, and for the chart
// library says to run `npm ci` in the web directory.
absl::StatusOr<WebAssets> LoadWebAssets(const std::string& web_dir);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CONSOLE_WEB_ASSETS_H_
