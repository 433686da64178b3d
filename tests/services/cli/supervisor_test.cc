// The supervisor's restart decisions, driven by a FakeClock's times: backoff doubling
// from 0.5 s to a 30 s cap, giving up once the restart budget in the window is spent, the
// budget freeing up as old restarts leave the window, recovery times, and the status JSON.
#include "services/cli/supervisor.h"

#include <gtest/gtest.h>

#include "core/base/clock.h"
#include "core/base/time_util.h"

namespace gridpilot {
namespace {

absl::Time Start() { return absl::FromUnixSeconds(1700000000); }

TEST(SupervisorTest, BackoffDoublesPerRestartInTheWindowThenGivesUp) {
  base::FakeClock clock(Start());
  Supervisor supervisor;  // 0.5 s doubling, 3 restarts per 10 min
  supervisor.Started("trader", 100);
  const double expected_backoff_s[] = {0.5, 1.0, 2.0};
  for (int i = 0; i < 3; ++i) {
    const ExitDecision decision = supervisor.Exited("trader", "signal 9", clock.Now());
    ASSERT_FALSE(decision.give_up) << i;
    EXPECT_EQ(decision.restart_number, i + 1);
    EXPECT_DOUBLE_EQ(absl::ToDoubleSeconds(decision.restart_at - clock.Now()),
                     expected_backoff_s[i]);
    EXPECT_EQ(supervisor.Find("trader")->state, ProcessState::kRestarting);
    // Not due a moment before the backoff ends; due at its end.
    EXPECT_TRUE(supervisor.DueForRestart(decision.restart_at - absl::Milliseconds(1)).empty());
    clock.Set(decision.restart_at);
    ASSERT_EQ(supervisor.DueForRestart(clock.Now()), std::vector<std::string>{"trader"});
    supervisor.Started("trader", 101 + i);
    clock.Advance(absl::Seconds(10));
  }
  const ExitDecision fourth = supervisor.Exited("trader", "exit 1", clock.Now());
  EXPECT_TRUE(fourth.give_up);
  EXPECT_EQ(supervisor.Find("trader")->state, ProcessState::kGivenUp);
  EXPECT_TRUE(supervisor.AnyGivenUp());
  EXPECT_TRUE(supervisor.DueForRestart(clock.Now() + absl::Hours(1)).empty());
  EXPECT_EQ(supervisor.Find("trader")->restarts, 3);
  EXPECT_EQ(supervisor.Find("trader")->last_exit, "exit 1");
  EXPECT_NE(supervisor.Describe("trader", fourth).find("given up after 3"), std::string::npos);
}

TEST(SupervisorTest, BackoffIsCappedAndRestartsOutsideTheWindowAreForgotten) {
  RestartPolicy policy;
  policy.first_backoff = absl::Seconds(10);
  policy.max_backoff = absl::Seconds(30);
  policy.max_restarts = 3;
  policy.window = absl::Minutes(10);
  base::FakeClock clock(Start());
  Supervisor supervisor(policy);
  supervisor.Started("forecast", 1);
  EXPECT_EQ(supervisor.Exited("forecast", "signal 9", clock.Now()).restart_at - clock.Now(),
            absl::Seconds(10));
  clock.Advance(absl::Minutes(1));
  EXPECT_EQ(supervisor.Exited("forecast", "signal 9", clock.Now()).restart_at - clock.Now(),
            absl::Seconds(20));
  clock.Advance(absl::Minutes(1));
  // 40 s would be next: capped at 30 s.
  EXPECT_EQ(supervisor.Exited("forecast", "signal 9", clock.Now()).restart_at - clock.Now(),
            absl::Seconds(30));
  // 11 minutes after the first exit, only the second and third are within the window.
  clock.Advance(absl::Minutes(9));
  const ExitDecision later = supervisor.Exited("forecast", "signal 9", clock.Now());
  ASSERT_FALSE(later.give_up);
  EXPECT_EQ(later.restart_number, 3);
  EXPECT_EQ(later.restart_at - clock.Now(), absl::Seconds(30));
  EXPECT_EQ(supervisor.Find("forecast")->restarts, 4);
}

TEST(SupervisorTest, RecoveryIsExitToReadyAndCountsOnce) {
  base::FakeClock clock(Start());
  Supervisor supervisor;
  supervisor.Started("gateway", 7);
  supervisor.Started("response", 8);
  supervisor.Exited("gateway", "signal 9", clock.Now());
  clock.Advance(absl::Milliseconds(2250));
  supervisor.Started("gateway", 9);
  EXPECT_DOUBLE_EQ(supervisor.Recovered("gateway", clock.Now()), 2.25);
  EXPECT_DOUBLE_EQ(supervisor.Recovered("gateway", clock.Now()), -1.0);   // none open
  EXPECT_DOUBLE_EQ(supervisor.Recovered("response", clock.Now()), -1.0);  // never exited
  ASSERT_EQ(supervisor.events().size(), 1u);
  EXPECT_EQ(supervisor.events()[0].process, "gateway");
  EXPECT_EQ(supervisor.events()[0].exit_description, "signal 9");
  EXPECT_EQ(supervisor.events()[0].restart_number, 1);
}

TEST(SupervisorTest, UnknownProcessIsGivenUp) {
  Supervisor supervisor;
  EXPECT_TRUE(supervisor.Exited("nobody", "signal 9", Start()).give_up);
  EXPECT_EQ(supervisor.Find("nobody"), nullptr);
}

TEST(SupervisorTest, StatusJsonNamesEveryProcessAndItsState) {
  base::FakeClock clock(Start());
  Supervisor supervisor;
  supervisor.Started("gateway", 10);
  supervisor.Started("trader", 11);
  supervisor.Exited("trader", "signal 9", clock.Now());
  const nlohmann::json status = supervisor.StatusJson();
  ASSERT_EQ(status["processes"].size(), 2u);
  const nlohmann::json& gateway = status["processes"][0];
  EXPECT_EQ(gateway["name"], "gateway");
  EXPECT_EQ(gateway["pid"], 10);
  EXPECT_EQ(gateway["state"], "running");
  EXPECT_EQ(gateway["restarts"], 0);
  EXPECT_TRUE(gateway["last_restart_utc"].is_null());
  const nlohmann::json& trader = status["processes"][1];
  EXPECT_EQ(trader["state"], "restarting");
  EXPECT_EQ(trader["restarts"], 1);
  EXPECT_EQ(trader["last_exit"], "signal 9");
  EXPECT_EQ(trader["last_restart_utc"],
            base::FormatUtcTimestamp(clock.Now() + absl::Milliseconds(500)));
}

}  // namespace
}  // namespace gridpilot
