// Integration tests of gridpilot-gateway: each test starts the real binary as a child
// process (port 0 + port file, its own temp dir and SQLite store) and talks to it over
// gRPC with the generated stubs, as any client would. The store is read back with SQLite
// to check the audit log. Bad-data tests start the binary with broken inputs and check
// that it refuses to run and says why.
#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/base/time_util.h"
#include "gmock/gmock.h"
#include "gridpilot/v1/asset.grpc.pb.h"
#include "gridpilot/v1/clock.grpc.pb.h"
#include "gridpilot/v1/ledger.grpc.pb.h"
#include "gridpilot/v1/telemetry.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/cli/child_process.h"
#include "services/common/proto_time.h"
#include "services/common/server_runner.h"
#include "tests/integration/grpc_call.h"
#include "tests/integration/sqlite_query.h"
#include "tests/integration/test_env.h"

namespace gridpilot {
namespace {

using ::testing::HasSubstr;

// Hang detectors, not speed assertions: generous bounds on waits for a child process.
constexpr absl::Duration kStartTimeout = absl::Seconds(60);
constexpr absl::Duration kExitTimeout = absl::Seconds(60);
constexpr absl::Duration kRpcTimeout = absl::Seconds(60);

std::string GatewayBinary() { return testing::BinaryPath("gridpilot-gateway"); }

absl::Time Utc(const char* text) {
  absl::StatusOr<absl::Time> t = base::ParseUtcTimestamp(text);
  EXPECT_TRUE(t.ok()) << text;
  return t.value_or(absl::InfinitePast());
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

void SetDeadline(grpc::ClientContext* context) {
  context->set_deadline(absl::ToChronoTime(absl::Now() + kRpcTimeout));
}

// The run replayed by every test: 2023-03-01 (the --to day is inclusive), 48 intervals.
constexpr char kReplayStart[] = "2023-03-01T00:00:00Z";
std::vector<std::string> OneDayArgs() { return {"--from", "2023-03-01", "--to", "2023-03-01"}; }

// Counts rows of the store's proposals table with `status` (and `key`, if non-empty).
int CountProposalRows(const std::string& db_path, const std::string& status,
                      const std::string& key = "") {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << db_path << ": " << sqlite3_errmsg(db);
    sqlite3_close(db);
    return -1;
  }
  const char* sql =
      key.empty() ? "SELECT COUNT(*) FROM proposals WHERE status = ?1"
                  : "SELECT COUNT(*) FROM proposals WHERE status = ?1 AND idempotency_key = ?2";
  sqlite3_stmt* stmt = nullptr;
  int count = -1;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK) {
    sqlite3_bind_text(stmt, 1, status.c_str(), -1, SQLITE_TRANSIENT);
    if (!key.empty()) sqlite3_bind_text(stmt, 2, key.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(stmt) == SQLITE_ROW) count = sqlite3_column_int(stmt, 0);
  } else {
    ADD_FAILURE() << "cannot query " << db_path << ": " << sqlite3_errmsg(db);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return count;
}

// Runs the gateway with `args` where it is expected to refuse to start. Returns its exit
// description ("exit 2") and fills *log; fails the test if it is still up after
// kExitTimeout (it is then killed).
std::string RunExpectingExit(const std::vector<std::string>& args, const std::string& dir,
                             std::string* log) {
  const std::string log_path = dir + "/gateway.log";
  std::vector<std::string> insecure_args = args;
  insecure_args.push_back("--insecure");
  absl::StatusOr<ChildProcess> child =
      ChildProcess::Start("gateway", GatewayBinary(), insecure_args, log_path);
  if (!child.ok()) {
    ADD_FAILURE() << child.status();
    return "";
  }
  const absl::Time give_up = absl::Now() + kExitTimeout;
  while (child->Running() && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(20));
  if (child->Running()) {
    child->Stop(absl::Seconds(5));
    ADD_FAILURE() << "gateway still running after " << kExitTimeout << "; log:\n"
                  << testing::ReadFile(log_path);
  }
  *log = testing::ReadFile(log_path);
  return child->exit_description();
}

std::vector<std::string> Concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// A running gateway with stubs for its four services.
class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override { StartGateway({}); }

  void TearDown() override {
    StopGateway();
    if (!HasFailure()) std::filesystem::remove_all(dir_);  // kept, with the log, on failure
  }

  // SIGTERM is the clean way to stop the gateway: it must exit 0 without SIGKILL. The
  // store commits in batches and on shutdown, so tests read it after this.
  void StopGateway() {
    if (!child_.has_value()) return;
    assets_.reset();
    clock_.reset();
    ledger_.reset();
    telemetry_.reset();
    EXPECT_TRUE(child_->Stop(absl::Seconds(30))) << "gateway ignored SIGTERM";
    EXPECT_EQ(child_->exit_description(), "exit 0") << testing::ReadFile(child_->log_path());
    child_.reset();
  }

