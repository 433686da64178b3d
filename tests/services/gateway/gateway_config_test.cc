// LoadGatewayConfig: defaults, a full file, strictness about keys and types, validation,
// data paths relative to the file, and errors that name the file and the key.
#include "services/gateway/gateway_config.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot {
namespace {

using ::testing::HasSubstr;

class GatewayConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "/gateway_config_test_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes `text` to dir_/name and returns the path.
  std::string Write(const std::string& name, const std::string& text) {
    const std::filesystem::path path = dir_ / name;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << text;
    return path.string();
  }

  std::filesystem::path dir_;
};

TEST_F(GatewayConfigTest, EmptyPathGivesDefaults) {
  absl::StatusOr<GatewayConfig> config = LoadGatewayConfig("");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->region.name, "gb-1pct");
  EXPECT_DOUBLE_EQ(config->region.scale, 0.01);
  EXPECT_DOUBLE_EQ(config->region.ramp_limit_mw, 15);
  EXPECT_DOUBLE_EQ(config->region.instability_penalty_gbp_per_mw, 150);
  EXPECT_EQ(config->region.interval, absl::Minutes(30));
  ASSERT_EQ(config->batteries.size(), 1u);
  EXPECT_EQ(config->batteries[0].id, "battery-1");
  EXPECT_DOUBLE_EQ(config->batteries[0].energy_capacity_mwh, 100);
  ASSERT_EQ(config->peakers.size(), 1u);
  EXPECT_EQ(config->peakers[0].id, "peaker-1");
  EXPECT_EQ(config->peakers[0].start_up_time, absl::Minutes(20));
  EXPECT_TRUE(config->demand_csv.empty());
  EXPECT_TRUE(config->price_csv.empty());
}

TEST_F(GatewayConfigTest, FullFileSetsEveryField) {
  const std::string path = Write("full.json", R"json({
    "region": {"name": "test-region", "scale": 0.02, "ramp_limit_mw": 12.5,
               "instability_penalty_gbp_per_mw": 99},
    "batteries": [
      {"id": "b-a", "energy_capacity_mwh": 200, "max_charge_mw": 40, "max_discharge_mw": 45,
       "charge_efficiency": 0.9, "discharge_efficiency": 0.92, "soc_min_mwh": 10,
       "soc_max_mwh": 190, "soc_initial_mwh": 100, "reserve_mwh": 30,
       "degradation_gbp_per_mwh": 4},
      {"id": "b-b"}
    ],
    "peakers": [
      {"id": "p-a", "capacity_mw": 80, "min_stable_load_mw": 25, "start_up_time_min": 15,
       "min_up_time_min": 90, "min_down_time_min": 45.5, "ramp_rate_mw_per_min": 6,
       "fuel_gbp_per_mwh": 170, "start_cost_gbp": 3000}
    ],
    "data": {"demand_csv": "/abs/demand.csv", "price_csv": "/abs/price.csv"}
  })json");
  absl::StatusOr<GatewayConfig> config = LoadGatewayConfig(path);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->region.name, "test-region");
  EXPECT_DOUBLE_EQ(config->region.scale, 0.02);
  EXPECT_DOUBLE_EQ(config->region.ramp_limit_mw, 12.5);
  EXPECT_DOUBLE_EQ(config->region.instability_penalty_gbp_per_mw, 99);

  ASSERT_EQ(config->batteries.size(), 2u);
  const assets::BatteryParams& b = config->batteries[0];
  EXPECT_EQ(b.id, "b-a");
  EXPECT_DOUBLE_EQ(b.energy_capacity_mwh, 200);
  EXPECT_DOUBLE_EQ(b.max_charge_mw, 40);
  EXPECT_DOUBLE_EQ(b.max_discharge_mw, 45);
  EXPECT_DOUBLE_EQ(b.charge_efficiency, 0.9);
  EXPECT_DOUBLE_EQ(b.discharge_efficiency, 0.92);
  EXPECT_DOUBLE_EQ(b.soc_min_mwh, 10);
  EXPECT_DOUBLE_EQ(b.soc_max_mwh, 190);
  EXPECT_DOUBLE_EQ(b.soc_initial_mwh, 100);
  EXPECT_DOUBLE_EQ(b.reserve_mwh, 30);
  EXPECT_DOUBLE_EQ(b.degradation_gbp_per_mwh, 4);
  // An entry sets only what it names; the rest are the defaults.
  const assets::BatteryParams& defaults = config->batteries[1];
  EXPECT_EQ(defaults.id, "b-b");
  EXPECT_DOUBLE_EQ(defaults.energy_capacity_mwh, assets::BatteryParams{}.energy_capacity_mwh);
  EXPECT_DOUBLE_EQ(defaults.reserve_mwh, assets::BatteryParams{}.reserve_mwh);

  ASSERT_EQ(config->peakers.size(), 1u);
  const assets::PeakerParams& p = config->peakers[0];
  EXPECT_EQ(p.id, "p-a");
  EXPECT_DOUBLE_EQ(p.capacity_mw, 80);
  EXPECT_DOUBLE_EQ(p.min_stable_load_mw, 25);
  EXPECT_EQ(p.start_up_time, absl::Minutes(15));
  EXPECT_EQ(p.min_up_time, absl::Minutes(90));
  EXPECT_EQ(p.min_down_time, absl::Seconds(45.5 * 60));
  EXPECT_DOUBLE_EQ(p.ramp_rate_mw_per_min, 6);
  EXPECT_DOUBLE_EQ(p.fuel_gbp_per_mwh, 170);
  EXPECT_DOUBLE_EQ(p.start_cost_gbp, 3000);

  EXPECT_EQ(config->demand_csv, "/abs/demand.csv");  // absolute paths are kept
  EXPECT_EQ(config->price_csv, "/abs/price.csv");
}

