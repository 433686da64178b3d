// The upload route's wire forms: the format from the query or Content-Type, the file's name
// and column passed on, refusals naming the parameter; the scores as the page's columns.
#include "services/console/upload_json.h"

#include <cmath>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/proto_time.h"

namespace gridpilot {
namespace {

using ::testing::HasSubstr;

TEST(UploadRequestTest, FormatFromQueryOrContentType) {
  absl::StatusOr<v1::ScoreReadingsRequest> r =
      UploadRequest("a,b\n", "text/csv; charset=utf-8", {{"name", "m.csv"}, {"column", "kwh"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->format(), v1::READINGS_FORMAT_CSV);
  EXPECT_EQ(r->source_name(), "m.csv");
  EXPECT_EQ(r->value_column(), "kwh");
  EXPECT_EQ(r->text(), "a,b\n");
  r = UploadRequest("[]", "text/plain", {{"format", "json"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->format(), v1::READINGS_FORMAT_JSON);
  EXPECT_EQ(r->source_name(), "upload.json");
}

TEST(UploadRequestTest, RefusesNamingTheParameter) {
  EXPECT_THAT(UploadRequest("x", "text/plain", {}).status().message(), HasSubstr("format:"));
  EXPECT_THAT(UploadRequest("x", "", {{"format", "xml"}}).status().message(),
              HasSubstr("format: \"xml\""));
  EXPECT_THAT(UploadRequest("", "text/csv", {}).status().message(), HasSubstr("body: empty"));
}

TEST(UploadResultJsonTest, OneEntryPerRowInEachColumn) {
  v1::ScoreReadingsResponse response;
  response.set_threshold(0.6);
  response.set_flagged(1);
  *response.mutable_step() = ToProtoDuration(absl::Minutes(30));
  v1::ReadingScore* a = response.add_rows();
  *a->mutable_time() = ToProtoTime(absl::FromUnixSeconds(1800));
  a->set_value(5.0);
  a->set_score(0.9);
  a->set_is_anomaly(true);
  a->set_kind(v1::ANOMALY_KIND_SPIKE);
  a->set_cause("value +8");
  v1::ReadingScore* b = response.add_rows();  // missing: no value, no score
  *b->mutable_time() = ToProtoTime(absl::FromUnixSeconds(3600));
  const nlohmann::json j = UploadResultJson("m.csv", response);
  EXPECT_EQ(j["source"], "m.csv");
  EXPECT_EQ(j["step_s"], 1800);
  EXPECT_EQ(j["rows"], 2);
  EXPECT_EQ(j["t"], nlohmann::json({1800, 3600}));
  EXPECT_EQ(j["value"][0], 5.0);
  EXPECT_TRUE(j["value"][1].is_null());
  EXPECT_TRUE(j["score"][1].is_null());
  EXPECT_EQ(j["kind"], nlohmann::json({"spike", ""}));
  EXPECT_EQ(j["cause"], nlohmann::json({"value +8", ""}));
}

}  // namespace
}  // namespace gridpilot