  void StartGateway(const std::vector<std::string>& extra_args) {
    dir_ = testing::MakeTempDir("gateway_grpc");
    store_ = dir_ + "/s.sqlite";
    const std::string port_file = dir_ + "/port";
    std::vector<std::string> args = Concat(
        OneDayArgs(), {"--store", store_, "--port", "0", "--port_file", port_file, "--insecure",
                       // Lock-step waits for a slow test agent rather than count a miss.
                       "--deadline_seconds", "120"});
    args = Concat(args, extra_args);
    absl::StatusOr<ChildProcess> child =
        ChildProcess::Start("gateway", GatewayBinary(), args, dir_ + "/gateway.log");
    ASSERT_TRUE(child.ok()) << child.status();
    child_.emplace(*std::move(child));
    absl::StatusOr<int> port = child_->WaitForPort(port_file, kStartTimeout);
    ASSERT_TRUE(port.ok()) << port.status();
    std::shared_ptr<grpc::Channel> channel = MakeChannel(testing::LoopbackAddress(*port));
    assets_ = v1::AssetService::NewStub(channel);
    clock_ = v1::ClockService::NewStub(channel);
    ledger_ = v1::LedgerService::NewStub(channel);
    telemetry_ = v1::TelemetryService::NewStub(channel);
  }

