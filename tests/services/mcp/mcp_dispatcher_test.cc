// The MCP protocol and gridpilot's tools without sockets: McpDispatcher over the real tool
// table, with a fake stack that records each call's method and token.
#include "services/mcp/mcp_dispatcher.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gridpilot/v1/asset.pb.h"
#include "gridpilot/v1/clock.pb.h"
#include "gridpilot/v1/forecast.pb.h"
#include "services/mcp/gridpilot_catalog.h"
#include "services/mcp/json_rpc.h"
#include "services/mcp/stack_tools.h"

namespace gridpilot::mcp {
namespace {

using nlohmann::json;

struct RecordedCall {
  std::string method;
  std::string token;
  std::string request_text;
};

class FakeStack : public StackCaller {
 public:
  absl::Status Call(StackProcess, const std::string& method,
                    const google::protobuf::Message& request, google::protobuf::Message* response,
                    const std::string& bearer_token, absl::Duration) override {
    calls.push_back({method, bearer_token, request.ShortDebugString()});
    if (!refuse_with.ok()) return refuse_with;
    if (method == "/gridpilot.v1.ClockService/GetClockStatus") {
      auto* clock = static_cast<v1::GetClockStatusResponse*>(response);
      clock->mutable_now()->set_seconds(now_s);
      clock->set_ticks_done(7);
      clock->mutable_region()->set_ramp_limit_mw(40);
      if (region_interval_s > 0) {
        clock->mutable_region()->mutable_interval()->set_seconds(region_interval_s);
        clock->mutable_region()->mutable_step()->set_seconds(region_interval_s);
      }
    } else if (method == "/gridpilot.v1.AssetService/ListAssets") {
      auto* assets = static_cast<v1::ListAssetsResponse*>(response);
      v1::Asset* battery = assets->add_assets();
      battery->set_id("battery-1");
      battery->set_kind(v1::ASSET_KIND_BATTERY);
      battery->mutable_battery()->set_soc_mwh(12.5);
      battery->mutable_battery()->set_energy_capacity_mwh(50);
    } else if (method == "/gridpilot.v1.ForecastService/GetNetLoadChange") {
      auto* forecast = static_cast<v1::GetNetLoadChangeResponse*>(response);
      forecast->set_last_net_load_mw(300);
      v1::HorizonForecast* h1 = forecast->add_forecasts();
      h1->mutable_target_interval_start()->set_seconds(1678248000);  // 04:00
      h1->set_change_mw(10);
      v1::HorizonForecast* h2 = forecast->add_forecasts();
      h2->mutable_target_interval_start()->set_seconds(1678249800);  // 04:30
      h2->set_change_mw(25);
    } else if (method == "/gridpilot.v1.AssetService/SimulateDispatch") {
      auto* simulated = static_cast<v1::SimulateDispatchResponse*>(response);
      simulated->set_instability_penalty_gbp(12);
      simulated->add_steps()->set_proposal_id(-1);
    } else if (method == "/gridpilot.v1.AssetService/SubmitDispatch") {
      auto* submitted = static_cast<v1::SubmitDispatchResponse*>(response);
      submitted->add_results()->set_proposal_id(++next_proposal_id);
    }
    return absl::OkStatus();
  }
  std::vector<RecordedCall> calls;
  absl::Status refuse_with = absl::OkStatus();
  int64_t now_s = 1678248000 + 600;  // 2023-03-08T04:10:00Z
  int64_t region_interval_s = 0;     // 0: the clock leaves the region's interval unset
  int64_t next_proposal_id = 40;
};

class DispatcherTest : public ::testing::Test {
 protected:
  DispatcherTest()
      : memory_(2), session_(McpCaller{"operator", "tok-operator", "s1"}, [this](const json& n) {
          sent_.push_back(n);
        }) {
    AddStackTools(&stack_, &board_, &memory_, absl::Seconds(1), &tools_);
    resources_ = GridpilotResources(&stack_, &board_, absl::Seconds(1));
    prompts_ = GridpilotPrompts();
  }

  json Request(const std::string& method, json params, int id = 1) {
    return dispatcher_.Handle(
        json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}},
        &session_);
  }
  json Initialize(const std::string& version = "2025-06-18") {
    return Request("initialize", {{"protocolVersion", version},
                                  {"capabilities", json::object()},
                                  {"clientInfo", {{"name", "test"}, {"version", "1"}}}});
  }
  json CallTool(const std::string& name, json arguments, json meta = nullptr) {
    json params{{"name", name}, {"arguments", std::move(arguments)}};
    if (!meta.is_null()) params["_meta"] = meta;
    return Request("tools/call", std::move(params));
  }