TEST_F(GatewayConfigTest, LiveSectionShapesTheSimulator) {
  absl::StatusOr<GatewayConfig> config = LoadGatewayConfig(Write("live.json", R"({"live": {
      "ramp_window_min": 10, "noise_sd_mw": 0.3, "noise_correlation_seconds": 30,
      "random_events_per_hour": 0, "seed": 42,
      "events": [{"kind": "cloud_front", "at": "2023-06-01T12:00:00Z", "magnitude_mw": 20,
                  "duration_min": 25}]}})"));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->live_ramp_window, absl::Minutes(10));
  EXPECT_EQ(config->live.noise_sd_mw, 0.3);
  EXPECT_EQ(config->live.noise_correlation, absl::Seconds(30));
  EXPECT_EQ(config->live.random_events_per_hour, 0.0);
  EXPECT_EQ(config->live.seed, 42u);
  ASSERT_EQ(config->live.events.size(), 1u);
  EXPECT_EQ(config->live.events[0].kind, data::FeedEventKind::kCloudFront);
  EXPECT_EQ(config->live.events[0].magnitude_mw, 20.0);
  EXPECT_EQ(config->live.events[0].duration, absl::Minutes(25));
}

TEST_F(GatewayConfigTest, EmptyPeakerListMeansNoPeaker) {
  absl::StatusOr<GatewayConfig> config =
      LoadGatewayConfig(Write("no_peaker.json", R"({"peakers": []})"));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->peakers.empty());
  EXPECT_EQ(config->batteries.size(), 1u);
}

TEST_F(GatewayConfigTest, DataPathsAreRelativeToTheConfigFile) {
  const std::string path = Write("conf/sub/cfg.json", R"({
    "data": {"demand_csv": "demand.csv", "price_csv": "../prices/p.csv"}})");
  absl::StatusOr<GatewayConfig> config = LoadGatewayConfig(path);
  ASSERT_TRUE(config.ok()) << config.status();
  const std::filesystem::path base = std::filesystem::absolute(dir_ / "conf/sub");
  EXPECT_EQ(std::filesystem::path(config->demand_csv), base / "demand.csv");
  EXPECT_EQ(std::filesystem::path(config->price_csv).lexically_normal(),
            std::filesystem::absolute(dir_ / "conf/prices/p.csv").lexically_normal());
}

