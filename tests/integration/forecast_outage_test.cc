// Integration test of the response agent's degraded mode: the real gateway (live
// mode, one half-hour every 0.15 s of wall time), forecast and response processes run as
// child processes of the test (port 0 + port files, logs in a temp dir), so the test can
// kill the forecast process mid-run. While it is down the agent must say it is degraded
// and why, keep answering ticks, keep counting measured ramps and keep sending resilience
// proposals (the gateway's decisions show them); when the forecast process comes back on
// the same port (loading its cached models) the agent must leave degraded mode.
//
// The replay is 2023-03-01 .. 2023-03-03: every day has measured ramps beyond the 15 MW
// limit of the 1% region (the morning rise 06:00-07:30 UTC, the evening fall 20:00-23:30),
// so any degraded stretch of a sim day includes some.
//
// A second test stalls the forecast process (SIGSTOP) in a lock-step run: its forecaster
// session stays open but never answers, so each interval tick waits for it only up to the
// gateway's --forecast_deadline_seconds, and after three such ticks not at all; the ticks
// still reach the agent, which decides every one degraded. A third kills the forecast
// process mid lock-step run and starts another: the run goes on while it catches up.
#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/base/time_util.h"
#include "gmock/gmock.h"
#include "gridpilot/v1/asset.grpc.pb.h"
#include "gridpilot/v1/clock.grpc.pb.h"
#include "gridpilot/v1/forecast.grpc.pb.h"
#include "gridpilot/v1/response.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/cli/child_process.h"
#include "services/common/proto_time.h"
#include "services/common/server_runner.h"
#include "tests/integration/grpc_call.h"
#include "tests/integration/test_env.h"

namespace gridpilot {
namespace {

using ::testing::HasSubstr;

// Hang detectors, not speed assertions. The first forecast start trains the models
// (seconds; none with $GRIDPILOT_MODEL_DIR's cache); the restart loads them.
constexpr absl::Duration kStartTimeout = absl::Seconds(60);
constexpr absl::Duration kForecastReadyTimeout = absl::Seconds(90);
constexpr absl::Duration kRpcTimeout = absl::Seconds(10);
constexpr absl::Duration kStopGrace = absl::Seconds(15);
constexpr absl::Duration kPollPeriod = absl::Milliseconds(20);
// Live ticks come every 0.15 s, so these are many ticks: "within a few ticks" with room
// for a loaded machine.
constexpr absl::Duration kFirstForecastTimeout = absl::Seconds(15);
constexpr absl::Duration kDegradeTimeout = absl::Seconds(10);
// A sim day is 7.2 s; two measured ramps come within one day.
constexpr absl::Duration kRampsTimeout = absl::Seconds(15);
// The response agent reconnects to the forecast service on gRPC's reconnect backoff,
// which grows with the length of the outage (1 s, 1.6 s, 2.6 s, ... up to 120 s by
// default); the outage here lasts a few seconds, so the next attempt is soon.
constexpr absl::Duration kRecoveryTimeout = absl::Seconds(20);

constexpr char kAgent[] = "response";
// Measured ramps seen while degraded before the forecast is restarted.
constexpr int kRampsWhileDegraded = 2;

using AgentStatus = v1::GetResponseStatusResponse;

std::string Describe(const AgentStatus& s) {
  return absl::StrCat(
      "{degraded=", s.degraded(), " reason=\"", s.degraded_reason(),
      "\" ticks_seen=", s.ticks_seen(), " measured_ramps=", s.measured_ramp_events(),
      " forecast_ramps=", s.forecast_ramp_events(), " proposals_sent=", s.proposals_sent(),
      " last_decision=", base::FormatUtcTimestamp(FromProtoTime(s.last_decision_time())), "}");
}

class ForecastOutageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("forecast_outage");
    // The shared model cache when ctest names one (trained once), else this test's own.
    const char* cache = std::getenv("GRIDPILOT_MODEL_DIR");
    model_dir_ = cache != nullptr && *cache != '\0' ? std::string(cache) : dir_ + "/models";
  }