  FakeStack stack_;
  LiveStateBoard board_;
  IdempotencyMemory memory_;
  ToolTable tools_;
  std::vector<Resource> resources_;
  std::vector<Prompt> prompts_;
  McpDispatcher dispatcher_{&tools_, &resources_, &prompts_, "test"};
  std::vector<json> sent_;
  McpSession session_;
};

TEST_F(DispatcherTest, NegotiatesTheRequestedVersionOrFallsBackToTheNewest) {
  EXPECT_EQ(Initialize("2025-06-18")["result"]["protocolVersion"], "2025-06-18");
  EXPECT_EQ(Initialize("2025-11-25")["result"]["protocolVersion"], "2025-11-25");
  EXPECT_EQ(Initialize("1999-01-01")["result"]["protocolVersion"],
            SupportedProtocolVersions().front());
  const json result = Initialize()["result"];
  EXPECT_TRUE(result["capabilities"]["resources"]["subscribe"].get<bool>());
  EXPECT_TRUE(result["capabilities"].contains("logging"));
  EXPECT_EQ(result["serverInfo"]["name"], "gridpilot-mcp");
}

TEST_F(DispatcherTest, RefusesMethodsBeforeInitializeButAnswersPing) {
  EXPECT_EQ(Request("tools/list", json::object())["error"]["code"], kInvalidRequest);
  EXPECT_EQ(Request("ping", json::object())["result"], json::object());
}

TEST_F(DispatcherTest, MalformedMessagesGetTheRightErrors) {
  EXPECT_EQ(dispatcher_.HandleText("{not json", &session_)["error"]["code"], kParseError);
  EXPECT_EQ(dispatcher_.HandleText(R"({"jsonrpc":"1.0","id":1,"method":"ping"})",
                                   &session_)["error"]["code"],
            kInvalidRequest);
  EXPECT_EQ(dispatcher_.HandleText(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])",
                                   &session_)["error"]["code"],
            kInvalidRequest);
  EXPECT_EQ(dispatcher_.HandleText(R"({"jsonrpc":"2.0","id":{},"method":"ping"})",
                                   &session_)["error"]["code"],
            kInvalidRequest);
  EXPECT_EQ(dispatcher_.HandleText(R"({"jsonrpc":"2.0","id":1,"method":"ping","params":[1]})",
                                   &session_)["error"]["code"],
            kInvalidRequest);
  Initialize();
  EXPECT_EQ(Request("no/such", json::object())["error"]["code"], kMethodNotFound);
  // Notifications, known or not, get no reply.
  EXPECT_TRUE(
      dispatcher_.Handle(json{{"jsonrpc", "2.0"}, {"method", "notifications/whatever"}}, &session_)
          .is_null());
}

TEST_F(DispatcherTest, ListsToolsInPagesWithAnnotationsAndSchemas) {
  Initialize();
  std::vector<json> listed;
  json params = json::object();
  for (int page = 0; page < 10; ++page) {
    const json result = Request("tools/list", params)["result"];
    for (const json& tool : result["tools"]) listed.push_back(tool);
    if (!result.contains("nextCursor")) break;
    params = {{"cursor", result["nextCursor"]}};
  }
  ASSERT_EQ(listed.size(), tools_.tools().size());
  EXPECT_GT(listed.size(), kPageSize);
  bool saw_submit = false;
  for (const json& tool : listed) {
    EXPECT_EQ(tool["inputSchema"]["type"], "object") << tool["name"];
    EXPECT_TRUE(tool.contains("outputSchema")) << tool["name"];
    if (tool["name"] == "submit_dispatch") {
      saw_submit = true;
      EXPECT_FALSE(tool["annotations"]["readOnlyHint"].get<bool>());
      EXPECT_TRUE(tool["annotations"]["destructiveHint"].get<bool>());
    }
    if (tool["name"] == "list_assets") {
      EXPECT_TRUE(tool["annotations"]["readOnlyHint"].get<bool>());
    }
  }
  EXPECT_TRUE(saw_submit);
  EXPECT_EQ(Request("tools/list", {{"cursor", "c999"}})["error"]["code"], kInvalidParams);
  EXPECT_EQ(Request("tools/list", {{"cursor", 3}})["error"]["code"], kInvalidParams);
}

