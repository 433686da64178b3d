#include "services/gateway/postgres_url.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace gridpilot {
namespace {

constexpr absl::string_view kSchemes[] = {"postgresql://", "postgres://"};

}  // namespace

bool IsPostgresUrl(absl::string_view store) {
  for (absl::string_view scheme : kSchemes) {
    if (absl::StartsWithIgnoreCase(store, scheme)) return true;
  }
  return false;
}

std::string RedactPostgresUrl(absl::string_view url) {
  if (!IsPostgresUrl(url)) return std::string(url);
  const size_t authority_start = url.find("://") + 3;
  size_t authority_end = url.find_first_of("/?", authority_start);
  if (authority_end == absl::string_view::npos) authority_end = url.size();
  const absl::string_view authority = url.substr(authority_start, authority_end - authority_start);
  std::string out(url.substr(0, authority_start));
  // The userinfo ends at the last '@' of the authority (a password may contain '@' only
  // percent-encoded, but a user may have typed it raw).
  const size_t at = authority.rfind('@');
  if (at != absl::string_view::npos) {
    const absl::string_view userinfo = authority.substr(0, at);
    const size_t colon = userinfo.find(':');
    if (colon != absl::string_view::npos) {
      absl::StrAppend(&out, userinfo.substr(0, colon), ":***", authority.substr(at));
    } else {
      absl::StrAppend(&out, authority);
    }
  } else {
    absl::StrAppend(&out, authority);
  }
  // Query parameters: "password=..." up to the next '&'.
  absl::string_view rest = url.substr(authority_end);
  const size_t query = rest.find('?');
  if (query == absl::string_view::npos) {
    absl::StrAppend(&out, rest);
    return out;
  }
  absl::StrAppend(&out, rest.substr(0, query + 1));
  absl::string_view params = rest.substr(query + 1);
  bool first = true;
  while (true) {
    const size_t amp = params.find('&');
    const absl::string_view param = params.substr(0, amp);
    if (!first) out += '&';
    first = false;
    if (absl::StartsWithIgnoreCase(param, "password=")) {
      absl::StrAppend(&out, param.substr(0, 9), "***");
    } else {
      absl::StrAppend(&out, param);
    }
    if (amp == absl::string_view::npos) break;
    params = params.substr(amp + 1);
  }
  return out;
}

}  // namespace gridpilot
