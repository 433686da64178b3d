// AlertSink: one way of telling an operator (a webhook, e-mail). A sink makes one attempt
// per call; retries, backoff and queueing are the DeliveryQueue's
// (services/alerts/delivery_queue.h), so every sink gets the same.
#ifndef GRIDPILOT_SERVICES_ALERTS_ALERT_SINK_H_
#define GRIDPILOT_SERVICES_ALERTS_ALERT_SINK_H_

#include <string>

#include "absl/status/status.h"
#include "core/alerts/alert_notice.h"

namespace gridpilot {

class AlertSink {
 public:
  virtual ~AlertSink() = default;

  // "webhook", "email": names the sink in logs and counts.
  virtual std::string name() const = 0;

  // One attempt to deliver `notice`. OK once the receiver accepted it. Unavailable or
  // DeadlineExceeded for a failure worth retrying (no connection, a timeout, HTTP 5xx, SMTP
  // 4xx); any other code for one that a retry would not mend (HTTP 4xx, SMTP 5xx). Called
  // from one thread at a time.
  virtual absl::Status Deliver(const alerts::AlertNotice& notice) = 0;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_ALERTS_ALERT_SINK_H_
