// SmtpSink: an AlertSink that sends each alert as a plain-text e-mail
// (services/alerts/alert_format.h) over SMTP (RFC 5321: EHLO, MAIL, RCPT, DATA, QUIT).
// Plain SMTP without TLS or authentication: for a relay on loopback or a trusted network
// (a local MTA such as Postfix or exim that forwards with TLS).
#ifndef GRIDPILOT_SERVICES_ALERTS_SMTP_SINK_H_
#define GRIDPILOT_SERVICES_ALERTS_SMTP_SINK_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "services/alerts/alert_config.h"
#include "services/alerts/alert_sink.h"

namespace gridpilot {

class SmtpSink final : public AlertSink {
 public:
  // `config.to` is not empty and no address holds CR, LF, < or > (LoadAlertsConfig checks).
  explicit SmtpSink(EmailConfig config) : config_(std::move(config)) {}

  std::string name() const override { return "email"; }

  // One SMTP session for one message to every recipient. OK once the server accepted the
  // message (250 after DATA). Unavailable for no connection, a timeout or a 4xx reply;
  // FailedPrecondition for a 5xx reply (naming the command and the server's reply).
  absl::Status Deliver(const alerts::AlertNotice& notice) override;

 private:
  const EmailConfig config_;
};

// The DATA section of the message for `notice`: headers and body, CRLF line ends, lines
// starting with "." doubled (RFC 5321 4.5.2), without the final ".".
std::string SmtpMessage(const EmailConfig& config, const alerts::AlertNotice& notice);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_ALERTS_SMTP_SINK_H_