  void TearDown() override {
    std::cout << "timeline:\n  " << absl::StrJoin(timeline_, "\n  ") << "\n";
    // Agents first, the gateway last; the destructors SIGKILL anything left.
    for (std::optional<ChildProcess>* child : {&response_, &forecast_, &gateway_}) {
      if (child->has_value()) (*child)->Stop(kStopGrace);
    }
    if (!HasFailure()) std::filesystem::remove_all(dir_);  // kept, with the logs, on failure
  }

  // Starts `binary` with its log in the temp dir and waits for its port file.
  absl::StatusOr<int> Start(const std::string& name, const std::string& binary,
                            std::vector<std::string> args, std::optional<ChildProcess>* slot) {
    const std::string port_file = absl::StrCat(dir_, "/", name, ".port");
    args.insert(args.end(), {"--port_file", port_file, "--insecure"});
    absl::StatusOr<ChildProcess> child = ChildProcess::Start(
        name, testing::BinaryPath(binary), args, absl::StrCat(dir_, "/", name, ".log"));
    if (!child.ok()) return child.status();
    if (slot->has_value()) replaced_.push_back(*std::move(*slot));
    slot->emplace(*std::move(child));
    return (*slot)->WaitForPort(port_file, kStartTimeout);
  }

  // Starts a forecast process on `port` (0 = any) and waits until it serves forecasts.
  absl::StatusOr<int> StartForecast(const std::string& name, int port) {
    absl::StatusOr<int> bound = Start(name, "gridpilot-forecast",
                                      {"--gateway", testing::LoopbackAddress(gateway_port_),
                                       "--model_dir", model_dir_, "--port", absl::StrCat(port)},
                                      &forecast_);
    if (!bound.ok()) return bound;
    // GetAccuracy is UNAVAILABLE while the models train or load.
    auto stub = v1::ForecastService::NewStub(MakeChannel(testing::LoopbackAddress(*bound)));
    const absl::Time give_up = absl::Now() + kForecastReadyTimeout;
    grpc::Status status;
    while (absl::Now() < give_up && forecast_->Running()) {
      v1::GetAccuracyResponse accuracy;
      status = testing::UnaryCall(*stub, &v1::ForecastService::Stub::GetAccuracy, {}, &accuracy,
                                  kRpcTimeout);
      if (status.ok()) return bound;
      absl::SleepFor(absl::Milliseconds(50));
    }
    return absl::UnavailableError(
        absl::StrCat(name, " never served GetAccuracy (last: ", status.error_message(), ")"));
  }

  // Starts a lock-step gateway with `gateway_args`, a forecast process whose forecaster
  // session is open, and the response agent, registered; the run is not started.
  absl::Status StartLockStepStack(std::vector<std::string> gateway_args) {
    absl::StatusOr<int> gateway_port =
        Start("gateway", "gridpilot-gateway", std::move(gateway_args), &gateway_);
    if (!gateway_port.ok()) return gateway_port.status();
    gateway_port_ = *gateway_port;
    std::shared_ptr<grpc::Channel> gateway = MakeChannel(testing::LoopbackAddress(gateway_port_));
    clock_ = v1::ClockService::NewStub(gateway);
    absl::StatusOr<int> forecast_port = StartForecast("forecast", 0);
    if (!forecast_port.ok()) return forecast_port.status();
    forecast_port_ = *forecast_port;
    if (!WaitForGatewayLog("forecaster session opened")) {
      return absl::UnavailableError("the forecaster's session never opened");
    }
    absl::StatusOr<int> response_port =
        Start("response", "gridpilot-response",
              {"--gateway", testing::LoopbackAddress(gateway_port_), "--forecast",
               testing::LoopbackAddress(*forecast_port), "--forecast_wait_seconds", "0.05",
               "--port", "0"},
              &response_);
    if (!response_port.ok()) return response_port.status();
    response_stub_ =
        v1::ResponseService::NewStub(MakeChannel(testing::LoopbackAddress(*response_port)));
    const absl::Time give_up = absl::Now() + kStartTimeout;
    while (absl::Now() < give_up) {
      const auto agents = ClockStatus().registered_agents();
      if (std::find(agents.begin(), agents.end(), kAgent) != agents.end()) {
        return absl::OkStatus();
      }
      absl::SleepFor(kPollPeriod);
    }
    return absl::UnavailableError("the response agent never registered");
  }