TEST_F(DispatcherTest, ReadToolForwardsTheCallersTokenAndReturnsStructuredContent) {
  Initialize();
  const json result = CallTool("get_grid_state", json::object())["result"];
  ASSERT_FALSE(result["isError"].get<bool>()) << result.dump();
  EXPECT_EQ(result["structuredContent"]["assets"]["assets"][0]["id"], "battery-1");
  EXPECT_EQ(result["structuredContent"]["clock"]["ticks_done"], "7");
  EXPECT_EQ(result["content"][0]["type"], "text");
  ASSERT_EQ(stack_.calls.size(), 2u);
  for (const RecordedCall& call : stack_.calls) EXPECT_EQ(call.token, "tok-operator");
}

TEST_F(DispatcherTest, ForecastDefaultsItsIssueTimeToTheGatewaysNowAtTheIntervalStart) {
  Initialize();
  CallTool("get_net_load_forecast", json::object());
  ASSERT_EQ(stack_.calls.size(), 2u);
  EXPECT_EQ(stack_.calls[1].method, "/gridpilot.v1.ForecastService/GetNetLoadChange");
  EXPECT_NE(stack_.calls[1].request_text.find("seconds: 1678248000"), std::string::npos)
      << stack_.calls[1].request_text;
}

TEST_F(DispatcherTest, BadArgumentsAreInvalidParamsAndNeverReachTheStack) {
  Initialize();
  const json base{{"asset_id", "battery-1"},
                  {"power_mw", 5.0},
                  {"priority", "DISPATCH_PRIORITY_RESILIENCE"},
                  {"start", "2023-03-08T04:00:00Z"},
                  {"end", "2023-03-08T05:00:00Z"},
                  {"idempotency_key", "k1"},
                  {"reason", "test"}};
  std::vector<json> bad;
  for (const char* field :
       {"asset_id", "power_mw", "priority", "start", "end", "idempotency_key", "reason"}) {
    json missing = base;
    missing.erase(field);
    bad.push_back(missing);
  }
  json wrong = base;
  wrong["power_mw"] = "5";
  bad.push_back(wrong);
  wrong = base;
  wrong["power_mw"] = 1e9;
  bad.push_back(wrong);
  wrong = base;
  wrong["priority"] = "DISPATCH_PRIORITY_UNSPECIFIED";
  bad.push_back(wrong);
  wrong = base;
  wrong["start"] = "yesterday";
  bad.push_back(wrong);
  wrong = base;
  wrong["end"] = "2023-03-08T03:00:00Z";
  bad.push_back(wrong);
  wrong = base;
  wrong["surprise"] = 1;
  bad.push_back(wrong);
  wrong = base;
  wrong["reason"] = "";
  bad.push_back(wrong);
  for (const json& arguments : bad) {
    const json reply = CallTool("submit_dispatch", arguments);
    EXPECT_EQ(reply["error"]["code"], kInvalidParams) << arguments.dump() << " -> " << reply.dump();
  }
  EXPECT_EQ(CallTool("no_such_tool", json::object())["error"]["code"], kInvalidParams);
  EXPECT_TRUE(stack_.calls.empty());
}

TEST_F(DispatcherTest, SubmitActsAsTheCallerAndARetryWithTheSameKeyIsNotSentAgain) {
  Initialize();
  const json arguments{{"asset_id", "battery-1"},
                       {"power_mw", -5.0},
                       {"priority", "DISPATCH_PRIORITY_RESILIENCE"},
                       {"start", "2023-03-08T04:00:00Z"},
                       {"end", "2023-03-08T05:00:00Z"},
                       {"idempotency_key", "k1"},
                       {"reason", "pre-charge"}};
  const json first = CallTool("submit_dispatch", arguments)["result"];
  ASSERT_FALSE(first["isError"].get<bool>()) << first.dump();
  EXPECT_EQ(first["structuredContent"]["results"][0]["proposal_id"], "41");
  ASSERT_EQ(stack_.calls.size(), 1u);
  EXPECT_NE(stack_.calls[0].request_text.find("agent: \"operator\""), std::string::npos);
  EXPECT_NE(stack_.calls[0].request_text.find("pre-charge"), std::string::npos);
  EXPECT_NE(stack_.calls[0].request_text.find("power_mw: -5"), std::string::npos);
  const json again = CallTool("submit_dispatch", arguments)["result"];
  EXPECT_EQ(again["structuredContent"]["results"][0]["proposal_id"], "41");
  EXPECT_TRUE(again["structuredContent"]["replayed"].get<bool>());
  EXPECT_EQ(stack_.calls.size(), 1u);
}

