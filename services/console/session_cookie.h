// The console's session cookie: the Set-Cookie value that gives a browser its session id,
// the one that clears it, and reading the id back from a Cookie header. Pure.
// docs/decisions.md, "Console sessions".
#ifndef GRIDPILOT_SERVICES_CONSOLE_SESSION_COOKIE_H_
#define GRIDPILOT_SERVICES_CONSOLE_SESSION_COOKIE_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace gridpilot {

// "<name>=<id>; Path=/; Max-Age=<s>; HttpOnly; SameSite=Strict" plus "; Secure" when
// `secure` (served over HTTPS). `max_age` is rounded down to whole seconds.
std::string SessionSetCookie(absl::string_view name, absl::string_view id, absl::Duration max_age,
                             bool secure);

// The Set-Cookie value that makes the browser drop the cookie (Max-Age=0).
std::string ClearSessionCookie(absl::string_view name, bool secure);

// The value of cookie `name` in a Cookie request header ("a=1; name=v; b=2"), or "" if it
// is absent or longer than 128 bytes (no session id is).
std::string CookieValue(absl::string_view cookie_header, absl::string_view name);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CONSOLE_SESSION_COOKIE_H_