// ParseGatewayConfig reads text already in memory (the config fuzzer's entry point): the
// path only names the file in errors and anchors relative data paths; nothing is opened.
TEST_F(GatewayConfigTest, ParseFromTextNamesThePathAndResolvesAgainstIt) {
  absl::StatusOr<GatewayConfig> config = ParseGatewayConfig(
      R"({"region": {"ramp_limit_mw": 20}, "data": {"demand_csv": "d.csv"}})", "/no/such/cfg.json");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_DOUBLE_EQ(config->region.ramp_limit_mw, 20.0);
  EXPECT_EQ(config->demand_csv, "/no/such/d.csv");
  absl::StatusOr<GatewayConfig> bad =
      ParseGatewayConfig(R"({"region": {"ramp_limit_mw": 1e999}})", "/no/such/cfg.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("/no/such/cfg.json: "));
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("region.ramp_limit_mw"));
}

// The data section's layout keys (issue 21): defaults are the shipped GB layout; each key
// is read, and a bad value names its key.
TEST_F(GatewayConfigTest, DataLayoutKeys) {
  absl::StatusOr<GatewayConfig> defaults = ParseGatewayConfig("{}", "/c/cfg.json");
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_TRUE(data::IsDefaultRegionCsvFormat(defaults->data_format));
  absl::StatusOr<GatewayConfig> config = ParseGatewayConfig(
      R"({"data": {"demand_csv": "h.csv", "price_csv": "none", "time_column": "local_time",
                   "time_zone": "Europe/London", "stamp_marks": "end",
                   "resolution_minutes": 15, "net_load_column": "load_kw",
                   "solar_column": "none", "wind_column": "none",
                   "price_time_column": "when", "price_column": "eur"}})",
      "/c/cfg.json");
  ASSERT_TRUE(config.ok()) << config.status();
  const data::RegionCsvFormat& f = config->data_format;
  EXPECT_EQ(config->price_csv, "none");
  EXPECT_EQ(f.time_column, "local_time");
  EXPECT_EQ(f.time_zone, "Europe/London");
  EXPECT_EQ(f.stamp_marks, data::StampMarks::kEnd);
  EXPECT_EQ(f.resolution_minutes, 15);
  EXPECT_EQ(f.net_load_column, "load_kw");
  EXPECT_EQ(f.solar_column, "none");
  EXPECT_EQ(f.wind_column, "none");
  EXPECT_EQ(f.price_time_column, "when");
  EXPECT_EQ(f.price_column, "eur");

  for (const auto& [json, want] : std::vector<std::pair<std::string, std::string>>{
           {R"({"data": {"time_zone": "Mars/Olympus"}})",
            "/c/cfg.json: data.time_zone: \"Mars/Olympus\""},
           {R"({"data": {"resolution_minutes": 7.5}})",
            "data.resolution_minutes: 7.5 is not 5, 15, 30 or 60"},
           {R"({"data": {"stamp_marks": "middle"}})", "data.stamp_marks: \"middle\""},
           {R"({"data": {"net_load_column": ""}})", "data.net_load_column: must be 1 to 256"},
           {R"({"data": {"holiday": "uk"}})", "data.holiday: unknown key"}}) {
    absl::StatusOr<GatewayConfig> bad = ParseGatewayConfig(json, "/c/cfg.json");
    EXPECT_THAT(std::string(bad.status().message()), HasSubstr(want)) << json;
  }
}

