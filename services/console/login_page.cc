#include "services/console/login_page.h"

#include "absl/strings/str_cat.h"

namespace gridpilot {
namespace {

std::string EscapeHtml(absl::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

std::string LoginPageHtml(absl::string_view message) {
  return absl::StrCat(
      "<!doctype html>\n<html lang=\"en\" data-theme=\"dark\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>gridpilot console: log in</title>\n"
      "<link rel=\"stylesheet\" href=\"/console.css\">\n</head>\n<body>\n"
      "<main class=\"login card\">\n<h1>gridpilot console</h1>\n",
      message.empty() ? ""
                      : absl::StrCat("<p id=\"login-error\" class=\"login-error\" role=\"alert\">",
                                     EscapeHtml(message), "</p>\n"),
      "<form method=\"post\" action=\"", kLoginPath,
      "\">\n<label for=\"token\">Your token</label>\n"
      "<input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"off\" "
      "spellcheck=\"false\" required maxlength=\"256\">\n"
      "<button id=\"login\" type=\"submit\">Log in</button>\n</form>\n"
      "<p class=\"note\">The token is in the stack's credentials directory: "
      "<code>RUN_DIR/credentials/operator.token</code> to act, <code>viewer.token</code> to "
      "watch.</p>\n</main>\n</body>\n</html>\n");
}

}  // namespace gridpilot
