#include "services/console/listen_address.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace gridpilot {

bool IsLoopbackHost(const std::string& host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || absl::StartsWith(host, "127.");
}

std::optional<std::string> PlaintextExposureWarning(const std::string& host, bool https) {
  if (https || IsLoopbackHost(host)) return std::nullopt;
  return absl::StrCat("the console listens on ", host,
                      " without TLS: tokens and session cookies cross the network in clear; "
                      "give --tls_cert and --tls_key");
}

}  // namespace gridpilot
