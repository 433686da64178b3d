// What the MCP server adds to a read: the read-only tool list_assets called over
// Streamable HTTP on loopback (client -> gridpilot-mcp -> gateway's ListAssets over mutual
// TLS with the caller's token -> back as JSON), next to the same ListAssets called directly
// over gRPC with the same token, measured in the same run against a running stack, in
// interleaved blocks of 100 so both see the same load. Prints p50 and p99 of each.
//
//   mcp_round_trip_bench --run_dir DIR [--calls N]   (a running `gridpilot up`; N = 5000)
#include <httplib.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gridpilot/v1/asset.grpc.pb.h"
#include "services/common/server_runner.h"
#include "services/security/transport_credentials.h"

namespace gridpilot {
namespace {

std::string Flag(int argc, char** argv, const char* name, const std::string& fallback) {
  const std::string prefix = absl::StrCat("--", name);
  for (int i = 1; i + 1 < argc; ++i) {
    if (prefix == argv[i]) return argv[i + 1];
  }
  return fallback;
}

std::string ReadTrimmed(const std::string& path) {
  std::ifstream in(path);
  std::string text;
  std::getline(in, text);
  return text;
}

struct Percentiles {
  double p50_us = 0;
  double p99_us = 0;
};

Percentiles Of(std::vector<double> us) {
  std::sort(us.begin(), us.end());
  return {us[us.size() / 2], us[us.size() * 99 / 100]};
}

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "mcp_round_trip_bench: %s\n", what.c_str());
  std::exit(1);
}

int Run(const std::string& run_dir, int calls) {
  const std::string credentials = run_dir + "/credentials";
  const std::string token = ReadTrimmed(credentials + "/operator.token");
  if (absl::Status installed = security::InstallClientToken(credentials, "operator");
      !installed.ok()) {
    Fail(std::string(installed.message()));
  }
  auto assets = v1::AssetService::NewStub(
      MakeChannel(absl::StrCat("127.0.0.1:", ReadTrimmed(run_dir + "/gateway.port"))));

  httplib::Client mcp("127.0.0.1", std::stoi(ReadTrimmed(run_dir + "/mcp.port")));
  mcp.set_keep_alive(true);
  mcp.set_tcp_nodelay(true);
  const httplib::Headers auth = {{"Authorization", "Bearer " + token}};
  const nlohmann::json initialize = {{"jsonrpc", "2.0"},
                                     {"id", 0},
                                     {"method", "initialize"},
                                     {"params",
                                      {{"protocolVersion", "2025-06-18"},
                                       {"capabilities", nlohmann::json::object()},
                                       {"clientInfo", {{"name", "bench"}, {"version", "1"}}}}}};
  httplib::Result opened = mcp.Post("/mcp", auth, initialize.dump(), "application/json");
  if (!opened || opened->status != 200) Fail("initialize failed");
  httplib::Headers session = auth;
  session.emplace("Mcp-Session-Id", opened->get_header_value("Mcp-Session-Id"));
  const std::string call =
      nlohmann::json{{"jsonrpc", "2.0"},
                     {"id", 1},
                     {"method", "tools/call"},
                     {"params", {{"name", "list_assets"}, {"arguments", nlohmann::json::object()}}}}
          .dump();

  std::vector<double> mcp_us, grpc_us;
  for (int done = -200; done < calls; done += 100) {
    for (int i = 0; i < 100; ++i) {
      const absl::Time t0 = absl::Now();
      httplib::Result answer = mcp.Post("/mcp", session, call, "application/json");
      const double us = absl::ToDoubleMicroseconds(absl::Now() - t0);
      if (!answer || answer->status != 200 ||
          answer->body.find("\"isError\":false") == std::string::npos) {
        Fail(absl::StrCat("tools/call failed: ",
                          answer ? answer->body.substr(0, 300) : "no answer"));
      }
      if (done >= 0) mcp_us.push_back(us);
    }
    for (int i = 0; i < 100; ++i) {
      grpc::ClientContext context;
      v1::ListAssetsResponse response;
      const absl::Time t0 = absl::Now();
      const grpc::Status status = assets->ListAssets(&context, v1::ListAssetsRequest(), &response);
      const double us = absl::ToDoubleMicroseconds(absl::Now() - t0);
      if (!status.ok()) Fail("ListAssets failed: " + status.error_message());
      if (done >= 0) grpc_us.push_back(us);
    }
  }
  const Percentiles over_mcp = Of(mcp_us);
  const Percentiles over_grpc = Of(grpc_us);
  std::printf("%d calls each (interleaved blocks of 100, after 200 unmeasured)\n",
              static_cast<int>(mcp_us.size()));
  std::printf("  MCP tools/call list_assets over HTTP: p50 %8.0f us  p99 %8.0f us\n",
              over_mcp.p50_us, over_mcp.p99_us);
  std::printf("  gRPC ListAssets (same token, TLS):    p50 %8.0f us  p99 %8.0f us\n",
              over_grpc.p50_us, over_grpc.p99_us);
  return 0;
}

}  // namespace
}  // namespace gridpilot

int main(int argc, char** argv) {
  const std::string run_dir = gridpilot::Flag(argc, argv, "run_dir", "");
  if (run_dir.empty()) {
    std::fprintf(stderr, "usage: mcp_round_trip_bench --run_dir DIR [--calls N]\n");
    return 2;
  }
  return gridpilot::Run(run_dir, std::atoi(gridpilot::Flag(argc, argv, "calls", "5000").c_str()));
}
