// whatif_backtest without a real stack: a fake launcher (a shell script) that prints the
// launcher's progress line and writes a report depending on the config it was given, so
// the tool's bounds, roles, concurrency, cancellation, progress and result are checked.
#include "services/mcp/whatif_tool.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace gridpilot::mcp {
namespace {

using nlohmann::json;

class WhatifToolTest : public ::testing::Test {
 protected:
  WhatifToolTest() {
    dir_ = absl::StrCat(testing::TempDir(), "/whatif_tool_test_", getpid());
    std::filesystem::create_directories(dir_);
    hold_ = dir_ + "/hold";
    settings_.launcher = dir_ + "/fake-gridpilot";
    settings_.scratch_dir = dir_ + "/scratch";
    settings_.max_days = 31;
    settings_.grace = absl::Milliseconds(500);
    // net 100 in the baseline, 250 with a ramp limit override; waits while `hold` exists.
    std::ofstream script(settings_.launcher);
    script << "#!/bin/sh\n"
           << "for a in \"$@\"; do case \"$a\" in --json=*) out=\"${a#--json=}\";; "
           << "--config=*) config=\"${a#--config=}\";; esac; done\n"
           << "printf '\\r  48 / 96 ticks'; sleep 0.3\n"
           << "while [ -f " << hold_ << " ]; do sleep 0.05; done\n"
           << "net=100; grep -q ramp_limit_mw \"$config\" && net=250\n"
           << "echo '{\"ledger_gbp\": {\"net\": '$net', \"instability_penalty\": -5}, "
           << "\"ramp_events\": 3, \"ramp_episodes\": {\"countered\": 1, \"not_countered\": 0}, "
           << "\"trader_pnl_gbp\": 40, \"trader_capture_ratio\": 0.5, \"battery_cycles\": 1, "
           << "\"ticks\": 96, \"dispatches\": {}}' > \"$out\"\n";
    script.close();
    chmod(settings_.launcher.c_str(), 0755);
    now_ = absl::FromCivil(absl::CivilDay(2023, 3, 1), absl::UTCTimeZone());
    AddWhatifTool(
        settings_, [this](const McpCaller&) -> absl::StatusOr<absl::Time> { return now_; },
        &table_);
  }
  ~WhatifToolTest() override { std::filesystem::remove_all(dir_); }

  absl::StatusOr<ToolOutcome> Call(
      json arguments, std::string role = "ai-agent",
      std::function<bool()> cancelled = [] { return false; }) {
    ToolContext context;
    context.caller = McpCaller{std::move(role), "token", "s1"};
    context.progress = [this](double progress, double, const std::string& message) {
      progress_.emplace_back(progress, message);
    };
    context.cancelled = std::move(cancelled);
    return table_.Find("whatif_backtest")->handler(arguments, context);
  }

  static json Window(const std::string& from, const std::string& to) {
    return {{"from", from}, {"to", to}, {"overrides", {{"ramp_limit_mw", 8}}}};
  }

  std::string dir_;
  std::string hold_;
  WhatifSettings settings_;
  absl::Time now_;
  ToolTable table_;
  std::vector<std::pair<double, std::string>> progress_;
};

TEST_F(WhatifToolTest, ReportsBothRunsAndTheirDifferenceWithProgress) {
  absl::StatusOr<ToolOutcome> outcome = Call(Window("2023-02-20", "2023-02-21"));
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  ASSERT_FALSE(outcome->is_error) << outcome->text;
  const json& result = outcome->structured;
  EXPECT_EQ(result["days"], 2);
  EXPECT_EQ(result["baseline"]["ledger_gbp"]["net"], 100.0);
  EXPECT_EQ(result["whatif"]["ledger_gbp"]["net"], 250.0);
  EXPECT_EQ(result["difference"]["ledger_gbp"]["net"], 150.0);
  EXPECT_EQ(result["overrides"], (json{{"ramp_limit_mw", 8.0}}));
  ASSERT_GE(progress_.size(), 4u);
  EXPECT_TRUE(std::any_of(progress_.begin(), progress_.end(),
                          [](const auto& p) { return p.second == "whatif: 48 / 96 ticks"; }));
  for (size_t i = 1; i < progress_.size(); ++i) {
    EXPECT_GT(progress_[i].first, progress_[i - 1].first) << progress_[i].second;
    EXPECT_LT(progress_[i].first, 1.0);
  }
  EXPECT_TRUE(std::filesystem::is_empty(settings_.scratch_dir));
}

TEST_F(WhatifToolTest, RefusesLongFutureAndViewerCallsBeforeStartingAnything) {
  absl::StatusOr<ToolOutcome> long_window = Call(Window("2022-11-01", "2023-01-15"));
  ASSERT_TRUE(long_window.ok());
  EXPECT_TRUE(long_window->is_error);
  EXPECT_EQ(long_window->text.rfind("OUT_OF_RANGE: the window is 76 days", 0), 0u)
      << long_window->text;
  absl::StatusOr<ToolOutcome> future = Call(Window("2023-02-28", "2023-03-01"));
  ASSERT_TRUE(future.ok());
  EXPECT_EQ(future->text.rfind("OUT_OF_RANGE: the window must end before", 0), 0u) << future->text;
  absl::StatusOr<ToolOutcome> viewer = Call(Window("2023-02-20", "2023-02-21"), "viewer");
  ASSERT_TRUE(viewer.ok());
  EXPECT_EQ(viewer->text.rfind("PERMISSION_DENIED", 0), 0u) << viewer->text;
  EXPECT_EQ(Call(Window("2023-02-21", "2023-02-20")).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Call(Window("20-02-2023", "2023-02-20")).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(settings_.scratch_dir));
}

TEST_F(WhatifToolTest, ASecondWhatifWhileOneRunsIsResourceExhaustedAndCancelStopsTheFirst) {
  std::ofstream(hold_).put('x');
  std::atomic<bool> cancel{false};
  absl::StatusOr<ToolOutcome> first = absl::UnknownError("not run");
  std::thread running([&] {
    first = Call(Window("2023-02-20", "2023-02-21"), "operator", [&] { return cancel.load(); });
  });
  // Wait until the first holds the slot (its scratch dir exists).
  for (int i = 0; i < 200 && !std::filesystem::exists(settings_.scratch_dir); ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  absl::StatusOr<ToolOutcome> second = Call(Window("2023-02-20", "2023-02-21"));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->text.rfind("RESOURCE_EXHAUSTED", 0), 0u) << second->text;
  cancel = true;
  running.join();
  EXPECT_EQ(first.status().code(), absl::StatusCode::kCancelled);
  EXPECT_TRUE(std::filesystem::is_empty(settings_.scratch_dir));
  // The slot is free again.
  std::filesystem::remove(hold_);
  absl::StatusOr<ToolOutcome> third = Call(Window("2023-02-20", "2023-02-21"));
  ASSERT_TRUE(third.ok());
  EXPECT_FALSE(third->is_error) << third->text;
}

}  // namespace
}  // namespace gridpilot::mcp
