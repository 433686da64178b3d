// The console's guard on requests that change something (a write, login, logout): a
// synchronizer CSRF token bound to the session, sent in the X-CSRF-Token header and
// compared in constant time, and a same-origin check on the browser's Origin and
// Sec-Fetch-Site headers. Pure. docs/decisions.md, "Console sessions".
#ifndef GRIDPILOT_SERVICES_CONSOLE_CSRF_GUARD_H_
#define GRIDPILOT_SERVICES_CONSOLE_CSRF_GUARD_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "services/console/console_sessions.h"

namespace gridpilot {

inline constexpr char kCsrfHeader[] = "X-CSRF-Token";

// True if `a` and `b` are the same bytes. For equal lengths the time taken does not
// depend on where they differ (OpenSSL's CRYPTO_memcmp); the length itself is not
// secret (every token is 64 hex digits).
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

// The request headers the guard reads; an absent header is "".
struct RequestOrigin {
  std::string host;            // Host, e.g. "127.0.0.1:8080"
  std::string origin;          // Origin, e.g. "http://127.0.0.1:8080"
  std::string sec_fetch_site;  // Sec-Fetch-Site: same-origin, same-site, cross-site, none
};

// OK unless a browser says the request comes from another origin: Sec-Fetch-Site other
// than "same-origin" (or "none", a request the person typed), or an Origin that is not
// this server's own ("http[s]://" + Host). Absent headers pass (a non-browser client;
// the session cookie and CSRF token still apply). PermissionDenied saying which header.
absl::Status CheckSameOrigin(const RequestOrigin& request, bool https);

// OK if `csrf_header` is `session`'s CSRF token and CheckSameOrigin passes.
// PermissionDenied saying what was missing or wrong; never echoes a token.
absl::Status CheckWriteRequest(const ConsoleSession& session, absl::string_view csrf_header,
                               const RequestOrigin& request, bool https);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CONSOLE_CSRF_GUARD_H_
