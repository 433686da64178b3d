// WebhookSink: an AlertSink that POSTs each alert as JSON (services/alerts/alert_format.h)
// to an HTTP URL. Plain HTTP (cpp-httplib): for a receiver on loopback or a trusted
// network, or a local relay that adds TLS.
#ifndef GRIDPILOT_SERVICES_ALERTS_WEBHOOK_SINK_H_
#define GRIDPILOT_SERVICES_ALERTS_WEBHOOK_SINK_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/alerts/alert_sink.h"

namespace gridpilot {

class WebhookSink final : public AlertSink {
 public:
  // `url` is "http://host[:port][/path]" (port 80 and path "/" by default); InvalidArgument
  // otherwise. `timeout` bounds the connection and each read and write.
  static absl::StatusOr<std::unique_ptr<WebhookSink>> Create(const std::string& url,
                                                             absl::Duration timeout);

  std::string name() const override { return "webhook"; }

  // One POST. OK for 2xx; Unavailable for no connection, a timeout, 408, 429 and 5xx;
  // FailedPrecondition for any other status.
  absl::Status Deliver(const alerts::AlertNotice& notice) override;

 private:
  WebhookSink(std::string host, int port, std::string path, absl::Duration timeout)
      : host_(std::move(host)), port_(port), path_(std::move(path)), timeout_(timeout) {}

  const std::string host_;
  const int port_;
  const std::string path_;
  const absl::Duration timeout_;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_ALERTS_WEBHOOK_SINK_H_
