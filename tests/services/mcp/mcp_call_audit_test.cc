// Which MCP tool calls reach the audit log and what their row's detail says; and that the
// dispatcher reports every ending of a tools/call to its observer.
#include "services/mcp/mcp_call_audit.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "services/mcp/mcp_dispatcher.h"

namespace gridpilot::mcp {
namespace {

using nlohmann::json;

ToolCallRecord Record(std::string tool, bool read_only, std::string outcome) {
  ToolCallRecord record;
  record.tool = std::move(tool);
  record.read_only = read_only;
  record.outcome = std::move(outcome);
  record.arguments = json::object();
  record.caller = McpCaller{"ai-agent", "secret-token", "session-42"};
  return record;
}

TEST(McpCallAuditTest, ActsWhatifsAndFailuresAreAuditedSuccessfulReadsAreNot) {
  EXPECT_TRUE(ShouldAuditToolCall(Record("submit_dispatch", false, "ok")));
  EXPECT_TRUE(ShouldAuditToolCall(Record("submit_dispatch", false, "cancelled")));
  EXPECT_TRUE(ShouldAuditToolCall(Record("whatif_backtest", true, "ok")));
  EXPECT_TRUE(ShouldAuditToolCall(Record("get_grid_state", true, "error")));
  EXPECT_TRUE(ShouldAuditToolCall(Record("get_grid_state", true, "invalid_params")));
  EXPECT_FALSE(ShouldAuditToolCall(Record("get_grid_state", true, "ok")));
}

TEST(McpCallAuditTest, DetailNamesToolSessionOutcomeAndNeverTheToken) {
  ToolCallRecord record = Record("submit_dispatch", false, "error");
  record.text = "PERMISSION_DENIED: no";
  record.arguments = {{"power_mw", 2.5}, {"reason", "test"}};
  const json detail = ToolCallAuditDetail(record);
  EXPECT_EQ(detail["tool"], "submit_dispatch");
  EXPECT_EQ(detail["session"], "session-42");
  EXPECT_EQ(detail["outcome"], "error");
  EXPECT_EQ(detail["error"], "PERMISSION_DENIED: no");
  EXPECT_EQ(detail["arguments"]["power_mw"], 2.5);
  EXPECT_EQ(detail.dump().find("secret-token"), std::string::npos);
}

TEST(McpCallAuditTest, HugeArgumentsAreSummarisedWithinTheBound) {
  ToolCallRecord record = Record("submit_dispatch", false, "ok");
  record.arguments = {{"reason", std::string(100000, 'x')}};
  json detail = ToolCallAuditDetail(record);
  EXPECT_LE(detail.dump().size(), kMaxAuditDetailBytes);
  EXPECT_EQ(detail["arguments"]["reason"].get<std::string>().size(), 163u);  // 160 + "..."
  for (int i = 0; i < 200; ++i) {
    record.arguments[std::string("key") + std::to_string(i)] = std::string(150, 'y');
  }
  detail = ToolCallAuditDetail(record);
  EXPECT_LE(detail.dump().size(), kMaxAuditDetailBytes);
  EXPECT_EQ(detail["arguments"]["truncated"], true);
  EXPECT_EQ(detail["arguments"]["keys"].size(), 32u);
}

TEST(McpCallAuditTest, TheDispatcherReportsEachEndingOfAToolCall) {
  ToolTable tools;
  Tool act;
  act.name = "act";
  act.input_schema = {{"type", "object"},
                      {"properties", {{"n", {{"type", "number"}}}}},
                      {"additionalProperties", false}};
  act.annotations.read_only = false;
  act.handler = [](const json& arguments, const ToolContext&) -> absl::StatusOr<ToolOutcome> {
    if (arguments.value("n", 0.0) < 0) return absl::PermissionDeniedError("negative");
    return ToolOutcome{};
  };
  tools.Add(act);
  std::vector<Resource> resources;
  std::vector<Prompt> prompts;
  McpDispatcher dispatcher(&tools, &resources, &prompts, "test");
  std::vector<ToolCallRecord> seen;
  dispatcher.set_tool_call_observer([&](const ToolCallRecord& r) { seen.push_back(r); });
  McpSession session(McpCaller{"operator", "tok", "s9"}, [](const json&) {});
  const auto call = [&](json arguments) {
    return dispatcher.Handle({{"jsonrpc", "2.0"},
                              {"id", 1},
                              {"method", "tools/call"},
                              {"params", {{"name", "act"}, {"arguments", arguments}}}},
                             &session);
  };
  dispatcher.Handle({{"jsonrpc", "2.0"},
                     {"id", 0},
                     {"method", "initialize"},
                     {"params", {{"protocolVersion", "2025-06-18"}}}},
                    &session);
  call({{"n", 1}});
  call({{"n", -1}});
  call({{"n", "one"}});
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].outcome, "ok");
  EXPECT_EQ(seen[0].caller.session_id, "s9");
  EXPECT_FALSE(seen[0].read_only);
  EXPECT_EQ(seen[1].outcome, "error");
  EXPECT_EQ(seen[1].text, "PERMISSION_DENIED: negative");
  EXPECT_EQ(seen[2].outcome, "invalid_params");
}

}  // namespace
}  // namespace gridpilot::mcp