TEST_F(DispatcherTest, SimulateSendsTheForecastNetLoadPerStepAndStoresNothing) {
  Initialize();
  const json result = CallTool("simulate_dispatch", {{"asset_id", "battery-1"},
                                                     {"power_mw", 20.0},
                                                     {"priority", "DISPATCH_PRIORITY_RESILIENCE"},
                                                     {"start", "2023-03-08T04:30:00Z"},
                                                     {"end", "2023-03-08T05:40:00Z"}})["result"];
  ASSERT_FALSE(result["isError"].get<bool>()) << result.dump();
  // Now 04:10, 30-min steps to 05:40: 04:10 (h1: +10), 04:40 (h2: +25), 05:10 (held).
  EXPECT_EQ(result["structuredContent"]["expected_net_load_mw"], json::array({310, 325, 325}));
  EXPECT_EQ(result["structuredContent"]["simulation"]["steps"][0]["proposal_id"], "-1");
  const RecordedCall& simulate = stack_.calls.back();
  EXPECT_EQ(simulate.method, "/gridpilot.v1.AssetService/SimulateDispatch");
  EXPECT_EQ(simulate.token, "tok-operator");
  EXPECT_NE(simulate.request_text.find("agent: \"operator\""), std::string::npos);
  for (const RecordedCall& call : stack_.calls) {
    EXPECT_NE(call.method, "/gridpilot.v1.AssetService/SubmitDispatch");
  }
  // A read-only tool: no key or reason needed, and it says so.
  EXPECT_TRUE(tools_.Find("simulate_dispatch")->annotations.read_only);
}

TEST_F(DispatcherTest, SimulateReadsEachHorizonOverTheRegionsIntervalNotAHalfHour) {
  Initialize();
  stack_.region_interval_s = 900;    // a 15-minute region
  stack_.now_s = 1678248000 + 1200;  // 04:20, past the 04:00 interval's end (04:15)
  const json result = CallTool("simulate_dispatch", {{"asset_id", "battery-1"},
                                                     {"power_mw", 20.0},
                                                     {"priority", "DISPATCH_PRIORITY_RESILIENCE"},
                                                     {"start", "2023-03-08T04:30:00Z"},
                                                     {"end", "2023-03-08T04:50:00Z"}})["result"];
  ASSERT_FALSE(result["isError"].get<bool>()) << result.dump();
  // 15-min steps 04:20 (no horizon's interval holds it: the last measured 300) and 04:35
  // (h2's [04:30, 04:45): +25). Read over half-hours, 04:20 would take h1's +10.
  EXPECT_EQ(result["structuredContent"]["expected_net_load_mw"], json::array({300, 325}));
}

TEST_F(DispatcherTest, AStackRefusalIsAToolErrorCarryingTheStatus) {
  Initialize();
  stack_.refuse_with = absl::PermissionDeniedError("role \"viewer\" may not call SubmitDispatch");
  const json result = CallTool("set_thresholds", {{"ramp_limit_mw", 40.0},
                                                  {"margin_mw", 5.0},
                                                  {"idempotency_key", "t1"},
                                                  {"reason", "tighter"}})["result"];
  EXPECT_TRUE(result["isError"].get<bool>());
  EXPECT_EQ(result["content"][0]["text"],
            "PERMISSION_DENIED: role \"viewer\" may not call SubmitDispatch");
  // A refusal is not remembered: the same key may be retried once allowed.
  stack_.refuse_with = absl::OkStatus();
  const json retried = CallTool("set_thresholds", {{"ramp_limit_mw", 40.0},
                                                   {"margin_mw", 5.0},
                                                   {"idempotency_key", "t1"},
                                                   {"reason", "tighter"}})["result"];
  EXPECT_FALSE(retried["isError"].get<bool>());
}

TEST_F(DispatcherTest, ProgressGoesToTheRequestStreamWhenTheClientAskedForIt) {
  Initialize();
  std::vector<json> streamed;
  dispatcher_.Handle(json{{"jsonrpc", "2.0"},
                          {"id", 9},
                          {"method", "tools/call"},
                          {"params",
                           {{"name", "list_assets"},
                            {"arguments", json::object()},
                            {"_meta", {{"progressToken", "p1"}}}}}},
                     &session_, [&](const json& n) { streamed.push_back(n); });
  ASSERT_GE(streamed.size(), 2u);
  EXPECT_EQ(streamed[0]["method"], "notifications/progress");
  EXPECT_EQ(streamed[0]["params"]["progressToken"], "p1");
  EXPECT_TRUE(sent_.empty());
}

