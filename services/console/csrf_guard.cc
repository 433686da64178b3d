#include "services/console/csrf_guard.h"

#include <openssl/crypto.h>

#include "absl/strings/str_cat.h"
#include "core/base/logging.h"

namespace gridpilot {

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

absl::Status CheckSameOrigin(const RequestOrigin& request, bool https) {
  if (!request.sec_fetch_site.empty() && request.sec_fetch_site != "same-origin" &&
      request.sec_fetch_site != "none") {
    return absl::PermissionDeniedError(
        absl::StrCat("cross-origin request refused (Sec-Fetch-Site: ",
                     base::EscapeForLog(request.sec_fetch_site.substr(0, 32)), ")"));
  }
  if (!request.origin.empty()) {
    const std::string own = absl::StrCat(https ? "https://" : "http://", request.host);
    if (request.host.empty() || request.origin != own) {
      return absl::PermissionDeniedError(
          absl::StrCat("cross-origin request refused (Origin ",
                       base::EscapeForLog(request.origin.substr(0, 128)), " is not ", own, ")"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckWriteRequest(const ConsoleSession& session, absl::string_view csrf_header,
                               const RequestOrigin& request, bool https) {
  if (csrf_header.empty()) {
    return absl::PermissionDeniedError(
        absl::StrCat("missing ", kCsrfHeader, " header (GET /api/session gives it)"));
  }
  if (!ConstantTimeEquals(csrf_header, session.csrf_token)) {
    return absl::PermissionDeniedError(
        absl::StrCat(kCsrfHeader, " header does not match this session"));
  }
  return CheckSameOrigin(request, https);
}

}  // namespace gridpilot