// data.holidays: uk by default, none, or a dates file relative to the config, checked on
// load (an error names the key, the file and the line); the day-ahead file's layout keys.
TEST_F(GatewayConfigTest, HolidaysAndDayAheadLayoutKeys) {
  absl::StatusOr<GatewayConfig> defaults = ParseGatewayConfig("{}", "/c/cfg.json");
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_EQ(defaults->holidays, "uk");
  absl::StatusOr<GatewayConfig> none =
      ParseGatewayConfig(R"({"data": {"holidays": "none"}})", "/c/cfg.json");
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(none->holidays, "none");

  Write("conf/ie.txt", "# Ireland\n2023-03-17\n");
  const std::string path = Write("conf/cfg.json", R"({"data": {"holidays": "ie.txt",
      "day_ahead_time_column": "target_local", "day_ahead_published_column": "issued",
      "day_ahead_column": "forecast_kw"}})");
  absl::StatusOr<GatewayConfig> file = LoadGatewayConfig(path);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(std::filesystem::path(file->holidays), std::filesystem::absolute(dir_ / "conf/ie.txt"));
  EXPECT_EQ(file->data_format.day_ahead_time_column, "target_local");
  EXPECT_EQ(file->data_format.day_ahead_published_column, "issued");
  EXPECT_EQ(file->data_format.day_ahead_column, "forecast_kw");
  EXPECT_FALSE(data::IsDefaultRegionCsvFormat(file->data_format));

  Write("conf/bad.txt", "2023-03-17\n2023-02-30\n");
  const std::string bad_path = Write("conf/bad.json", R"({"data": {"holidays": "bad.txt"}})");
  absl::StatusOr<GatewayConfig> bad = LoadGatewayConfig(bad_path);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("data.holidays: "));
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("bad.txt:2: \"2023-02-30\""));
  absl::StatusOr<GatewayConfig> missing =
      ParseGatewayConfig(R"({"data": {"holidays": "no-such.txt"}})", "/c/cfg.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("/c/no-such.txt"));
  absl::StatusOr<GatewayConfig> empty_column =
      ParseGatewayConfig(R"({"data": {"day_ahead_column": ""}})", "/c/cfg.json");
  EXPECT_THAT(std::string(empty_column.status().message()),
              HasSubstr("data.day_ahead_column: must be 1 to 256"));
}

struct BadCase {
  std::string name;
  std::string json;
  std::vector<std::string> want_parts;  // all must appear in the message
};

