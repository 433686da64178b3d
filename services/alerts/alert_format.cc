#include "services/alerts/alert_format.h"

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "core/base/time_util.h"

namespace gridpilot {
namespace {

std::string OneLine(std::string text) {
  for (char& c : text) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return text;
}

}  // namespace

std::string AlertJson(const alerts::AlertNotice& notice) {
  nlohmann::json json = {{"source", "gridpilot"},
                         {"rule", notice.rule},
                         {"kind", std::string(alerts::AlertRuleKindName(notice.kind))},
                         {"key", notice.key},
                         {"status", std::string(alerts::AlertStatusName(notice.status))},
                         {"at", base::FormatUtcTimestamp(notice.at)},
                         {"summary", notice.summary}};
  // Invalid UTF-8 (a hostile anomaly cause) is replaced, not thrown.
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string AlertEmailSubject(const alerts::AlertNotice& notice) {
  return OneLine(absl::StrCat(
      "[gridpilot] ", absl::AsciiStrToUpper(std::string(alerts::AlertStatusName(notice.status))),
      " ", notice.rule, " (", notice.key, ")"));
}

std::string AlertEmailBody(const alerts::AlertNotice& notice) {
  return absl::StrCat("rule: ", OneLine(notice.rule), "\n",
                      "kind: ", std::string(alerts::AlertRuleKindName(notice.kind)), "\n",
                      "key: ", OneLine(notice.key), "\n",
                      "status: ", std::string(alerts::AlertStatusName(notice.status)), "\n",
                      "at: ", base::FormatUtcTimestamp(notice.at), "\n\n", OneLine(notice.summary),
                      "\n");
}

}  // namespace gridpilot
