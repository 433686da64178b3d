// How an alert reads on the wire: the webhook's JSON body and the e-mail's subject and
// body. Both carry the same fields (rule, kind, key, status, run time, summary).
#ifndef GRIDPILOT_SERVICES_ALERTS_ALERT_FORMAT_H_
#define GRIDPILOT_SERVICES_ALERTS_ALERT_FORMAT_H_

#include <string>

#include "core/alerts/alert_notice.h"

namespace gridpilot {

// {"source":"gridpilot","rule":..,"kind":..,"key":..,"status":"firing|resolved",
//  "at":"2023-03-08T05:00:00Z","summary":..}; `at` is the run time (simulated in a
// backtest).
std::string AlertJson(const alerts::AlertNotice& notice);

// "[gridpilot] FIRING false-data (response)": one line, no CR or LF.
std::string AlertEmailSubject(const alerts::AlertNotice& notice);

// Plain text lines "rule: ...", "kind: ...", "key: ...", "status: ...", "at: ...", then the
// summary; CR and LF inside values are replaced by spaces.
std::string AlertEmailBody(const alerts::AlertNotice& notice);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_ALERTS_ALERT_FORMAT_H_