TEST_F(GatewayConfigTest, BadFilesAreInvalidArgumentNamingFileAndKey) {
  const std::vector<BadCase> cases = {
      {"unknown top-level key", R"({"regoin": {}})", {"regoin", "unknown key"}},
      {"unknown region key",
       R"({"region": {"ramp_limit": 10}})",
       {"region.ramp_limit", "unknown key"}},
      {"unknown battery key",
       R"({"batteries": [{"capacity": 100}]})",
       {"batteries[0].capacity", "unknown key"}},
      {"unknown key in the second peaker",
       R"({"peakers": [{"id": "p1"}, {"id": "p2", "start_up_time": 20}]})",
       {"peakers[1].start_up_time", "unknown key"}},
      {"unknown data key", R"({"data": {"demand": "x.csv"}})", {"data.demand", "unknown key"}},
      {"number given as a string",
       R"({"region": {"scale": "0.01"}})",
       {"region.scale", "wrong type"}},
      {"string given as a number",
       R"({"batteries": [{"id": 7}]})",
       {"batteries[0].id", "wrong type"}},
      {"batteries not a list", R"({"batteries": {"id": "b"}})", {"batteries", "list"}},
      {"region not an object", R"({"region": 3})", {"region", "object"}},
      {"unknown live key", R"({"live": {"noise": 1}})", {"live.noise", "unknown key"}},
      {"unknown event kind",
       R"({"live": {"events": [{"kind": "meteor", "at": "2023-06-01T10:00:00Z"}]}})",
       {"live.events[0].kind", "meteor"}},
      {"bad event time",
       R"({"live": {"events": [{"kind": "cloud_front", "at": "noon"}]}})",
       {"live.events[0].at"}},
      {"negative noise", R"({"live": {"noise_sd_mw": -1}})", {"live.noise_sd_mw"}},
      {"top level not an object", R"([1, 2])", {"object"}},
      {"negative charge limit", R"({"batteries": [{"max_charge_mw": -1}]})", {"max_charge_mw"}},
      {"zero ramp limit", R"({"region": {"ramp_limit_mw": 0}})", {"ramp_limit_mw"}},
      {"soc min above initial", R"({"batteries": [{"soc_min_mwh": 60}]})", {"soc_initial_mwh"}},
      {"peaker min stable above capacity",
       R"({"peakers": [{"min_stable_load_mw": 70}]})",
       {"min_stable_load_mw"}},
      {"negative start-up time", R"({"peakers": [{"start_up_time_min": -5}]})", {"start_up_time"}},
      {"connection limit negative",
       R"({"region": {"battery_connection": {"export_limit_mw": -5}}})",
       {"region.battery_connection.export_limit_mw", "-5", "outside"}},
      {"connection limit too large",
       R"({"region": {"battery_connection": {"import_limit_mw": 1e9}}})",
       {"region.battery_connection.import_limit_mw", "outside"}},
      {"connection limit as a string",
       R"({"region": {"battery_connection": {"export_limit_mw": "60"}}})",
       {"region.battery_connection.export_limit_mw", "wrong type"}},
      {"connection with no limit",
       R"({"region": {"battery_connection": {}}})",
       {"region.battery_connection", "export_limit_mw"}},
      {"connection unknown key",
       R"({"region": {"battery_connection": {"limit_mw": 60}}})",
       {"region.battery_connection.limit_mw", "unknown key"}},
      {"duplicate asset ids",
       R"({"batteries": [{"id": "x"}], "peakers": [{"id": "x"}]})",
       {"\"x\"", "used twice"}},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const BadCase& c = cases[i];
    SCOPED_TRACE(c.name);
    const std::string path = Write("bad" + std::to_string(i) + ".json", c.json);
    absl::StatusOr<GatewayConfig> config = LoadGatewayConfig(path);
    ASSERT_FALSE(config.ok());
    EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument) << config.status();
    const std::string message(config.status().message());
    EXPECT_THAT(message, HasSubstr(path));
    for (const std::string& part : c.want_parts) EXPECT_THAT(message, HasSubstr(part));
  }
}

TEST_F(GatewayConfigTest, BatteryConnectionIsReadAndNoneByDefault) {
  absl::StatusOr<GatewayConfig> none = LoadGatewayConfig("");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->region.battery_connection.any());
  absl::StatusOr<GatewayConfig> both = ParseGatewayConfig(
      R"({"region": {"battery_connection": {"export_limit_mw": 55, "import_limit_mw": 40}}})",
      "/c/cfg.json");
  ASSERT_TRUE(both.ok()) << both.status();
  EXPECT_EQ(both->region.battery_connection.export_limit_mw, 55.0);
  EXPECT_EQ(both->region.battery_connection.import_limit_mw, 40.0);
  absl::StatusOr<GatewayConfig> export_only = ParseGatewayConfig(
      R"({"region": {"battery_connection": {"export_limit_mw": 0}}})", "/c/cfg.json");
  ASSERT_TRUE(export_only.ok()) << export_only.status();
  EXPECT_EQ(export_only->region.battery_connection.export_limit_mw, 0.0);
  EXPECT_FALSE(export_only->region.battery_connection.import_limit_mw.has_value());
}

TEST_F(GatewayConfigTest, MissingFileIsNotFoundNamingThePath) {
  const std::string path = (dir_ / "does_not_exist.json").string();
  absl::StatusOr<GatewayConfig> config = LoadGatewayConfig(path);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(config.status().message()), HasSubstr(path));
}

TEST_F(GatewayConfigTest, InvalidJsonIsInvalidArgumentNamingTheFile) {
  for (const std::string text : {"{\"region\": {\"scale\": 0.01,}", "", "{\"a\": tru}"}) {
    SCOPED_TRACE(text);
    const std::string path = Write("broken.json", text);
    absl::StatusOr<GatewayConfig> config = LoadGatewayConfig(path);
    ASSERT_FALSE(config.ok());
    EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(config.status().message()), HasSubstr(path));
    EXPECT_THAT(std::string(config.status().message()), HasSubstr("JSON"));
  }
}

