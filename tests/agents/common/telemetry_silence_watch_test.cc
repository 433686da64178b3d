#include "agents/common/telemetry_silence_watch.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "services/common/proto_time.h"

namespace gridpilot {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1685577600);  // 2023-06-01T00:00:00Z

v1::Tick Step(int k, bool silent) {
  v1::Tick tick;
  *tick.mutable_step()->mutable_start() = ToProtoTime(kT0 + k * absl::Minutes(5));
  tick.mutable_step()->set_source_silent(silent);
  return tick;
}

// Each row: the steps' silent flags, and what Observe says at each (empty: nothing).
struct Case {
  std::string name;
  std::vector<bool> silent;
  std::vector<std::string> said;
  bool silent_at_end;
};

TEST(TelemetrySilenceWatchTest, SaysEachChangeOnce) {
  const std::string gone =
      "telemetry silent since 2023-06-01T00:05:00Z: the live source sent nothing within its "
      "timeout; the region is degraded";
  const std::vector<Case> cases = {
      {"never silent (a replay)", {false, false, false}, {"", "", ""}, false},
      {"silent once, said once", {false, true, true, true}, {"", gone, "", ""}, true},
      {"silent then back",
       {false, true, true, false, false},
       {"", gone, "",
        "telemetry back at 2023-06-01T00:15:00Z after silence since 2023-06-01T00:05:00Z", ""},
       false},
      {"silent again after coming back",
       {false, true, false, true},
       {"", gone, "telemetry back at 2023-06-01T00:10:00Z after silence since 2023-06-01T00:05:00Z",
        "telemetry silent since 2023-06-01T00:15:00Z: the live source sent nothing within its "
        "timeout; the region is degraded"},
       true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    TelemetrySilenceWatch watch;
    for (size_t k = 0; k < c.silent.size(); ++k) {
      const std::optional<std::string> said = watch.Observe(Step(static_cast<int>(k), c.silent[k]));
      EXPECT_EQ(said.value_or(""), c.said[k]) << "step " << k;
    }
    EXPECT_EQ(watch.silent(), c.silent_at_end);
  }
}

}  // namespace
}  // namespace gridpilot