  v1::ListAssetsResponse ListAssets() {
    v1::ListAssetsResponse response;
    grpc::Status status = testing::UnaryCall(*assets_, &v1::AssetService::Stub::ListAssets, {},
                                             &response, kRpcTimeout);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  const v1::Asset* FindAsset(const v1::ListAssetsResponse& list, const std::string& id) {
    for (const v1::Asset& a : list.assets()) {
      if (a.id() == id) return &a;
    }
    ADD_FAILURE() << "no asset " << id << " in " << list.ShortDebugString();
    return nullptr;
  }

  grpc::Status Submit(const v1::SubmitDispatchRequest& request,
                      v1::SubmitDispatchResponse* response) {
    return testing::UnaryCall(*assets_, &v1::AssetService::Stub::SubmitDispatch, request, response,
                              kRpcTimeout);
  }

  grpc::Status Cancel(int64_t proposal_id) {
    v1::CancelDispatchRequest request;
    request.set_proposal_id(proposal_id);
    v1::CancelDispatchResponse response;
    return testing::UnaryCall(*assets_, &v1::AssetService::Stub::CancelDispatch, request, &response,
                              kRpcTimeout);
  }

  std::vector<v1::Decision> ListDecisions(int limit) {
    v1::ListDecisionsRequest request;
    request.set_limit(limit);
    v1::ListDecisionsResponse response;
    grpc::Status status = testing::UnaryCall(*assets_, &v1::AssetService::Stub::ListDecisions,
                                             request, &response, kRpcTimeout);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {response.decisions().begin(), response.decisions().end()};
  }

  v1::GetClockStatusResponse ClockStatus() {
    v1::GetClockStatusResponse response;
    grpc::Status status = testing::UnaryCall(*clock_, &v1::ClockService::Stub::GetClockStatus, {},
                                             &response, kRpcTimeout);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  grpc::Status StartClock() {
    v1::StartResponse response;
    return testing::UnaryCall(*clock_, &v1::ClockService::Stub::Start, {}, &response, kRpcTimeout);
  }

  grpc::Status RegisterAgent(const std::string& agent, v1::RegisterAgentResponse* response) {
    v1::RegisterAgentRequest request;
    request.set_agent(agent);
    return testing::UnaryCall(*clock_, &v1::ClockService::Stub::RegisterAgent, request, response,
                              kRpcTimeout);
  }

  // battery-1's schedule as ListAssets shows it: the proposal governing it (0 for none) and
  // its power (MW, > 0 = discharge).
  void ExpectBatteryScheduled(int64_t proposal_id, double power_mw) {
    const v1::Asset* battery = FindAsset(ListAssets(), "battery-1");
    ASSERT_NE(battery, nullptr);
    EXPECT_EQ(battery->scheduled_proposal_id(), proposal_id);
    EXPECT_DOUBLE_EQ(battery->scheduled_power_mw(), power_mw);
  }

  std::string dir_;
  std::string store_;
  std::optional<ChildProcess> child_;
  std::unique_ptr<v1::AssetService::Stub> assets_;
  std::unique_ptr<v1::ClockService::Stub> clock_;
  std::unique_ptr<v1::LedgerService::Stub> ledger_;
  std::unique_ptr<v1::TelemetryService::Stub> telemetry_;
};

// A well-formed resilience proposal for battery-1 covering the first interval.
v1::DispatchProposal BatteryProposal(double power_mw, const std::string& key = "") {
  v1::DispatchProposal p;
  p.set_asset_id("battery-1");
  p.set_priority(v1::DISPATCH_PRIORITY_RESILIENCE);
  p.set_power_mw(power_mw);
  *p.mutable_start() = ToProtoTime(Utc(kReplayStart));
  *p.mutable_end() = ToProtoTime(Utc(kReplayStart) + base::kHalfHour);
  p.set_idempotency_key(key);
  p.set_reason("integration test");
  return p;
}

v1::SubmitDispatchRequest Request(const std::vector<v1::DispatchProposal>& proposals) {
  v1::SubmitDispatchRequest request;
  request.set_agent("test-agent");
  for (const v1::DispatchProposal& p : proposals) *request.add_proposals() = p;
  return request;
}

TEST_F(GatewayTest, ListAssetsShowsTheDefaultFleet) {
  v1::ListAssetsResponse list = ListAssets();
  EXPECT_EQ(FromProtoTime(list.as_of()), Utc(kReplayStart));
  ASSERT_EQ(list.assets_size(), 2) << list.ShortDebugString();

  const v1::Asset* battery = FindAsset(list, "battery-1");
  ASSERT_NE(battery, nullptr);
  EXPECT_EQ(battery->kind(), v1::ASSET_KIND_BATTERY);
  ASSERT_TRUE(battery->has_battery());
  EXPECT_DOUBLE_EQ(battery->battery().energy_capacity_mwh(), 100.0);
  EXPECT_DOUBLE_EQ(battery->battery().max_charge_mw(), 50.0);
  EXPECT_DOUBLE_EQ(battery->battery().max_discharge_mw(), 50.0);
  EXPECT_DOUBLE_EQ(battery->battery().soc_mwh(), 50.0);
  EXPECT_EQ(battery->scheduled_proposal_id(), 0);

  const v1::Asset* peaker = FindAsset(list, "peaker-1");
  ASSERT_NE(peaker, nullptr);
  EXPECT_EQ(peaker->kind(), v1::ASSET_KIND_PEAKER);
  ASSERT_TRUE(peaker->has_peaker());
  EXPECT_DOUBLE_EQ(peaker->peaker().capacity_mw(), 60.0);
  EXPECT_EQ(peaker->peaker().status(), v1::PEAKER_STATUS_OFF);
  EXPECT_EQ(peaker->scheduled_proposal_id(), 0);
}

struct MalformedCase {
  std::string name;
  std::function<void(v1::SubmitDispatchRequest*)> mutate;  // applied to a valid request
  std::string message_names;                               // expected in the error message
};

TEST_F(GatewayTest, SubmitDispatchRejectsMalformedProposalsNamingTheProblem) {
  auto proposal = [](v1::SubmitDispatchRequest* r) { return r->mutable_proposals(0); };
  const std::vector<MalformedCase> cases = {
      {"unknown asset", [&](auto* r) { proposal(r)->set_asset_id("battery-9"); }, "battery-9"},
      {"NaN power",
       [&](auto* r) { proposal(r)->set_power_mw(std::numeric_limits<double>::quiet_NaN()); },
       "power_mw"},
      {"+inf power",
       [&](auto* r) { proposal(r)->set_power_mw(std::numeric_limits<double>::infinity()); },
       "power_mw"},
      {"battery discharge above limit", [&](auto* r) { proposal(r)->set_power_mw(60); },
       "power_mw"},
      {"battery charge above limit", [&](auto* r) { proposal(r)->set_power_mw(-60); }, "power_mw"},
      {"negative peaker output",
       [&](auto* r) {
         proposal(r)->set_asset_id("peaker-1");
         proposal(r)->set_power_mw(-5);
       },
       "power_mw"},
      {"unspecified priority",
       [&](auto* r) { proposal(r)->set_priority(v1::DISPATCH_PRIORITY_UNSPECIFIED); }, "priority"},
      {"end equal to start", [&](auto* r) { *proposal(r)->mutable_end() = proposal(r)->start(); },
       "end"},
      {"end before start",
       [&](auto* r) {
         *proposal(r)->mutable_end() = ToProtoTime(Utc(kReplayStart) - base::kHalfHour);
       },
       "end"},
      {"missing start", [&](auto* r) { proposal(r)->clear_start(); }, "start"},
      {"empty agent", [&](auto* r) { r->clear_agent(); }, "agent"},
  };
  for (const MalformedCase& c : cases) {
    SCOPED_TRACE(c.name);
    v1::SubmitDispatchRequest request = Request({BatteryProposal(10)});
    c.mutate(&request);
    v1::SubmitDispatchResponse response;
    grpc::Status status = Submit(request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr(c.message_names));
    EXPECT_EQ(response.results_size(), 0);
  }
  // None of them reached the arbiter.
  EXPECT_EQ(FindAsset(ListAssets(), "battery-1")->scheduled_proposal_id(), 0);
  EXPECT_EQ(FindAsset(ListAssets(), "peaker-1")->scheduled_proposal_id(), 0);
  StopGateway();
  EXPECT_EQ(CountProposalRows(store_, "accepted"), 0);
}

// A few hundred generated hostile requests against the real gateway: oversized strings,
// control characters in identifiers, timestamps out of range, leases far from the clock,
// powers beyond any asset, a peaker asked for less than its min stable load, absurd plans.
// Each gets INVALID_ARGUMENT naming the field; the gateway keeps serving; the accepted
// proposals before and after are all the store holds as accepted.
TEST_F(GatewayTest, HostileProposalsAreRefusedAndTheGatewayKeepsServing) {
  v1::SubmitDispatchResponse response;
  ASSERT_TRUE(Submit(Request({BatteryProposal(10, "before")}), &response).ok());
  const int64_t before_id = response.results(0).proposal_id();

  const absl::Time start = Utc(kReplayStart);
  struct Hostile {
    std::string kind;
    std::function<void(int, v1::SubmitDispatchRequest*)> mutate;  // i: the variant
    std::string message_names;
  };
  auto proposal = [](v1::SubmitDispatchRequest* r) { return r->mutable_proposals(0); };
  auto control = [](int i) { return std::string(1, static_cast<char>(i % 2 ? i % 32 : 0x7f)); };
  const std::vector<Hostile> kinds = {
      {"long agent", [](int i, auto* r) { r->set_agent(std::string(65 + i * 997, 'a')); }, "agent"},
      {"agent with control", [&](int i, auto* r) { r->set_agent("agent" + control(i) + "x"); },
       "agent: control character"},
      {"long reason",
       [&](int i, auto* r) { proposal(r)->set_reason(std::string(1025 + i * 4999, 'r')); },
       "proposals[0].reason"},
      {"long key",
       [&](int i, auto* r) { proposal(r)->set_idempotency_key(std::string(129 + i * 31, 'k')); },
       "proposals[0].idempotency_key"},
      {"key with control",
       [&](int i, auto* r) { proposal(r)->set_idempotency_key("k" + control(i)); },
       "proposals[0].idempotency_key: control character"},
      {"asset with control",
       [&](int i, auto* r) { proposal(r)->set_asset_id("battery-1" + control(i)); },
       "proposals[0].asset_id: control character"},
      {"long note", [](int i, auto* r) { r->set_note(std::string(2049 + i * 7001, 'n')); }, "note"},
      {"lease long ago",
       [&](int i, auto* r) {
         *proposal(r)->mutable_start() = ToProtoTime(start - absl::Hours(24 * (8 + 3000 * i)));
       },
       "proposals[0].start"},
      {"lease far ahead",
       [&](int i, auto* r) {
         *proposal(r)->mutable_end() = ToProtoTime(start + absl::Hours(24 * (8 + 3000 * i)));
       },
       "proposals[0].end"},
      {"timestamp beyond 9999",
       [&](int i, auto* r) { proposal(r)->mutable_end()->set_seconds(253402300800 + i); },
       "Timestamp range"},
      {"power beyond the battery",
       [&](int i, auto* r) {
         proposal(r)->set_power_mw((i % 2 ? 1 : -1) * (50.5 + std::pow(10.0, i % 300)));
       },
       "power_mw"},
      {"power not finite",
       [&](int i, auto* r) {
         proposal(r)->set_power_mw(i % 2 ? std::numeric_limits<double>::quiet_NaN()
                                         : -std::numeric_limits<double>::infinity());
       },
       "power_mw"},
      {"peaker below min stable load",
       [&](int i, auto* r) {
         proposal(r)->set_asset_id("peaker-1");
         proposal(r)->set_power_mw(i == 0 ? 1e-9 : 20.0 * i / 21.0);
       },
       "min stable load"},
      {"plan power",
       [&](int i, auto* r) {
         *r->mutable_plan()->mutable_first_interval_start() = ToProtoTime(start);
         r->mutable_plan()->add_power_mw(1e308 / (i + 1));
       },
       "plan.power_mw[0]"},
      {"plan price",
       [&](int i, auto* r) {
         *r->mutable_plan()->mutable_first_interval_start() = ToProtoTime(start);
         r->mutable_plan()->add_power_mw(1);
         r->mutable_plan()->add_price_forecast_gbp_per_mwh(-1e308 / (i + 1));
       },
       "plan.price_forecast_gbp_per_mwh[0]"},
  };
  constexpr int kVariants = 20;
  int tried = 0;
  int refused_well = 0;
  for (const Hostile& kind : kinds) {
    for (int i = 0; i < kVariants; ++i) {
      SCOPED_TRACE(absl::StrCat(kind.kind, " #", i));
      v1::SubmitDispatchRequest request = Request({BatteryProposal(10, absl::StrCat("h", tried))});
      kind.mutate(i, &request);
      ++tried;
      grpc::Status status = Submit(request, &response);
      EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
      EXPECT_THAT(status.error_message(), HasSubstr(kind.message_names));
      EXPECT_LT(status.error_message().size(), 400u);
      refused_well += status.error_code() == grpc::StatusCode::INVALID_ARGUMENT &&
                      status.error_message().find(kind.message_names) != std::string::npos;
    }
  }
  EXPECT_EQ(tried, 300);
  EXPECT_EQ(refused_well, tried);
  // A request above the server's receive limit never reaches the gateway's code.
  v1::SubmitDispatchRequest huge = Request({BatteryProposal(10, "huge")});
  huge.set_note(std::string(kMaxServerReceiveMessageBytes + 1, 'n'));
  EXPECT_EQ(Submit(huge, &response).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);

  // Still serving, with the schedule as it was, and still accepting.
  ASSERT_NO_FATAL_FAILURE(ExpectBatteryScheduled(before_id, 10.0));
  v1::RegisterAgentResponse registered;
  EXPECT_EQ(RegisterAgent("agent\nforged", &registered).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_TRUE(Submit(Request({BatteryProposal(-20, "after")}), &response).ok());
  ASSERT_NO_FATAL_FAILURE(ExpectBatteryScheduled(response.results(0).proposal_id(), -20.0));
  StopGateway();
  EXPECT_EQ(CountProposalRows(store_, "accepted"), 2);
  EXPECT_EQ(CountProposalRows(store_, "accepted", "before"), 1);
  EXPECT_EQ(CountProposalRows(store_, "accepted", "after"), 1);
  EXPECT_EQ(CountProposalRows(store_, "rejected"), tried);
  EXPECT_LE(testing::Number(store_, "SELECT MAX(LENGTH(reason) + LENGTH(agent)) FROM proposals"),
            1024 + 64 + 64);
}

TEST_F(GatewayTest, SubmitDispatchIsAllOrNothing) {
  v1::SubmitDispatchResponse response;
  grpc::Status status =
      Submit(Request({BatteryProposal(10, "batch-valid"), BatteryProposal(60, "batch-invalid")}),
             &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // The message names the offending proposal, the second one.
  EXPECT_THAT(status.error_message(), HasSubstr("proposals[1]"));
  EXPECT_EQ(FindAsset(ListAssets(), "battery-1")->scheduled_proposal_id(), 0);

  // The valid half on its own is new (had the batch stored it, this would be a
  // duplicate) and is what the schedule then shows.
  status = Submit(Request({BatteryProposal(10, "batch-valid")}), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.results_size(), 1);
  EXPECT_FALSE(response.results(0).duplicate());
  ASSERT_NO_FATAL_FAILURE(ExpectBatteryScheduled(response.results(0).proposal_id(), 10.0));

  StopGateway();
  EXPECT_EQ(CountProposalRows(store_, "accepted", "batch-valid"), 1);
  EXPECT_EQ(CountProposalRows(store_, "duplicate", "batch-valid"), 0);
  EXPECT_EQ(CountProposalRows(store_, "accepted", "batch-invalid"), 0);
}

TEST_F(GatewayTest, RepeatedIdempotencyKeyIsAppliedOnce) {
  v1::SubmitDispatchResponse first;
  ASSERT_TRUE(Submit(Request({BatteryProposal(10, "key-1")}), &first).ok());
  v1::SubmitDispatchResponse second;
  ASSERT_TRUE(Submit(Request({BatteryProposal(10, "key-1")}), &second).ok());
  ASSERT_EQ(first.results_size(), 1);
  ASSERT_EQ(second.results_size(), 1);
  EXPECT_GT(first.results(0).proposal_id(), 0);
  EXPECT_FALSE(first.results(0).duplicate());
  EXPECT_EQ(second.results(0).proposal_id(), first.results(0).proposal_id());
  EXPECT_TRUE(second.results(0).duplicate());

  // The same key for a different proposal is a client bug, not a retry.
  v1::SubmitDispatchResponse third;
  grpc::Status status = Submit(Request({BatteryProposal(20, "key-1")}), &third);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("idempotency_key"));
  ASSERT_NO_FATAL_FAILURE(ExpectBatteryScheduled(first.results(0).proposal_id(), 10.0));

  StopGateway();
  EXPECT_EQ(CountProposalRows(store_, "accepted", "key-1"), 1);
  EXPECT_EQ(CountProposalRows(store_, "duplicate", "key-1"), 1);
}

TEST_F(GatewayTest, CancelDispatch) {
  grpc::Status status = Cancel(987654);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message();

  v1::SubmitDispatchResponse response;
  ASSERT_TRUE(Submit(Request({BatteryProposal(-20)}), &response).ok());
  ASSERT_EQ(response.results_size(), 1);
  const int64_t id = response.results(0).proposal_id();
  ASSERT_NO_FATAL_FAILURE(ExpectBatteryScheduled(id, -20.0));

  status = Cancel(id);
  EXPECT_TRUE(status.ok()) << status.error_message();
  ASSERT_NO_FATAL_FAILURE(ExpectBatteryScheduled(0, 0.0));
}

TEST_F(GatewayTest, ClockServiceLifecycle) {
  v1::RegisterAgentResponse registered;
  grpc::Status status = RegisterAgent("", &registered);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  v1::GetClockStatusResponse before = ClockStatus();
  EXPECT_EQ(before.mode(), v1::CLOCK_MODE_LOCK_STEP);
  EXPECT_EQ(before.state(), v1::RUN_STATE_WAITING);
  EXPECT_EQ(before.ticks_total(), 48);
  EXPECT_EQ(before.ticks_done(), 0);
  EXPECT_EQ(FromProtoTime(before.now()), Utc(kReplayStart));
  EXPECT_TRUE(before.registered_agents().empty());

  status = StartClock();
  EXPECT_TRUE(status.ok()) << status.error_message();
  status = StartClock();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
  EXPECT_NE(ClockStatus().state(), v1::RUN_STATE_WAITING);
}

const v1::Asset* FindInTick(const v1::Tick& tick, const std::string& id) {
  for (const v1::Asset& a : tick.assets()) {
    if (a.id() == id) return &a;
  }
  return nullptr;
}

// A test-driven agent answers every tick in lock-step with a resilience discharge of
// 10 MW for the coming interval, and checks at the next tick that the gateway applied
// it, limited only by the energy stored above soc_min.
TEST_F(GatewayTest, LockStepWithATestAgent) {
  constexpr double kRequestMw = 10.0;
  v1::RegisterAgentResponse registered;
  ASSERT_TRUE(RegisterAgent("test-agent", &registered).ok());
  EXPECT_EQ(FromProtoTime(registered.region().replay_start()), Utc(kReplayStart));
  EXPECT_THAT(ClockStatus().registered_agents(), ::testing::ElementsAre("test-agent"));
  ASSERT_TRUE(StartClock().ok());

  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(10));
  v1::SubscribeRequest subscribe;
  subscribe.set_subscriber("test-agent");
  std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader =
      telemetry_->Subscribe(&context, subscribe);

  v1::SubscribeResponse message;
  int64_t ticks = 0;
  int64_t previous_id = 0;
  double previous_soc_mwh = 0.0;
  int full_power_intervals = 0;
  int clamped_intervals = 0;
  while (reader->Read(&message)) {
    const v1::Tick& tick = message.tick();
    SCOPED_TRACE(
        absl::StrCat("tick ", ticks, " at ", base::FormatUtcTimestamp(FromProtoTime(tick.time()))));
    ASSERT_EQ(tick.sequence(), ticks);
    const absl::Time t = FromProtoTime(tick.time());
    EXPECT_EQ(t, Utc(kReplayStart) + ticks * base::kHalfHour);
    EXPECT_EQ(FromProtoTime(tick.measured_interval_start()), t - base::kHalfHour);
    const v1::Asset* battery = FindInTick(tick, "battery-1");
    ASSERT_NE(battery, nullptr);
    const v1::BatteryState& b = battery->battery();

    if (ticks == 0) {
      EXPECT_DOUBLE_EQ(b.power_mw(), 0.0);
    } else {
      // What the gateway could deliver from the energy above soc_min in half an hour.
      const double available_mw =
          std::max(0.0, previous_soc_mwh - b.soc_min_mwh()) * b.discharge_efficiency() / 0.5;
      const double expected_mw = std::min(kRequestMw, available_mw);
      EXPECT_NEAR(b.power_mw(), expected_mw, 1e-6);
      EXPECT_NEAR(b.soc_mwh(), previous_soc_mwh - b.power_mw() * 0.5 / b.discharge_efficiency(),
                  1e-6);
      if (available_mw >= kRequestMw) {
        EXPECT_DOUBLE_EQ(b.power_mw(), kRequestMw);
        ++full_power_intervals;
      } else {
        ++clamped_intervals;
      }
      // The audit log agrees: our proposal governed the interval just applied.
      bool found = false;
      for (const v1::Decision& d : ListDecisions(2)) {
        if (d.asset_id() != "battery-1") continue;
        found = true;
        EXPECT_EQ(FromProtoTime(d.interval_start()), t - base::kHalfHour);
        EXPECT_EQ(d.proposal_id(), previous_id);
        EXPECT_EQ(d.agent(), "test-agent");
        EXPECT_DOUBLE_EQ(d.requested_mw(), kRequestMw);
        EXPECT_DOUBLE_EQ(d.applied_mw(), b.power_mw());
        if (b.power_mw() < kRequestMw) {
          EXPECT_FALSE(d.reason().empty()) << "clamped without a reason";
        }
      }
      EXPECT_TRUE(found) << "no battery-1 decision for the last interval";
    }

    v1::DispatchProposal p;
    p.set_asset_id("battery-1");
    p.set_priority(v1::DISPATCH_PRIORITY_RESILIENCE);
    p.set_power_mw(kRequestMw);
    *p.mutable_start() = tick.time();
    *p.mutable_end() = ToProtoTime(t + base::kHalfHour);
    p.set_idempotency_key(absl::StrCat("tick-", ticks));
    p.set_reason("lock-step test");
    v1::SubmitDispatchRequest request = Request({p});
    *request.mutable_answers_tick() = tick.time();
    v1::SubmitDispatchResponse response;
    grpc::Status status = Submit(request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_EQ(response.results_size(), 1);
    EXPECT_FALSE(response.results(0).duplicate());
    previous_id = response.results(0).proposal_id();
    previous_soc_mwh = b.soc_mwh();
    ++ticks;
  }
  grpc::Status finished = reader->Finish();
  EXPECT_TRUE(finished.ok()) << finished.error_message();
  EXPECT_EQ(ticks, 48);
  // 45 MWh above soc_min covers several full 10 MW intervals, then the floor clamps.
  EXPECT_GT(full_power_intervals, 0);
  EXPECT_GT(clamped_intervals, 0);

  // The stream ends when the run finishes; poll briefly in case status lags the stream.
  v1::GetClockStatusResponse status = ClockStatus();
  for (const absl::Time give_up = absl::Now() + kExitTimeout;
       status.state() != v1::RUN_STATE_FINISHED && absl::Now() < give_up;) {
    absl::SleepFor(absl::Milliseconds(20));
    status = ClockStatus();
  }
  EXPECT_EQ(status.state(), v1::RUN_STATE_FINISHED);
  EXPECT_EQ(status.ticks_done(), 48);
  EXPECT_EQ(status.missed_answers(), 0);
  // Every answer was timed from its tick's publication.
  ASSERT_EQ(status.answer_latency_size(), 1);
  EXPECT_EQ(status.answer_latency(0).agent(), "test-agent");
  EXPECT_EQ(status.answer_latency(0).count(), 48);
  EXPECT_GT(status.answer_latency(0).p50_us(), 0.0);
  EXPECT_LE(status.answer_latency(0).p50_us(), status.answer_latency(0).p99_us());
  EXPECT_LE(status.answer_latency(0).p99_us(), status.answer_latency(0).max_us());

  v1::GetPnlResponse pnl;
  ASSERT_TRUE(
      testing::UnaryCall(*ledger_, &v1::LedgerService::Stub::GetPnl, {}, &pnl, kRpcTimeout).ok());
  double sum_gbp = 0.0;
  for (const v1::CauseTotal& c : pnl.by_cause()) sum_gbp += c.amount_gbp();
  EXPECT_NEAR(pnl.net_gbp(), sum_gbp, 1e-6 * std::max(1.0, std::abs(sum_gbp)));
  EXPECT_EQ(pnl.intervals_settled(), 48);
  bool battery_summary = false;
  for (const v1::AssetDispatchSummary& d : pnl.dispatches()) {
    if (d.asset_id() != "battery-1") continue;
    battery_summary = true;
    EXPECT_GE(d.intervals_dispatched(), full_power_intervals);
    EXPECT_GT(d.energy_mwh(), 0.0);
  }
  EXPECT_TRUE(battery_summary) << pnl.ShortDebugString();
}

// A follower of the current state asks for at most one tick per second: it gets the newest
// each time, always the run's last, and far fewer than the run's 48 (an agent-less
// lock-step day takes well under a second).
TEST_F(GatewayTest, SubscribeWithAMinTickGapSendsTheNewestTicksAndTheLast) {
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::SubscribeRequest subscribe;
  subscribe.set_subscriber("board");
  subscribe.mutable_min_tick_gap()->set_seconds(1);
  std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader =
      telemetry_->Subscribe(&context, subscribe);
  ASSERT_TRUE(StartClock().ok());
  std::vector<int64_t> sequences;
  v1::SubscribeResponse message;
  while (reader->Read(&message)) sequences.push_back(message.tick().sequence());
  const grpc::Status finished = reader->Finish();
  EXPECT_TRUE(finished.ok()) << finished.error_message();
  ASSERT_FALSE(sequences.empty());
  EXPECT_LT(sequences.size(), 48u);
  EXPECT_TRUE(std::is_sorted(sequences.begin(), sequences.end()) &&
              std::adjacent_find(sequences.begin(), sequences.end()) == sequences.end())
      << absl::StrJoin(sequences, ",");
  EXPECT_EQ(sequences.back(), 47);
  EXPECT_EQ(message.tick().sequence(), 47);
  EXPECT_EQ(FromProtoTime(message.tick().time()), Utc(kReplayStart) + 47 * base::kHalfHour);
}

TEST_F(GatewayTest, SubscribeRefusesAGapOrStartOutOfBounds) {
  auto refusal = [this](const v1::SubscribeRequest& request) {
    grpc::ClientContext context;
    SetDeadline(&context);
    std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader =
        telemetry_->Subscribe(&context, request);
    v1::SubscribeResponse message;
    EXPECT_FALSE(reader->Read(&message));
    return reader->Finish();
  };
  v1::SubscribeRequest request;
  request.mutable_min_tick_gap()->set_seconds(61);
  grpc::Status status = refusal(request);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("min_tick_gap: 61 s 0 ns is outside [0, 60 s]"));
  request.mutable_min_tick_gap()->set_seconds(0);
  request.mutable_min_tick_gap()->set_nanos(-1);
  status = refusal(request);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("min_tick_gap"));
  request.clear_min_tick_gap();
  request.mutable_from_time()->set_nanos(1'000'000'000);
  status = refusal(request);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("from_time: nanos 1000000000"));
}

TEST_F(GatewayTest, HistoryBeforeStartHasNoLookAhead) {
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::HistoryRequest request;
  *request.mutable_start() = ToProtoTime(Utc("2023-02-28T00:00:00Z"));
  *request.mutable_end() = ToProtoTime(Utc("2023-03-05T00:00:00Z"));
  std::unique_ptr<grpc::ClientReader<v1::HistoryResponse>> reader =
      telemetry_->History(&context, request);
  std::vector<v1::Tick> history;
  v1::HistoryResponse message;
  while (reader->Read(&message)) history.push_back(message.tick());
  grpc::Status status = reader->Finish();
  ASSERT_TRUE(status.ok()) << status.error_message();

  ASSERT_EQ(history.size(), 48u);
  EXPECT_EQ(FromProtoTime(history.front().measured_interval_start()), Utc("2023-02-28T00:00:00Z"));
  EXPECT_EQ(FromProtoTime(history.back().measured_interval_start()), Utc("2023-02-28T23:30:00Z"));
  for (const v1::Tick& h : history) {
    // Every interval has ended by the gateway clock (the replay start).
    EXPECT_LE(FromProtoTime(h.measured_interval_start()) + base::kHalfHour, Utc(kReplayStart));
    EXPECT_TRUE(h.has_net_load_mw());
    EXPECT_TRUE(h.assets().empty());
  }
}

// --- Bad inputs: the gateway refuses to run and its log says why. ---

class GatewayBadInputTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir("gateway_grpc"); }
  void TearDown() override {
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }

