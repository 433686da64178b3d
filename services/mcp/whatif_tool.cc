#include "services/mcp/whatif_tool.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/base/logging.h"
#include "services/mcp/backtest_child.h"
#include "services/mcp/whatif_config.h"
#include "services/mcp/whatif_report.h"

namespace gridpilot::mcp {
namespace {

using nlohmann::json;

// Progress is reported each time the run advances by this share of all ticks.
constexpr double kProgressStep = 0.05;

absl::StatusOr<absl::CivilDay> ParseDay(const json& arguments, const char* key) {
  absl::CivilDay day;
  if (!absl::ParseCivilTime(arguments.at(key).get<std::string>(), &day)) {
    return absl::InvalidArgumentError(absl::StrCat("arguments.", key, ": not a date YYYY-MM-DD"));
  }
  return day;
}

ToolOutcome ErrorOutcome(const absl::Status& status) {
  ToolOutcome outcome;
  outcome.is_error = true;
  outcome.text = absl::StrCat(absl::StatusCodeToString(status.code()), ": ", status.message());
  return outcome;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::Status WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

// A counting slot: at most `limit` holders at once.
class Slot {
 public:
  Slot(std::atomic<int>* running, int limit) : running_(running) {
    if (running_->fetch_add(1) >= limit) {
      running_->fetch_sub(1);
      running_ = nullptr;
    }
  }
  ~Slot() {
    if (running_ != nullptr) running_->fetch_sub(1);
  }
  bool held() const { return running_ != nullptr; }

 private:
  std::atomic<int>* running_;
};

// Removes a directory tree when it goes out of scope.
struct ScratchDir {
  std::string path;
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

// One run, the baseline (phase 0) or the what-if (phase 1): starts the launcher, follows
// its progress and cancellation, and returns its report's figures. Cancelled if the client
// cancelled (the child stopped), an error naming the run and its log's tail otherwise.
absl::StatusOr<json> RunOne(const WhatifSettings& settings, const ToolContext& context,
                            const std::string& dir, const std::string& name, int phase,
                            std::vector<std::string> args, double* reported) {
  const std::string run_dir = absl::StrCat(dir, "/", name);
  const std::string report_path = absl::StrCat(dir, "/", name, ".json");
  args.push_back(absl::StrCat("--run_dir=", run_dir));
  args.push_back(absl::StrCat("--json=", report_path));
  absl::StatusOr<BacktestChild> child =
      BacktestChild::Start(settings.launcher, args, absl::StrCat(dir, "/", name, ".log"), run_dir);
  if (!child.ok()) return child.status();
  // Start-up (the child stack, its models) takes most of a short run: say so.
  *reported = std::max(*reported, phase / 2.0 + 0.01);
  context.progress(*reported, 1, absl::StrCat(name, ": starting its stack"));
  while (child->Running()) {
    if (context.cancelled()) {
      child->Stop(settings.grace);
      return absl::CancelledError("cancelled by the client");
    }
    if (auto progress = child->Progress(); progress.has_value()) {
      const double done = (phase + static_cast<double>(progress->first) / progress->second) / 2;
      if (done >= *reported + kProgressStep && done < 1) {  // 1 is the dispatcher's "done"
        *reported = done;
        context.progress(
            done, 1, absl::StrCat(name, ": ", progress->first, " / ", progress->second, " ticks"));
      }
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  if (child->exit_code() != 0) {
    return absl::InternalError(absl::StrCat("the ", name, " backtest failed (exit ",
                                            child->exit_code(), "): ", child->LogTail(600)));
  }
  if (phase == 0) {
    *reported = 0.5;
    context.progress(*reported, 1, absl::StrCat(name, ": done"));
  }
  const json report = json::parse(ReadText(report_path), nullptr, false);
  if (!report.is_object()) {
    return absl::InternalError(absl::StrCat("the ", name, " backtest wrote no JSON report"));
  }
  return WhatifFigures(report);
}

json InputSchema() {
  return {{"type", "object"},
          {"properties",
           {{"from",
             {{"type", "string"},
              {"maxLength", 10},
              {"description", "first day replayed, YYYY-MM-DD (UTC)"}}},
            {"to",
             {{"type", "string"},
              {"maxLength", 10},
              {"description", "last day replayed, inclusive, YYYY-MM-DD"}}},
            {"overrides", WhatifOverridesSchema()}}},
          {"required", json::array({"from", "to", "overrides"})},
          {"additionalProperties", false}};
}

json OutputSchema() {
  return {{"type", "object"},
          {"properties",
           {{"from", {{"type", "string"}}},
            {"to", {{"type", "string"}}},
            {"days", {{"type", "number"}}},
            {"overrides", {{"type", "object"}}},
            {"baseline", WhatifFiguresSchema()},
            {"whatif", WhatifFiguresSchema()},
            {"difference", {{"type", "object"}}},
            {"wall_seconds", {{"type", "number"}}}}},
          {"required", json::array({"from", "to", "baseline", "whatif", "difference"})}};
}

}  // namespace

bool MayRunWhatif(const std::string& role) {
  return role.empty() || role == "operator" || role == "ai-agent" || role == "admin";
}

void AddWhatifTool(const WhatifSettings& settings, StackNow stack_now, ToolTable* table) {
  auto running = std::make_shared<std::atomic<int>>(0);
  auto sequence = std::make_shared<std::atomic<int64_t>>(0);
  Tool tool;
  tool.name = "whatif_backtest";
  tool.title = "What-if backtest";
  tool.description = absl::StrCat(
      "Replays a past window (at most ", settings.max_days,
      " days) twice in separate backtests, as configured (baseline) and with the overrides, "
      "and reports both runs' GBP by cause, instability, trader P&L and dispatch counts, and "
      "the difference (what-if minus baseline). Takes seconds to minutes: send a "
      "progressToken for progress; cancelling stops both runs. Does not touch the live grid. "
      "Roles: operator, ai-agent, admin.");
  tool.input_schema = InputSchema();
  tool.output_schema = OutputSchema();
  tool.annotations.read_only = true;
  tool.annotations.idempotent = true;
  tool.annotations.open_world = false;
  tool.handler = [settings, stack_now, running, sequence](
                     const json& arguments,
                     const ToolContext& context) -> absl::StatusOr<ToolOutcome> {
    if (!MayRunWhatif(context.caller.role)) {
      return ErrorOutcome(absl::PermissionDeniedError(
          absl::StrCat("role \"", context.caller.role,
                       "\" may not run what-if backtests (operator, ai-agent, admin may)")));
    }
    absl::StatusOr<absl::CivilDay> from = ParseDay(arguments, "from");
    if (!from.ok()) return from.status();
    absl::StatusOr<absl::CivilDay> to = ParseDay(arguments, "to");
    if (!to.ok()) return to.status();
    absl::StatusOr<WhatifOverrides> overrides = ParseWhatifOverrides(arguments.at("overrides"));
    if (!overrides.ok()) return overrides.status();
    const int64_t days = (*to - *from) + 1;
    if (days < 1) return absl::InvalidArgumentError("arguments.to: before arguments.from");
    if (days > settings.max_days) {
      return ErrorOutcome(absl::OutOfRangeError(
          absl::StrCat("the window is ", days, " days; what-ifs are limited to ", settings.max_days,
                       " (gridpilot-mcp --whatif_max_days)")));
    }
    absl::StatusOr<absl::Time> now = stack_now(context.caller);
    if (!now.ok()) return ErrorOutcome(now.status());
    const absl::CivilDay today = absl::ToCivilDay(*now, absl::UTCTimeZone());
    if (*to >= today) {
      return ErrorOutcome(absl::OutOfRangeError(
          absl::StrCat("the window must end before the stack's current day ",
                       absl::FormatCivilTime(today), " (a what-if replays the past only)")));
    }
    const Slot slot(running.get(), settings.max_concurrent);
    if (!slot.held()) {
      return ErrorOutcome(absl::ResourceExhaustedError(
          absl::StrCat(settings.max_concurrent,
                       " what-if backtest(s) already running (gridpilot-mcp "
                       "--whatif_max_concurrent); try again when it has finished")));
    }
    // The base config, read now, so that both runs see the same one.
    json base = json::object();
    std::string base_dir = ".";
    if (!settings.base_config.empty()) {
      base = json::parse(ReadText(settings.base_config), nullptr, false);
      if (!base.is_object()) {
        return ErrorOutcome(absl::FailedPreconditionError(
            absl::StrCat(settings.base_config, ": the stack's config is not a JSON object")));
      }
      base_dir = std::filesystem::absolute(settings.base_config).parent_path().string();
    }
    const json baseline_config = WhatifBaselineConfig(std::move(base), base_dir);
    const json whatif_config = WhatifOverriddenConfig(baseline_config, *overrides);

    ScratchDir dir{absl::StrCat(settings.scratch_dir, "/whatif-", getpid(), "-", ++*sequence)};
    std::error_code made;
    std::filesystem::create_directories(dir.path, made);
    if (made) {
      return ErrorOutcome(absl::InternalError(absl::StrCat(dir.path, ": ", made.message())));
    }
    const std::string baseline_path = dir.path + "/baseline-config.json";
    const std::string whatif_path = dir.path + "/whatif-config.json";
    for (const auto& [path, config] :
         {std::pair{baseline_path, &baseline_config}, std::pair{whatif_path, &whatif_config}}) {
      if (absl::Status written = WriteText(path, config->dump(2)); !written.ok()) {
        return ErrorOutcome(written);
      }
    }
    const std::string from_text = absl::FormatCivilTime(*from);
    const std::string to_text = absl::FormatCivilTime(*to);
    std::vector<std::string> common = {"backtest", absl::StrCat("--from=", from_text),
                                       absl::StrCat("--to=", to_text)};
    common.insert(common.end(), settings.backtest_flags.begin(), settings.backtest_flags.end());
    std::vector<std::string> baseline_args = common;
    baseline_args.push_back(absl::StrCat("--config=", baseline_path));
    std::vector<std::string> whatif_args = common;
    whatif_args.push_back(absl::StrCat("--config=", whatif_path));
    if (overrides->trader_risk_aversion.has_value()) {
      whatif_args.push_back(
          absl::StrCat("--trader_risk_aversion=", *overrides->trader_risk_aversion));
    }

    const absl::Time started = absl::Now();
    double reported = 0;
    absl::StatusOr<json> baseline =
        RunOne(settings, context, dir.path, "baseline", 0, baseline_args, &reported);
    if (!baseline.ok()) {
      if (baseline.status().code() == absl::StatusCode::kCancelled) return baseline.status();
      return ErrorOutcome(baseline.status());
    }
    absl::StatusOr<json> whatif =
        RunOne(settings, context, dir.path, "whatif", 1, whatif_args, &reported);
    if (!whatif.ok()) {
      if (whatif.status().code() == absl::StatusCode::kCancelled) return whatif.status();
      return ErrorOutcome(whatif.status());
    }
    ToolOutcome outcome;
    outcome.structured = {{"from", from_text},
                          {"to", to_text},
                          {"days", days},
                          {"overrides", WhatifOverridesJson(*overrides)},
                          {"baseline", *baseline},
                          {"whatif", *whatif},
                          {"difference", WhatifDifference(*baseline, *whatif)},
                          {"wall_seconds", absl::ToDoubleSeconds(absl::Now() - started)}};
    return outcome;
  };
  table->Add(std::move(tool));
}

}  // namespace gridpilot::mcp