  // True once the gateway's log holds `text` (within kStartTimeout).
  bool WaitForGatewayLog(const std::string& text) {
    const absl::Time give_up = absl::Now() + kStartTimeout;
    while (absl::Now() < give_up) {
      if (testing::ReadFile(gateway_->log_path()).find(text) != std::string::npos) return true;
      absl::SleepFor(kPollPeriod);
    }
    return false;
  }

  v1::GetClockStatusResponse ClockStatus() {
    v1::GetClockStatusResponse status;
    grpc::Status rpc = testing::UnaryCall(*clock_, &v1::ClockService::Stub::GetClockStatus, {},
                                          &status, kRpcTimeout);
    EXPECT_TRUE(rpc.ok()) << rpc.error_message();
    return status;
  }

  std::optional<AgentStatus> AgentStatusNow() {
    AgentStatus status;
    grpc::Status rpc = testing::UnaryCall(
        *response_stub_, &v1::ResponseService::Stub::GetResponseStatus, {}, &status, kRpcTimeout);
    if (!rpc.ok()) {
      ADD_FAILURE() << "ResponseService.GetResponseStatus: " << rpc.error_message();
      return std::nullopt;
    }
    return status;
  }

  // Polls the agent's status until `done` holds; nullopt (after recording why) if
  // `timeout` passes first. Every status seen goes to `each` first, so a caller can check
  // what must hold all along the wait.
  std::optional<AgentStatus> PollUntil(
      const std::string& what, absl::Duration timeout,
      const std::function<bool(const AgentStatus&)>& done,
      const std::function<void(const AgentStatus&)>& each = nullptr) {
    const absl::Time began = absl::Now();
    std::optional<AgentStatus> last;
    while (absl::Now() - began < timeout) {
      last = AgentStatusNow();
      if (!last.has_value()) return std::nullopt;
      if (each) each(*last);
      if (done(*last)) {
        Note(absl::StrCat(what, " after ", absl::FormatDuration(absl::Now() - began), ": ",
                          Describe(*last)));
        return last;
      }
      absl::SleepFor(kPollPeriod);
    }
    Note(absl::StrCat("TIMED OUT waiting ", absl::FormatDuration(timeout), " for ", what,
                      "; last status ", last.has_value() ? Describe(*last) : "none"));
    return std::nullopt;
  }

  void Note(const std::string& line) { timeline_.push_back(line); }

  // What happened, and the tail of every log: printed with any failure.
  std::string Diagnostics() {
    std::string out = absl::StrCat("\ntimeline:\n  ", absl::StrJoin(timeline_, "\n  "), "\n");
    v1::GetClockStatusResponse clock;
    if (clock_ != nullptr && testing::UnaryCall(*clock_, &v1::ClockService::Stub::GetClockStatus,
                                                {}, &clock, kRpcTimeout)
                                 .ok()) {
      absl::StrAppend(&out, "gateway clock: ", clock.ShortDebugString(), "\n");
    }
    for (std::optional<ChildProcess>* child : {&gateway_, &forecast_, &response_}) {
      if (child->has_value()) AppendLogTail(**child, &out);
    }
    for (const ChildProcess& child : replaced_) AppendLogTail(child, &out);
    return out;
  }

  static void AppendLogTail(const ChildProcess& child, std::string* out) {
    absl::StrAppend(out, "--- ", child.name(), ".log (tail) ---\n", child.LogTail(25), "\n");
  }

