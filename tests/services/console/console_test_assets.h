// Test helper: the smallest console web assets a page can be built from, for the tests of
// the console page and of the HTTP server that serves it. Header-only.
#ifndef GRIDPILOT_TESTS_SERVICES_CONSOLE_CONSOLE_TEST_ASSETS_H_
#define GRIDPILOT_TESTS_SERVICES_CONSOLE_CONSOLE_TEST_ASSETS_H_

#include <string>
#include <utility>

#include "services/console/web_assets.h"

namespace gridpilot {

// A page template holding just the two markers console_page.h fills, with the given
// script and style texts (the page's own, then the chart library's).
inline WebAssets MinimalWebAssets(std::string page_js, std::string page_css, std::string chart_js,
                                  std::string chart_css) {
  WebAssets a;
  a.page_html = "<html><head><!--GRIDPILOT:HEAD--></head><body><!--GRIDPILOT:BODY--></body></html>";
  a.page_js = std::move(page_js);
  a.page_css = std::move(page_css);
  a.chart_js = std::move(chart_js);
  a.chart_css = std::move(chart_css);
  return a;
}

}  // namespace gridpilot

#endif  // GRIDPILOT_TESTS_SERVICES_CONSOLE_CONSOLE_TEST_ASSETS_H_
