#include "services/gateway/postgres_url.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace gridpilot {
namespace {

constexpr absl::string_view kSchemes[] = {"postgresql://", "postgres://"};

// libpq percent-decodes a URI's parts; a password handed over by other means must be too.
std::string PercentDecoded(absl::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    int byte = 0;
    if (text[i] == '%' && i + 2 < text.size() &&
        absl::SimpleHexAtoi(text.substr(i + 1, 2), &byte)) {
      out += static_cast<char>(byte);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// `url` with each password replaced by `mask`, or removed when `mask` is empty (the
// authority's ":secret" and the whole "password=secret" parameter); the first password
// met, percent-decoded, goes to `*password`.
std::string Rewrite(absl::string_view url, absl::string_view mask, std::string* password) {
  const size_t authority_start = url.find("://") + 3;
  size_t authority_end = url.find_first_of("/?", authority_start);
  if (authority_end == absl::string_view::npos) authority_end = url.size();
  const absl::string_view authority = url.substr(authority_start, authority_end - authority_start);
  std::string out(url.substr(0, authority_start));
  // The userinfo ends at the last '@' of the authority (a password should percent-encode
  // an '@', but a user may have typed it raw).
  const size_t at = authority.rfind('@');
  const size_t colon =
      at == absl::string_view::npos ? absl::string_view::npos : authority.substr(0, at).find(':');
  if (colon != absl::string_view::npos) {
    if (password->empty()) *password = PercentDecoded(authority.substr(colon + 1, at - colon - 1));
    absl::StrAppend(&out, authority.substr(0, colon), mask.empty() ? "" : ":", mask,
                    authority.substr(at));
  } else {
    absl::StrAppend(&out, authority);
  }
  const absl::string_view rest = url.substr(authority_end);
  const size_t query = rest.find('?');
  if (query == absl::string_view::npos) {
    absl::StrAppend(&out, rest);
    return out;
  }
  absl::StrAppend(&out, rest.substr(0, query));
  absl::string_view params = rest.substr(query + 1);
  std::string kept;
  while (true) {
    const size_t amp = params.find('&');
    const absl::string_view param = params.substr(0, amp);
    if (absl::StartsWithIgnoreCase(param, "password=")) {
      if (password->empty()) *password = PercentDecoded(param.substr(9));
      if (!mask.empty()) absl::StrAppend(&kept, kept.empty() ? "" : "&", param.substr(0, 9), mask);
    } else {
      absl::StrAppend(&kept, kept.empty() ? "" : "&", param);
    }
    if (amp == absl::string_view::npos) break;
    params = params.substr(amp + 1);
  }
  if (!kept.empty()) absl::StrAppend(&out, "?", kept);
  return out;
}

}  // namespace

bool IsPostgresUrl(absl::string_view store) {
  for (absl::string_view scheme : kSchemes) {
    if (absl::StartsWithIgnoreCase(store, scheme)) return true;
  }
  return false;
}

std::string RedactPostgresUrl(absl::string_view url) {
  if (!IsPostgresUrl(url)) return std::string(url);
  std::string ignored;
  return Rewrite(url, "***", &ignored);
}

PostgresUrlParts SplitPostgresPassword(absl::string_view url) {
  PostgresUrlParts parts;
  if (!IsPostgresUrl(url)) {
    parts.url = std::string(url);
    return parts;
  }
  parts.url = Rewrite(url, "", &parts.password);
  return parts;
}

}  // namespace gridpilot