  std::string dir_;
  std::string model_dir_;
  int gateway_port_ = 0;
  int forecast_port_ = 0;  // set by StartLockStepStack
  std::optional<ChildProcess> gateway_;
  std::optional<ChildProcess> forecast_;
  std::optional<ChildProcess> response_;
  // Processes whose slot a restart has taken (the killed forecast), kept for their logs.
  std::vector<ChildProcess> replaced_;
  std::unique_ptr<v1::ClockService::Stub> clock_;
  std::unique_ptr<v1::AssetService::Stub> assets_;
  std::unique_ptr<v1::ResponseService::Stub> response_stub_;
  std::vector<std::string> timeline_;
};

TEST_F(ForecastOutageTest, AgentDegradesWhileForecastIsDownAndRecoversWhenItReturns) {
  // --- The stack: gateway, forecast (trains the models), response; then the clock. ---
  absl::StatusOr<int> gateway_port =
      Start("gateway", "gridpilot-gateway",
            {"--from", "2023-03-01", "--to", "2023-03-03", "--mode", "live", "--tick_seconds",
             "0.15", "--store", dir_ + "/s.sqlite", "--port", "0"},
            &gateway_);
  ASSERT_TRUE(gateway_port.ok()) << gateway_port.status() << Diagnostics();
  gateway_port_ = *gateway_port;
  std::shared_ptr<grpc::Channel> gateway = MakeChannel(testing::LoopbackAddress(gateway_port_));
  clock_ = v1::ClockService::NewStub(gateway);
  assets_ = v1::AssetService::NewStub(gateway);

  absl::StatusOr<int> forecast_port = StartForecast("forecast", 0);
  ASSERT_TRUE(forecast_port.ok()) << forecast_port.status() << Diagnostics();
  Note(absl::StrCat("forecast ready on port ", *forecast_port));

  absl::StatusOr<int> response_port = Start(
      "response", "gridpilot-response",
      {"--gateway", testing::LoopbackAddress(gateway_port_), "--forecast",
       testing::LoopbackAddress(*forecast_port), "--forecast_wait_seconds", "0.05", "--port", "0"},
      &response_);
  ASSERT_TRUE(response_port.ok()) << response_port.status() << Diagnostics();
  response_stub_ =
      v1::ResponseService::NewStub(MakeChannel(testing::LoopbackAddress(*response_port)));
  // The agent registers after it starts listening; the run must know it before it starts.
  const absl::Time give_up = absl::Now() + kStartTimeout;
  std::vector<std::string> registered;
  while (absl::Now() < give_up) {
    const auto agents = ClockStatus().registered_agents();
    registered.assign(agents.begin(), agents.end());
    if (std::find(registered.begin(), registered.end(), kAgent) != registered.end()) break;
    absl::SleepFor(kPollPeriod);
  }
  ASSERT_THAT(registered, ::testing::Contains(kAgent)) << Diagnostics();
  {
    v1::StartResponse started;
    grpc::Status status =
        testing::UnaryCall(*clock_, &v1::ClockService::Stub::Start, {}, &started, kRpcTimeout);
    ASSERT_TRUE(status.ok()) << status.error_message() << Diagnostics();
  }
  Note("clock started");

  // --- Forecasts in use. ---
  std::optional<AgentStatus> healthy =
      PollUntil("forecasts in use", kFirstForecastTimeout,
                [](const AgentStatus& s) { return s.ticks_seen() >= 2 && !s.degraded(); });
  ASSERT_TRUE(healthy.has_value()) << Diagnostics();
  EXPECT_EQ(healthy->degraded_reason(), "") << Diagnostics();

  // --- Kill the forecast process: the agent degrades within a few ticks. ---
  ASSERT_EQ(kill(forecast_->pid(), SIGKILL), 0);
  const absl::Time reap_by = absl::Now() + kStopGrace;
  while (forecast_->Running() && absl::Now() < reap_by) absl::SleepFor(absl::Milliseconds(5));
  ASSERT_EQ(forecast_->exit_description(), "signal 9") << Diagnostics();
  Note("forecast killed");

  std::optional<AgentStatus> degraded =
      PollUntil("degraded", kDegradeTimeout, [](const AgentStatus& s) { return s.degraded(); });
  ASSERT_TRUE(degraded.has_value()) << Diagnostics();
  EXPECT_THAT(degraded->degraded_reason(), HasSubstr("forecast")) << Diagnostics();
  const absl::Time degraded_from = FromProtoTime(degraded->last_decision_time());

  // --- While degraded: ticks answered, measured ramps counted, proposals sent. ---
  int healthy_while_down = 0;
  std::optional<AgentStatus> ramped = PollUntil(
      absl::StrCat(kRampsWhileDegraded, " measured ramps while degraded"), kRampsTimeout,
      [&](const AgentStatus& s) {
        return s.measured_ramp_events() >= degraded->measured_ramp_events() + kRampsWhileDegraded;
      },
      [&](const AgentStatus& s) {
        if (!s.degraded()) ++healthy_while_down;
      });
  ASSERT_TRUE(ramped.has_value()) << Diagnostics();
  EXPECT_EQ(healthy_while_down, 0)
      << "the agent claimed forecasts while the process was dead" << Diagnostics();
  EXPECT_GT(ramped->ticks_seen(), degraded->ticks_seen()) << Diagnostics();
  EXPECT_GT(ramped->proposals_sent(), degraded->proposals_sent()) << Diagnostics();
  // The metric: degraded ticks counted, one more entry, and since when.
  EXPECT_GT(ramped->degraded_ticks(), degraded->degraded_ticks()) << Diagnostics();
  EXPECT_EQ(ramped->degraded_entries(), healthy->degraded_entries() + 1) << Diagnostics();
  EXPECT_TRUE(ramped->has_degraded_since()) << Diagnostics();
  const absl::Time degraded_until = FromProtoTime(ramped->last_decision_time());

  {
    // The agent's event log has the measured ramps it saw while degraded, and it acted on
    // at least one of them.
    v1::ListEventsRequest request;
    request.set_limit(1000);
    v1::ListEventsResponse events;
    grpc::Status status = testing::UnaryCall(
        *response_stub_, &v1::ResponseService::Stub::ListEvents, request, &events, kRpcTimeout);
    ASSERT_TRUE(status.ok()) << status.error_message();
    int measured = 0;
    int acted_on = 0;
    for (const v1::RampEvent& e : events.events()) {
      const absl::Time at = FromProtoTime(e.detected_at());
      if (e.kind() != v1::RAMP_EVENT_KIND_MEASURED || at < degraded_from || at > degraded_until) {
        continue;
      }
      ++measured;
      if (e.decision() != "no dispatch") ++acted_on;
    }
    EXPECT_GE(measured, kRampsWhileDegraded) << Diagnostics();
    EXPECT_GE(acted_on, 1) << Diagnostics();
  }
  {
    // The gateway applied response proposals for intervals decided while degraded.
    v1::ListDecisionsRequest request;
    request.set_limit(1000);
    v1::ListDecisionsResponse decisions;
    grpc::Status status = testing::UnaryCall(*assets_, &v1::AssetService::Stub::ListDecisions,
                                             request, &decisions, kRpcTimeout);
    ASSERT_TRUE(status.ok()) << status.error_message();
    int from_agent = 0;
    for (const v1::Decision& d : decisions.decisions()) {
      const absl::Time t = FromProtoTime(d.interval_start());
      if (d.agent() == kAgent && d.proposal_id() != 0 && t >= degraded_from &&
          t <= degraded_until) {
        ++from_agent;
      }
    }
    EXPECT_GE(from_agent, 1) << "no response decision between "
                             << base::FormatUtcTimestamp(degraded_from) << " and "
                             << base::FormatUtcTimestamp(degraded_until) << Diagnostics();
  }

  // --- Restart the forecast on the same port with the same models: the agent recovers. ---
  absl::StatusOr<int> restarted = StartForecast("forecast-restarted", *forecast_port);
  ASSERT_TRUE(restarted.ok()) << restarted.status() << Diagnostics();
  ASSERT_EQ(*restarted, *forecast_port) << Diagnostics();
  Note("forecast restarted");
  EXPECT_THAT(testing::ReadFile(forecast_->log_path()), HasSubstr("loaded net-load change models"))
      << "the restart should load the cached models, not retrain" << Diagnostics();

  std::optional<AgentStatus> recovered =
      PollUntil("recovered", kRecoveryTimeout, [](const AgentStatus& s) { return !s.degraded(); });
  ASSERT_TRUE(recovered.has_value()) << Diagnostics();
  EXPECT_EQ(recovered->degraded_reason(), "") << Diagnostics();
  EXPECT_GT(recovered->ticks_seen(), ramped->ticks_seen()) << Diagnostics();

  // --- Clean shutdown: SIGTERM ends every process with exit 0. ---
  for (std::optional<ChildProcess>* child : {&response_, &forecast_, &gateway_}) {
    EXPECT_TRUE((*child)->Stop(kStopGrace)) << (*child)->name() << " ignored SIGTERM";
    EXPECT_EQ((*child)->exit_description(), "exit 0") << (*child)->name() << "\n"
                                                      << (*child)->LogTail(20);
  }
}

