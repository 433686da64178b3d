// The console page in its live and report forms: the markers are filled, the report is
// self-contained (no src= or href= to fetch) and its inlined JSON cannot end the script.
#include "services/console/console_page.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/services/console/console_test_assets.h"

namespace gridpilot {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

WebAssets Assets() {
  return MinimalWebAssets("console.log('page');", "body{color:red}",
                          "var uPlot = function(){ return '</script>'; };", ".uplot{}");
}

TEST(ConsolePageTest, LivePageLinksItsAssets) {
  absl::StatusOr<std::string> html = LivePageHtml(Assets());
  ASSERT_TRUE(html.ok()) << html.status();
  EXPECT_THAT(*html, HasSubstr("<script src=\"/lib/uPlot.iife.min.js\"></script>"));
  EXPECT_THAT(*html, HasSubstr("href=\"/console.css\""));
  EXPECT_THAT(*html, Not(HasSubstr("GRIDPILOT:")));
}

TEST(ConsolePageTest, ReportInlinesEverything) {
  const nlohmann::json data = {{"cause", "a </script><script>alert(1)"}, {"n", 3}};
  absl::StatusOr<std::string> html = ReportPageHtml(Assets(), data, "run <1>");
  ASSERT_TRUE(html.ok()) << html.status();
  EXPECT_THAT(*html, Not(HasSubstr("src=")));
  EXPECT_THAT(*html, Not(HasSubstr("href=")));
  EXPECT_THAT(*html, HasSubstr("body{color:red}"));
  EXPECT_THAT(*html, HasSubstr("console.log('page');"));
  EXPECT_THAT(*html, HasSubstr("<title>run &lt;1&gt;</title>"));
  EXPECT_THAT(
      *html,
      HasSubstr(
          "window.GRIDPILOT_REPORT = {\"cause\":\"a <\\/script><script>alert(1)\",\"n\":3};"));
  // Exactly the three script elements the page needs end in the document.
  size_t ends = 0;
  for (size_t at = html->find("</script>"); at != std::string::npos;
       at = html->find("</script>", at + 1)) {
    ++ends;
  }
  EXPECT_EQ(ends, 3u);
}

TEST(ConsolePageTest, TemplateWithoutMarkersIsRejected) {
  WebAssets a = Assets();
  a.page_html = "<html></html>";
  EXPECT_EQ(LivePageHtml(a).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace gridpilot