// Hostile numbers and broken files: each is InvalidArgument naming the file, and the key
// where there is one; none may escape as an exception.
TEST_F(GatewayConfigTest, HostileNumbersAndBrokenFilesNameFileAndKey) {
  struct Case {
    std::string name;
    std::string json;
    std::vector<std::string> want_parts;
  };
  const std::vector<Case> cases = {
      {"1e999",
       R"({"region": {"ramp_limit_mw": 1e999}})",
       {"region.ramp_limit_mw: 1e999 is not a finite number"}},
      {"-1e999 in a battery",
       R"({"batteries": [{"id": "b", "max_charge_mw": -1e999}]})",
       {"batteries[0].max_charge_mw", "-1e999", "not a finite number"}},
      {"1e999 in a live event",
       R"({"live": {"events": [{"kind": "cloud_front", "magnitude_mw": 1e999}]}})",
       {"live.events[0].magnitude_mw", "not a finite number"}},
      {"minutes overflowing to infinity",
       R"({"peakers": [{"start_up_time_min": 1e308}]})",
       {"peakers[0].start_up_time_min", "not a finite number"}},
      {"seconds beyond any duration",
       R"({"live": {"noise_correlation_seconds": 1e300}})",
       {"live.noise_correlation_seconds", "not a finite number"}},
      {"NaN literal", R"({"region": {"scale": NaN}})", {"not valid JSON", "region.scale"}},
      {"Infinity literal", R"({"region": {"scale": Infinity}})", {"not valid JSON"}},
      {"wrong type: object for a number",
       R"({"region": {"scale": {}}})",
       {"region.scale", "wrong type object"}},
      {"wrong type: list for a string",
       R"({"batteries": [{"id": [1]}]})",
       {"batteries[0].id", "wrong type array"}},
      {"negative seed", R"({"live": {"seed": -1}})", {"live.seed", "wrong type"}},
      {"truncated",
       R"({"region": {"ramp_limit_mw": 1)",
       {"not valid JSON", "region.ramp_limit_mw"}},
      {"truncated in a list",
       R"({"batteries": [{"id": "b"}, )",
       {"not valid JSON", "batteries[1]"}},
      {"cut mid-string", R"({"region": {"name": "gb)", {"not valid JSON", "region.name"}},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    SCOPED_TRACE(c.name);
    const std::string path = Write("hostile" + std::to_string(i) + ".json", c.json);
    absl::StatusOr<GatewayConfig> config = LoadGatewayConfig(path);
    ASSERT_FALSE(config.ok());
    EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument) << config.status();
    const std::string message(config.status().message());
    EXPECT_THAT(message, HasSubstr(path + ": "));
    for (const std::string& part : c.want_parts) EXPECT_THAT(message, HasSubstr(part));
  }
}