TEST_F(ForecastOutageTest, LockStepTicksGoOnWithoutAStalledForecaster) {
  const absl::Status started = StartLockStepStack(
      {"--from", "2023-03-01", "--to", "2023-03-01", "--mode", "lock_step",
       "--forecast_deadline_seconds", "1", "--store", dir_ + "/s.sqlite", "--port", "0"});
  ASSERT_TRUE(started.ok()) << started << Diagnostics();

  ASSERT_EQ(kill(forecast_->pid(), SIGSTOP), 0);
  Note("forecast stalled (SIGSTOP)");
  {
    v1::StartResponse started;
    grpc::Status status =
        testing::UnaryCall(*clock_, &v1::ClockService::Stub::Start, {}, &started, kRpcTimeout);
    ASSERT_TRUE(status.ok()) << status.error_message() << Diagnostics();
  }
  // 48 ticks: three wait 1 s each for the forecaster, the rest not at all. Hang detector.
  const absl::Time finish_by = absl::Now() + absl::Seconds(45);
  v1::GetClockStatusResponse clock = ClockStatus();
  while (clock.state() != v1::RUN_STATE_FINISHED && absl::Now() < finish_by) {
    absl::SleepFor(absl::Milliseconds(100));
    clock = ClockStatus();
  }
  ASSERT_EQ(clock.state(), v1::RUN_STATE_FINISHED) << clock.ShortDebugString() << Diagnostics();
  Note(absl::StrCat("run finished: ", clock.ShortDebugString()));
  EXPECT_EQ(clock.failure(), "") << Diagnostics();
  EXPECT_EQ(clock.ticks_done(), 48) << Diagnostics();
  EXPECT_EQ(clock.missed_answers(), 0) << "the agent missed ticks" << Diagnostics();
  EXPECT_THAT(testing::ReadFile(gateway_->log_path()),
              HasSubstr("the forecaster missed 3 ticks in a row; no longer waiting for it"))
      << Diagnostics();

  std::optional<AgentStatus> status = AgentStatusNow();
  ASSERT_TRUE(status.has_value()) << Diagnostics();
  Note(absl::StrCat("agent: ", Describe(*status)));
  EXPECT_EQ(status->ticks_seen(), 48) << Diagnostics();
  EXPECT_EQ(status->degraded_ticks(), 48) << Diagnostics();
  EXPECT_TRUE(status->degraded()) << Diagnostics();
  EXPECT_THAT(status->degraded_reason(), HasSubstr("forecast")) << Diagnostics();

  ASSERT_EQ(kill(forecast_->pid(), SIGCONT), 0);
  for (std::optional<ChildProcess>* child : {&response_, &forecast_, &gateway_}) {
    EXPECT_TRUE((*child)->Stop(kStopGrace)) << (*child)->name() << " ignored SIGTERM";
    EXPECT_EQ((*child)->exit_description(), "exit 0") << (*child)->name() << "\n"
                                                      << (*child)->LogTail(20);
  }
}