  // Runs the gateway for the usual day with `extra_args`; expects a non-zero exit.
  std::string RunAndExpectFailure(const std::vector<std::string>& extra_args) {
    std::vector<std::string> args = Concat(OneDayArgs(), {"--store", dir_ + "/s.sqlite", "--port",
                                                          "0", "--port_file", dir_ + "/port"});
    std::string log;
    const std::string ended = RunExpectingExit(Concat(args, extra_args), dir_, &log);
    EXPECT_THAT(ended, ::testing::StartsWith("exit "));
    EXPECT_NE(ended, "exit 0") << log;
    EXPECT_FALSE(std::filesystem::exists(dir_ + "/port")) << "it listened despite bad input";
    return log;
  }

  std::string dir_;
};

TEST_F(GatewayBadInputTest, MissingDemandCsvIsNamed) {
  const std::string missing = dir_ + "/no_such_demand.csv";
  EXPECT_THAT(RunAndExpectFailure({"--demand_csv", missing}), HasSubstr(missing));
}

TEST_F(GatewayBadInputTest, MissingDayAheadForecastCsvIsNamed) {
  const std::string missing = dir_ + "/no_such_day_ahead.csv";
  const std::string log = RunAndExpectFailure({"--day_ahead_csv", missing});
  EXPECT_THAT(log, HasSubstr("cannot load the day-ahead forecast"));
  EXPECT_THAT(log, HasSubstr(missing));
}