// deploy/arbitrage-only.json is the default region and assets with a ramp limit that binds
// nothing: the battery's widest swing (full charge to full discharge) is far inside it, so
// the trader plans without a step limit and the response agent has no ramp to counter.
TEST_F(GatewayConfigTest, ShippedArbitrageOnlyConfigChangesOnlyTheRampLimit) {
  const char* source_dir = getenv("GRIDPILOT_SOURCE_DIR");
  ASSERT_NE(source_dir, nullptr) << "set GRIDPILOT_SOURCE_DIR to the source tree (ctest does)";
  absl::StatusOr<GatewayConfig> shipped =
      LoadGatewayConfig(std::string(source_dir) + "/deploy/arbitrage-only.json");
  ASSERT_TRUE(shipped.ok()) << shipped.status();
  absl::StatusOr<GatewayConfig> defaults = LoadGatewayConfig("");
  ASSERT_TRUE(defaults.ok()) << defaults.status();

  EXPECT_EQ(shipped->region.name, "arbitrage-only");
  ASSERT_EQ(shipped->batteries.size(), 1u);
  const assets::BatteryParams& battery = shipped->batteries[0];
  EXPECT_GE(shipped->region.ramp_limit_mw, 10 * (battery.max_charge_mw + battery.max_discharge_mw));
  EXPECT_DOUBLE_EQ(shipped->region.scale, defaults->region.scale);
  EXPECT_DOUBLE_EQ(shipped->region.instability_penalty_gbp_per_mw,
                   defaults->region.instability_penalty_gbp_per_mw);
  const assets::BatteryParams& default_battery = defaults->batteries[0];
  EXPECT_EQ(battery.id, default_battery.id);
  EXPECT_DOUBLE_EQ(battery.energy_capacity_mwh, default_battery.energy_capacity_mwh);
  EXPECT_DOUBLE_EQ(battery.max_charge_mw, default_battery.max_charge_mw);
  EXPECT_DOUBLE_EQ(battery.max_discharge_mw, default_battery.max_discharge_mw);
  EXPECT_DOUBLE_EQ(battery.charge_efficiency, default_battery.charge_efficiency);
  EXPECT_DOUBLE_EQ(battery.discharge_efficiency, default_battery.discharge_efficiency);
  EXPECT_DOUBLE_EQ(battery.soc_min_mwh, default_battery.soc_min_mwh);
  EXPECT_DOUBLE_EQ(battery.soc_max_mwh, default_battery.soc_max_mwh);
  EXPECT_DOUBLE_EQ(battery.soc_initial_mwh, default_battery.soc_initial_mwh);
  EXPECT_DOUBLE_EQ(battery.reserve_mwh, default_battery.reserve_mwh);
  EXPECT_DOUBLE_EQ(battery.degradation_gbp_per_mwh, default_battery.degradation_gbp_per_mwh);
  EXPECT_EQ(shipped->peakers.size(), defaults->peakers.size());
  EXPECT_TRUE(shipped->demand_csv.empty());
  EXPECT_TRUE(shipped->price_csv.empty());
}

}  // namespace
}  // namespace gridpilot