// A forecast process killed and started again mid lock-step run (outside the launcher,
// which restarts the whole stack instead) is sent every tick from the first again: the
// run goes on without waiting for it while it catches up, then waits for it again, so the
// last day's ticks carry its forecasts and the agent is not degraded at the end.
TEST_F(ForecastOutageTest, LockStepRunGoesOnWhileARestartedForecasterCatchesUp) {
  constexpr int kTicks = 31 * 48;
  const absl::Status started =
      StartLockStepStack({"--from", "2023-03-01", "--to", "2023-03-31", "--mode", "lock_step",
                          "--forecast_deadline_seconds", "30", "--deadline_seconds", "60",
                          "--store", dir_ + "/s.sqlite", "--port", "0"});
  ASSERT_TRUE(started.ok()) << started << Diagnostics();
  {
    v1::StartResponse response;
    grpc::Status status =
        testing::UnaryCall(*clock_, &v1::ClockService::Stub::Start, {}, &response, kRpcTimeout);
    ASSERT_TRUE(status.ok()) << status.error_message() << Diagnostics();
  }
  // Hold the run on a tick after the first day (the gateway waits for the stopped agent),
  // then replace the forecast process, on the same port (the agent's fallback address).
  const absl::Time held_by = absl::Now() + kStartTimeout;
  while (ClockStatus().ticks_done() < 48 && absl::Now() < held_by) absl::SleepFor(kPollPeriod);
  ASSERT_EQ(kill(response_->pid(), SIGSTOP), 0);
  Note(absl::StrCat("response stopped at ", ClockStatus().ticks_done(), " ticks done"));
  ASSERT_EQ(kill(forecast_->pid(), SIGKILL), 0);
  absl::StatusOr<int> restarted = StartForecast("forecast-2", forecast_port_);
  ASSERT_TRUE(restarted.ok()) << restarted.status() << Diagnostics();
  ASSERT_TRUE(WaitForGatewayLog("forecaster resumes at tick 0 of")) << Diagnostics();
  Note("forecast restarted");
  ASSERT_EQ(kill(response_->pid(), SIGCONT), 0);

  const absl::Time finish_by = absl::Now() + absl::Seconds(120);  // a hang detector
  v1::GetClockStatusResponse clock = ClockStatus();
  while (clock.state() != v1::RUN_STATE_FINISHED && absl::Now() < finish_by) {
    absl::SleepFor(absl::Milliseconds(100));
    clock = ClockStatus();
  }
  ASSERT_EQ(clock.state(), v1::RUN_STATE_FINISHED) << clock.ShortDebugString() << Diagnostics();
  Note(absl::StrCat("run finished: ", clock.ShortDebugString()));
  EXPECT_EQ(clock.failure(), "") << Diagnostics();
  EXPECT_EQ(clock.ticks_done(), kTicks) << Diagnostics();
  EXPECT_EQ(clock.missed_answers(), 0) << Diagnostics();
  const std::string gateway_log = testing::ReadFile(gateway_->log_path());
  EXPECT_THAT(gateway_log, ::testing::Not(HasSubstr("the forecaster missed")))
      << "a tick waited out the forecast deadline" << Diagnostics();
  std::optional<AgentStatus> status = AgentStatusNow();
  ASSERT_TRUE(status.has_value()) << Diagnostics();
  Note(absl::StrCat("agent: ", Describe(*status)));
  EXPECT_EQ(status->ticks_seen(), kTicks) << Diagnostics();
  EXPECT_FALSE(status->degraded())
      << "the restarted forecaster's forecasts never came back" << Diagnostics();
  for (std::optional<ChildProcess>* child : {&response_, &forecast_, &gateway_}) {
    EXPECT_TRUE((*child)->Stop(kStopGrace)) << (*child)->name() << " ignored SIGTERM";
  }
}

}  // namespace
}  // namespace gridpilot
