#include "services/mcp/read_call_tally.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace gridpilot::mcp {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1685577600);  // 2023-06-01T00:00:00Z

ToolCallRecord Read(const std::string& token, const std::string& session, const std::string& tool,
                    int limit) {
  ToolCallRecord r;
  r.tool = tool;
  r.read_only = true;
  r.arguments = {{"limit", limit}};
  r.caller.role = "ai-agent";
  r.caller.bearer_token = token;
  r.caller.session_id = session;
  r.outcome = "ok";
  return r;
}

TEST(ReadCallTallyTest, OneRowPerTokenSessionAndToolWithCountsTimesAndTheLastArguments) {
  ReadCallTally tally;
  tally.Add(Read("t1", "s1", "get_grid_state", 1), kT0 + absl::Seconds(5));
  tally.Add(Read("t1", "s1", "list_assets", 2), kT0 + absl::Seconds(1));
  tally.Add(Read("t1", "s1", "get_grid_state", 3), kT0 + absl::Seconds(9));
  tally.Add(Read("t1", "s2", "get_grid_state", 4), kT0 + absl::Seconds(6));
  tally.Add(Read("t2", "s1", "get_grid_state", 5), kT0 + absl::Seconds(7));
  const ReadTallyTake take = tally.Take();
  ASSERT_EQ(take.rows.size(), 4u);
  EXPECT_EQ(take.overflow_calls, 0);
  // Oldest first call first.
  EXPECT_EQ(take.rows[0].last.tool, "list_assets");
  const ReadTallyRow& polled = take.rows[1];
  EXPECT_EQ(polled.last.tool, "get_grid_state");
  EXPECT_EQ(polled.last.caller.session_id, "s1");
  EXPECT_EQ(polled.last.caller.bearer_token, "t1");
  EXPECT_EQ(polled.calls, 2);
  EXPECT_EQ(polled.first_at, kT0 + absl::Seconds(5));
  EXPECT_EQ(polled.last_at, kT0 + absl::Seconds(9));
  EXPECT_EQ(polled.last.arguments["limit"], 3);
  EXPECT_EQ(take.rows[2].last.caller.session_id, "s2");
  EXPECT_EQ(take.rows[3].last.caller.bearer_token, "t2");

  const nlohmann::json detail = ReadTallyAuditDetail(polled);
  EXPECT_EQ(detail["tool"], "get_grid_state");
  EXPECT_EQ(detail["session"], "s1");
  EXPECT_EQ(detail["outcome"], "ok");
  EXPECT_EQ(detail["calls"], 2);
  EXPECT_EQ(detail["first_at"], "2023-06-01T00:00:05Z");
  EXPECT_EQ(detail["last_at"], "2023-06-01T00:00:09Z");
  EXPECT_EQ(detail["arguments"]["limit"], 3);
  EXPECT_FALSE(detail.contains("token"));

  // Take starts afresh.
  EXPECT_TRUE(tally.Take().rows.empty());
}

TEST(ReadCallTallyTest, KeysAreBoundedAndCallsBeyondThemCounted) {
  ReadCallTally tally;
  for (size_t i = 0; i < kMaxReadTallyKeys + 5; ++i) {
    tally.Add(Read("t", absl::StrCat("s", i), "get_grid_state", 0), kT0);
  }
  // A key already held still counts when the table is full.
  tally.Add(Read("t", "s0", "get_grid_state", 0), kT0 + absl::Seconds(1));
  const ReadTallyTake take = tally.Take();
  EXPECT_EQ(take.rows.size(), kMaxReadTallyKeys);
  EXPECT_EQ(take.overflow_calls, 5);
  int64_t calls = 0;
  for (const ReadTallyRow& row : take.rows) calls += row.calls;
  EXPECT_EQ(calls, static_cast<int64_t>(kMaxReadTallyKeys) + 1);
  EXPECT_EQ(tally.Take().overflow_calls, 0);
}

}  // namespace
}  // namespace gridpilot::mcp