namespace gridpilot {
namespace {

class GatewayLimitsConfigTest : public GatewayConfigTest {};

TEST_F(GatewayLimitsConfigTest, DefaultsHoldTheAiAgentOnly) {
  absl::StatusOr<GatewayConfig> config = LoadGatewayConfig("");
  ASSERT_TRUE(config.ok());
  const region::LimitTable& limits = config->limits;
  EXPECT_EQ(limits.approval_timeout, absl::Minutes(15));
  EXPECT_EQ(limits.max_pending_per_identity, 20);
  ASSERT_EQ(limits.by_role.size(), 1u);
  const region::DispatchLimits& ai = limits.by_role.at("ai-agent");
  EXPECT_EQ(ai.max_abs_power_mw, 10.0);
  EXPECT_EQ(ai.max_lease, absl::Hours(2));
  EXPECT_EQ(ai.max_actions_per_hour, 6);
  EXPECT_EQ(ai.max_priority, region::DispatchPriority::kTrading);
  EXPECT_FALSE(ai.assets.has_value());
  EXPECT_TRUE(limits.by_identity.empty());
}

TEST_F(GatewayLimitsConfigTest, SectionSetsEveryField) {
  const std::string path = Write("limits.json", R"({
    "limits": {"approval_timeout_min": 5, "max_pending_per_identity": 3,
               "roles": {"operator": {"max_lease_min": 240},
                         "ai-agent": {"max_abs_power_mw": 25, "actions_per_hour": 0,
                                      "assets": ["battery-1"], "priority_band": "resilience"}},
               "identities": {"mcp-lab": {}}}})");
  absl::StatusOr<GatewayConfig> config = LoadGatewayConfig(path);
  ASSERT_TRUE(config.ok()) << config.status();
  const region::LimitTable& limits = config->limits;
  EXPECT_EQ(limits.approval_timeout, absl::Minutes(5));
  EXPECT_EQ(limits.max_pending_per_identity, 3);
  EXPECT_EQ(limits.by_role.at("operator").max_lease, absl::Hours(4));
  EXPECT_FALSE(limits.by_role.at("operator").max_abs_power_mw.has_value());
  const region::DispatchLimits& ai = limits.by_role.at("ai-agent");
  EXPECT_EQ(ai.max_abs_power_mw, 25.0);
  EXPECT_EQ(ai.max_actions_per_hour, 0);
  EXPECT_FALSE(ai.max_lease.has_value());  // the entry replaces the default whole
  EXPECT_EQ(ai.assets, (std::set<std::string>{"battery-1"}));
  EXPECT_EQ(ai.max_priority, region::DispatchPriority::kResilience);
  const region::DispatchLimits& lab = limits.by_identity.at("mcp-lab");
  EXPECT_FALSE(lab.max_abs_power_mw.has_value() || lab.max_lease.has_value() ||
               lab.max_actions_per_hour.has_value() || lab.assets.has_value() ||
               lab.max_priority.has_value());
}

TEST_F(GatewayLimitsConfigTest, BadLimitsNameFileFieldAndValue) {
  struct Case {
    const char* json;
    std::vector<std::string> want_parts;
  };
  const std::vector<Case> cases = {
      {R"({"limits": {"roles": {"superuser": {}}}})",
       {"limits.roles.superuser", "\"superuser\" is not a role"}},
      {R"({"limits": {"roles": {"ai-agent": {"max_abs_power_mw": -1}}}})",
       {"limits.roles.ai-agent.max_abs_power_mw", "-1", "outside"}},
      {R"({"limits": {"roles": {"ai-agent": {"max_abs_power_mw": "big"}}}})",
       {"limits.roles.ai-agent.max_abs_power_mw", "wrong type"}},
      {R"({"limits": {"roles": {"ai-agent": {"max_lease_min": 0}}}})",
       {"limits.roles.ai-agent.max_lease_min", "0", "outside"}},
      {R"({"limits": {"roles": {"ai-agent": {"actions_per_hour": 100000}}}})",
       {"limits.roles.ai-agent.actions_per_hour", "100000", "above 3600"}},
      {R"({"limits": {"roles": {"ai-agent": {"actions_per_hour": -2}}}})",
       {"limits.roles.ai-agent.actions_per_hour", "wrong type"}},
      {R"({"limits": {"roles": {"ai-agent": {"priority_band": "highest"}}}})",
       {"limits.roles.ai-agent.priority_band", "\"highest\" is not trading or resilience"}},
      {R"({"limits": {"identities": {"mcp": {"assets": ["battery-9"]}}}})",
       {"limits.identities.mcp.assets", "\"battery-9\" is not a configured asset"}},
      {R"({"limits": {"identities": {"mcp": {"assets": [3]}}}})",
       {"limits.identities.mcp.assets[0]", "3 is not an asset id"}},
      {R"({"limits": {"identities": {"mcp": {"max_mw": 3}}}})",
       {"limits.identities.mcp.max_mw", "unknown key"}},
      {R"({"limits": {"approval_timeout_min": 0}})",
       {"limits.approval_timeout_min", "0", "outside (0, 1440] min"}},
      {R"({"limits": {"approval_timeout_min": 100000}})",
       {"limits.approval_timeout_min", "100000"}},
      {R"({"limits": {"max_pending_per_identity": 0}})",
       {"limits.max_pending_per_identity", "0", "outside [1, 1000]"}},
      {R"({"limits": {"roles": []}})", {"limits.roles", "must be an object"}},
      {R"({"limits": {"identities": {"": {}}}})", {"limits.identities"}},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].json);
    const std::string path = Write("bad_limits" + std::to_string(i) + ".json", cases[i].json);
    absl::StatusOr<GatewayConfig> config = LoadGatewayConfig(path);
    ASSERT_FALSE(config.ok());
    EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(config.status().message(), HasSubstr(path));
    for (const std::string& part : cases[i].want_parts) {
      EXPECT_THAT(config.status().message(), HasSubstr(part));
    }
  }
}

}  // namespace
}  // namespace gridpilot
