#include "services/console/stack_addresses.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace gridpilot {
namespace {

absl::StatusOr<std::string> ReadPortFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open (is the stack up?)"));
  std::stringstream text;
  text << in.rdbuf();
  const std::string content(absl::StripAsciiWhitespace(text.str()));
  int port = 0;
  if (!absl::SimpleAtoi(content, &port) || port < 1 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": \"", content, "\" is not a port"));
  }
  return absl::StrCat("127.0.0.1:", port);
}

absl::Status CheckAddress(const std::string& name, const std::string& address) {
  if (absl::StartsWith(address, "unix:") && address.size() > 5) return absl::OkStatus();
  const size_t colon = address.rfind(':');
  int port = 0;
  if (address.empty() || colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(address.substr(colon + 1), &port) || port < 1 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " address \"", address,
                     "\" is not host:port or unix:PATH (give --run_dir or --", name, ")"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<StackAddresses> ReadStackAddresses(const std::string& run_dir,
                                                  AgentAddresses agents) {
  StackAddresses out;
  for (auto [name, field, is_agent] :
       {std::tuple{"gateway", &out.gateway, false}, std::tuple{"forecast", &out.forecast, false},
        std::tuple{"response", &out.response, true}, std::tuple{"trader", &out.trader, true}}) {
    // The launcher's stack listens on RUN_DIR/sock/<name>.sock too: the socket is used when
    // the run dir has one (docs/decisions.md, "Unix sockets for the local stack").
    const std::string socket = absl::StrCat(run_dir, "/sock/", name, ".sock");
    std::error_code error;
    if (std::filesystem::is_socket(socket, error)) {
      *field = absl::StrCat("unix:", socket);
      continue;
    }
    const std::string port_file = absl::StrCat(run_dir, "/", name, ".port");
    if (is_agent && agents == AgentAddresses::kOptional &&
        !std::filesystem::exists(port_file, error)) {
      continue;
    }
    absl::StatusOr<std::string> address = ReadPortFile(port_file);
    if (!address.ok()) return address.status();
    *field = *std::move(address);
  }
  return out;
}

absl::StatusOr<StackAddresses> ApplyAddressOverrides(StackAddresses addresses,
                                                     const StackAddresses& overrides,
                                                     AgentAddresses agents) {
  if (!overrides.gateway.empty()) addresses.gateway = overrides.gateway;
  if (!overrides.forecast.empty()) addresses.forecast = overrides.forecast;
  if (!overrides.response.empty()) addresses.response = overrides.response;
  if (!overrides.trader.empty()) addresses.trader = overrides.trader;
  for (auto [name, value, is_agent] : {std::tuple{"gateway", &addresses.gateway, false},
                                       std::tuple{"forecast", &addresses.forecast, false},
                                       std::tuple{"response", &addresses.response, true},
                                       std::tuple{"trader", &addresses.trader, true}}) {
    if (is_agent && agents == AgentAddresses::kOptional && value->empty()) continue;
    if (absl::Status s = CheckAddress(name, *value); !s.ok()) return s;
  }
  return addresses;
}

absl::StatusOr<StackAddresses> ResolveStackAddresses(const std::string& run_dir,
                                                     const StackAddresses& overrides,
                                                     AgentAddresses agents) {
  StackAddresses addresses;
  if (!run_dir.empty()) {
    absl::StatusOr<StackAddresses> from_dir = ReadStackAddresses(run_dir, agents);
    if (!from_dir.ok()) return from_dir.status();
    addresses = *std::move(from_dir);
  }
  return ApplyAddressOverrides(std::move(addresses), overrides, agents);
}

}  // namespace gridpilot