TEST_F(GatewayBadInputTest, CorruptDemandValueIsNamedByFileLineAndColumn) {
  // Copy the shipped demand file, replacing the ND value of line 100 with "abc".
  std::ifstream in(testing::DataFile("gb_demand_2022_2023.csv"));
  ASSERT_TRUE(in) << "cannot read the shipped demand file";
  const std::string corrupt = dir_ + "/demand_corrupt.csv";
  std::ofstream out(corrupt);
  std::string line;
  int line_number = 0;
  int nd_column = -1;
  while (std::getline(in, line)) {
    ++line_number;
    std::vector<std::string> fields = absl::StrSplit(line, ',');
    if (line_number == 1) {
      for (size_t i = 0; i < fields.size(); ++i) {
        if (fields[i] == "ND") nd_column = static_cast<int>(i);
      }
      ASSERT_GE(nd_column, 0) << "no ND column in " << line;
    }
    if (line_number == 100) fields[nd_column] = "abc";
    out << absl::StrJoin(fields, ",") << "\n";
  }
  out.close();
  ASSERT_GT(line_number, 100);

  const std::string log = RunAndExpectFailure({"--demand_csv", corrupt});
  EXPECT_THAT(log, HasSubstr(absl::StrCat(corrupt, ":100")));
  EXPECT_THAT(log, HasSubstr("column ND"));
  EXPECT_THAT(log, HasSubstr("abc"));
}

TEST_F(GatewayBadInputTest, BadConfigIsNamedByKey) {
  struct Case {
    std::string name;
    std::string json;
    std::string key;  // expected in the log
  };
  const std::vector<Case> cases = {
      {"unknown key", R"({"batteries": [{"id": "battery-1", "max_chrage_mw": 50}]})",
       "max_chrage_mw"},
      {"unknown top-level key", R"({"regoin": {"scale": 0.01}})", "regoin"},
      {"negative charge limit", R"({"batteries": [{"id": "battery-1", "max_charge_mw": -1}]})",
       "max_charge_mw"},
      {"a number too large for a double", R"({"region": {"ramp_limit_mw": 1e999}})",
       "region.ramp_limit_mw: 1e999 is not a finite number"},
      {"truncated", R"({"region": {"ramp_limit_mw": 1)", "region.ramp_limit_mw"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string config = dir_ + "/config.json";
    WriteFile(config, c.json);
    const std::string log = RunAndExpectFailure({"--config", config});
    EXPECT_THAT(log, HasSubstr(c.key));
    EXPECT_THAT(log, HasSubstr(config));
  }
}

}  // namespace
}  // namespace gridpilot
