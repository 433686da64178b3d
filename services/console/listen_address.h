// Where the console listens, and what to warn about: a browser's token and session cookie
// cross the network in clear when the console serves plain HTTP on an address other
// machines can reach. Pure. docs/decisions.md, "Console sessions".
#ifndef GRIDPILOT_SERVICES_CONSOLE_LISTEN_ADDRESS_H_
#define GRIDPILOT_SERVICES_CONSOLE_LISTEN_ADDRESS_H_

#include <optional>
#include <string>

namespace gridpilot {

// True for "localhost", "::1" and any 127.x.y.z address.
bool IsLoopbackHost(const std::string& host);

// The warning to log for listening on `host` with or without TLS, or nullopt if none is due
// (loopback, or HTTPS).
std::optional<std::string> PlaintextExposureWarning(const std::string& host, bool https);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CONSOLE_LISTEN_ADDRESS_H_
