#include "services/alerts/webhook_sink.h"

#include <httplib.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/alerts/alert_format.h"

namespace gridpilot {

absl::StatusOr<std::unique_ptr<WebhookSink>> WebhookSink::Create(const std::string& url,
                                                                 absl::Duration timeout) {
  constexpr std::string_view kScheme = "http://";
  if (url.rfind(kScheme, 0) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("webhook url \"", url, "\": must start with http://"));
  }
  const std::string rest = url.substr(kScheme.size());
  const size_t slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  const std::string path = slash == std::string::npos ? "/" : rest.substr(slash);
  std::string host = authority;
  int port = 80;
  if (const size_t colon = authority.rfind(':'); colon != std::string::npos) {
    host = authority.substr(0, colon);
    if (!absl::SimpleAtoi(authority.substr(colon + 1), &port) || port < 1 || port > 65535) {
      return absl::InvalidArgumentError(
          absl::StrCat("webhook url \"", url, "\": the port must be in 1..65535"));
    }
  }
  if (host.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("webhook url \"", url, "\": no host"));
  }
  return std::unique_ptr<WebhookSink>(new WebhookSink(host, port, path, timeout));
}

absl::Status WebhookSink::Deliver(const alerts::AlertNotice& notice) {
  httplib::Client client(host_, port_);
  const int64_t timeout_us = absl::ToInt64Microseconds(timeout_);
  client.set_connection_timeout(timeout_us / 1000000, timeout_us % 1000000);
  client.set_read_timeout(timeout_us / 1000000, timeout_us % 1000000);
  client.set_write_timeout(timeout_us / 1000000, timeout_us % 1000000);
  const std::string where = absl::StrCat("POST http://", host_, ":", port_, path_);
  httplib::Result result = client.Post(path_, AlertJson(notice), "application/json");
  if (!result) {
    return absl::UnavailableError(absl::StrCat(where, ": ", httplib::to_string(result.error())));
  }
  const int status = result->status;
  if (status >= 200 && status < 300) return absl::OkStatus();
  const std::string message = absl::StrCat(where, ": HTTP ", status);
  if (status >= 500 || status == 408 || status == 429) return absl::UnavailableError(message);
  return absl::FailedPreconditionError(message);
}

}  // namespace gridpilot
