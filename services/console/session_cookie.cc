#include "services/console/session_cookie.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace gridpilot {
namespace {

constexpr size_t kMaxCookieValueBytes = 128;

std::string Attributes(bool secure) {
  return absl::StrCat("; Path=/; HttpOnly; SameSite=Strict", secure ? "; Secure" : "");
}

}  // namespace

std::string SessionSetCookie(absl::string_view name, absl::string_view id, absl::Duration max_age,
                             bool secure) {
  return absl::StrCat(name, "=", id, "; Max-Age=", absl::ToInt64Seconds(max_age),
                      Attributes(secure));
}

std::string ClearSessionCookie(absl::string_view name, bool secure) {
  return absl::StrCat(name, "=; Max-Age=0", Attributes(secure));
}

std::string CookieValue(absl::string_view cookie_header, absl::string_view name) {
  for (absl::string_view part : absl::StrSplit(cookie_header, ';')) {
    part = absl::StripAsciiWhitespace(part);
    if (!absl::ConsumePrefix(&part, name) || !absl::ConsumePrefix(&part, "=")) continue;
    if (part.size() > kMaxCookieValueBytes) return "";
    return std::string(part);
  }
  return "";
}

}  // namespace gridpilot
