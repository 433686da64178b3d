// The console's login page: one form that posts a person's bearer token to /login (no
// script). `message` is shown above the form ("" for none); it is fixed text of ours,
// HTML-escaped anyway, and never holds the token. docs/decisions.md, "Console sessions".
#ifndef GRIDPILOT_SERVICES_CONSOLE_LOGIN_PAGE_H_
#define GRIDPILOT_SERVICES_CONSOLE_LOGIN_PAGE_H_

#include <string>

#include "absl/strings/string_view.h"

namespace gridpilot {

inline constexpr char kLoginPath[] = "/login";

std::string LoginPageHtml(absl::string_view message);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CONSOLE_LOGIN_PAGE_H_