TEST_F(DispatcherTest, ACancelledCallIsNotSentToTheStackNorAnswered) {
  Initialize();
  dispatcher_.Handle(json{{"jsonrpc", "2.0"},
                          {"method", "notifications/cancelled"},
                          {"params", {{"requestId", 77}, {"reason", "changed my mind"}}}},
                     &session_);
  EXPECT_TRUE(Request("tools/call", {{"name", "list_assets"}, {"arguments", json::object()}}, 77)
                  .is_null());
  EXPECT_TRUE(stack_.calls.empty());
  // Another id still runs.
  EXPECT_FALSE(Request("tools/call", {{"name", "list_assets"}, {"arguments", json::object()}}, 78)
                   .is_null());
  EXPECT_EQ(stack_.calls.size(), 1u);
}

TEST_F(DispatcherTest, SubscribersAreToldOfLiveStateUpdatesOthersAreNot) {
  Initialize();
  McpDispatcher::NotifyResourceUpdated(kLiveStateUri, &session_);
  EXPECT_TRUE(sent_.empty());
  EXPECT_EQ(Request("resources/subscribe", {{"uri", kLiveStateUri}})["result"], json::object());
  McpDispatcher::NotifyResourceUpdated(kLiveStateUri, &session_);
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0]["method"], "notifications/resources/updated");
  EXPECT_EQ(sent_[0]["params"]["uri"], kLiveStateUri);
  EXPECT_EQ(Request("resources/subscribe", {{"uri", "gridpilot://nope"}})["error"]["code"],
            kResourceNotFound);
  Request("resources/unsubscribe", {{"uri", kLiveStateUri}});
  McpDispatcher::NotifyResourceUpdated(kLiveStateUri, &session_);
  EXPECT_EQ(sent_.size(), 1u);
}

TEST_F(DispatcherTest, ReadsResourcesAndRendersPrompts) {
  Initialize();
  v1::Tick tick;
  tick.set_sequence(3);
  board_.Publish(tick);
  const json live = Request("resources/read", {{"uri", kLiveStateUri}})["result"];
  EXPECT_EQ(json::parse(live["contents"][0]["text"].get<std::string>())["tick"]["sequence"], "3");
  tick.set_sequence(4);  // a newer tick replaces the one printed for the last read
  board_.Publish(tick);
  const json newer = Request("resources/read", {{"uri", kLiveStateUri}})["result"];
  EXPECT_EQ(json::parse(newer["contents"][0]["text"].get<std::string>())["tick"]["sequence"], "4");
  const json glossary = Request("resources/read", {{"uri", kGlossaryUri}})["result"];
  EXPECT_NE(glossary["contents"][0]["text"].get<std::string>().find("battery-1"),
            std::string::npos);
  EXPECT_EQ(Request("resources/read", {{"uri", "file:///etc/passwd"}})["error"]["code"],
            kResourceNotFound);
  const json prompt = Request("prompts/get", {{"name", "daily_operations_report"},
                                              {"arguments", {{"day", "2023-03-08"}}}})["result"];
  EXPECT_NE(prompt["messages"][0]["content"]["text"].get<std::string>().find("2023-03-08"),
            std::string::npos);
  EXPECT_EQ(Request("prompts/get", {{"name", "nope"}})["error"]["code"], kInvalidParams);
  EXPECT_EQ(Request("prompts/get", {{"name", "daily_operations_report"},
                                    {"arguments", {{"day", 3}}}})["error"]["code"],
            kInvalidParams);
}

TEST_F(DispatcherTest, LogLevelFiltersMessages) {
  Initialize();
  EXPECT_EQ(Request("logging/setLevel", {{"level", "loud"}})["error"]["code"], kInvalidParams);
  EXPECT_EQ(Request("logging/setLevel", {{"level", "debug"}})["result"], json::object());
  McpDispatcher::Log(&session_, "debug", "hello");
  EXPECT_EQ(sent_.size(), 1u);
  Request("logging/setLevel", {{"level", "error"}});
  McpDispatcher::Log(&session_, "warning", "quiet");
  EXPECT_EQ(sent_.size(), 1u);
}

TEST(IdempotencyMemoryTest, ForgetsTheOldestBeyondItsCapacity) {
  IdempotencyMemory memory(2);
  ToolOutcome outcome;
  memory.Remember("a", outcome);
  memory.Remember("b", outcome);
  memory.Remember("c", outcome);
  EXPECT_EQ(memory.size(), 2u);
  EXPECT_FALSE(memory.Find("a").has_value());
  EXPECT_TRUE(memory.Find("c").has_value());
}

}  // namespace
}  // namespace gridpilot::mcp
