// The config's "retrain" section as the launcher reads it: defaults, each field, errors
// naming the file and the field, and the forecast flags for a backtest and a live stack.
#include "services/cli/retrain_config.h"

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string WriteConfig(const std::string& name, const std::string& text) {
  const std::string path = (std::filesystem::path(::testing::TempDir()) / name).string();
  std::ofstream(path) << text;
  return path;
}

TEST(RetrainConfigTest, NoFileOrNoSectionMeansNoRetraining) {
  EXPECT_EQ(ReadRetrainConfig("")->cadence, forecast::RetrainCadence::kNone);
  const std::string path = WriteConfig("no_retrain.json", R"({"region": {"name": "x"}})");
  absl::StatusOr<forecast::RetrainSchedule> schedule = ReadRetrainConfig(path);
  ASSERT_TRUE(schedule.ok()) << schedule.status();
  EXPECT_EQ(schedule->cadence, forecast::RetrainCadence::kNone);
  EXPECT_TRUE(RetrainForecastFlags(*schedule, true).empty());
}

TEST(RetrainConfigTest, ReadsTheSectionAndMakesTheForecastFlags) {
  const std::string path = WriteConfig(
      "retrain.json", R"({"retrain": {"every": "month", "at": "00:30", "training_days": 60}})");
  absl::StatusOr<forecast::RetrainSchedule> schedule = ReadRetrainConfig(path);
  ASSERT_TRUE(schedule.ok()) << schedule.status();
  EXPECT_EQ(schedule->cadence, forecast::RetrainCadence::kMonth);
  EXPECT_EQ(schedule->at, absl::Minutes(30));
  EXPECT_EQ(schedule->training_days, 60);
  EXPECT_THAT(RetrainForecastFlags(*schedule, /*lock_step=*/true),
              ElementsAre("--retrain_every=month", "--retrain_at=00:30",
                          "--retrain_training_days=60", "--retrain_swap=at_cutoff"));
  EXPECT_EQ(RetrainForecastFlags(*schedule, /*lock_step=*/false).back(),
            "--retrain_swap=when_ready");
  // Defaults for the fields left out.
  const std::string daily = WriteConfig("daily.json", R"({"retrain": {"every": "day"}})");
  EXPECT_EQ(ReadRetrainConfig(daily)->at, absl::ZeroDuration());
  EXPECT_EQ(ReadRetrainConfig(daily)->training_days, 365);
}

TEST(RetrainConfigTest, ErrorsNameTheFileAndTheField) {
  struct Case {
    const char* section;
    const char* expected;
  };
  for (const Case& c : {Case{R"("monthly")", "retrain: must be an object"},
                        Case{R"({"every": "week"})", "retrain.every: \"week\""},
                        Case{R"({"every": 1})", "retrain.every: must be a string"},
                        Case{R"({"at": "7:00", "every": "day"})", "retrain.at: \"7:00\""},
                        Case{R"({"training_days": 1.5})", "retrain.training_days: must be a whole"},
                        Case{R"({"training_days": -4})", "retrain.training_days: -4 is not in"},
                        Case{R"({"training_days": 99999999999})", "99999999999 is not in"},
                        Case{R"({"cadence": "day"})", "retrain.cadence: unknown key"}}) {
    const std::string path =
        WriteConfig("bad.json", absl::StrCat(R"({"retrain": )", c.section, "}"));
    absl::StatusOr<forecast::RetrainSchedule> schedule = ReadRetrainConfig(path);
    ASSERT_FALSE(schedule.ok()) << c.section;
    EXPECT_EQ(schedule.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(schedule.status().message(), HasSubstr(path)) << c.section;
    EXPECT_THAT(schedule.status().message(), HasSubstr(c.expected)) << c.section;
  }
  EXPECT_EQ(ReadRetrainConfig("/nonexistent/config.json").status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace gridpilot
