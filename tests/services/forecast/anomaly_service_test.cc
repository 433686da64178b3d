// AnomalyService.ScoreReadings over a real gRPC server on a free port: a series with
// injected spikes comes back with those rows flagged (as CSV, JSON and readings; CSV and
// JSON give the same verdicts), and every malformed request is INVALID_ARGUMENT with a message that
// names where (line, reading index) and what (field) was wrong.
#include <grpcpp/grpcpp.h>

#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/base/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/proto_time.h"
#include "services/common/server_runner.h"
#include "services/forecast/anomaly_service.h"
#include "services/forecast/readings_text.h"

namespace gridpilot {
namespace {

using ::testing::HasSubstr;

constexpr int kRows = 48 * 21;  // three weeks of half-hours
const std::vector<int> kSpikeRows = {400, 610, 905};

double CleanValue(int i) {
  return 500.0 + 200.0 * std::sin(2.0 * M_PI * (i % 48) / 48.0) + 15.0 * std::sin(0.7 * i);
}

double Value(int i) {
  for (int spike : kSpikeRows) {
    if (i == spike) return CleanValue(i) + 900.0;
  }
  return CleanValue(i);
}

std::string TimeText(int i) {
  const absl::Time t = *base::ParseUtcTimestamp("2024-01-01T00:00:00Z") + absl::Minutes(30) * i;
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

std::string GoodCsv(int rows = kRows) {
  std::string csv = "timestamp_utc,kwh\n";
  for (int i = 0; i < rows; ++i) absl::StrAppend(&csv, TimeText(i), ",", Value(i), "\n");
  return csv;
}

class ScoreReadingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<RunningServer> running = StartGrpcServer("127.0.0.1", 0, {&service_}, "");
    ASSERT_TRUE(running.ok()) << running.status();
    server_ = std::move(running->server);
    stub_ = v1::AnomalyService::NewStub(MakeChannel(absl::StrCat("127.0.0.1:", running->port)));
  }
  void TearDown() override { ShutdownServer(server_.get()); }

  grpc::Status Score(const v1::ScoreReadingsRequest& request, v1::ScoreReadingsResponse* out) {
    grpc::ClientContext context;
    return stub_->ScoreReadings(&context, request, out);
  }

  AnomalyServiceImpl service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::AnomalyService::Stub> stub_;
};

v1::ScoreReadingsRequest TextRequest(const std::string& text, v1::ReadingsFormat format,
                                     const std::string& name) {
  v1::ScoreReadingsRequest r;
  r.set_text(text);
  r.set_format(format);
  r.set_source_name(name);
  return r;
}

TEST_F(ScoreReadingsTest, FlagsInjectedSpikesTheSameFromTextAndFromReadings) {
  v1::ScoreReadingsResponse from_text;
  ASSERT_TRUE(Score(TextRequest(GoodCsv(), v1::READINGS_FORMAT_CSV, "m.csv"), &from_text).ok());
  ASSERT_EQ(from_text.rows_size(), kRows);
  EXPECT_EQ(FromProtoDuration(from_text.step()), absl::Minutes(30));
  for (int spike : kSpikeRows) {
    const v1::ReadingScore& row = from_text.rows(spike);
    EXPECT_TRUE(row.is_anomaly()) << "row " << spike;
    // The forest calls it a spike, or only the seasonal residual sees it: false data.
    EXPECT_THAT(row.kind(), ::testing::AnyOf(v1::ANOMALY_KIND_SPIKE, v1::ANOMALY_KIND_FALSE_DATA))
        << "row " << spike;
    EXPECT_FALSE(row.cause().empty());
    EXPECT_GE(row.score(), from_text.threshold());
  }
  // Rare: a handful of flags at most beyond the three spikes.
  EXPECT_GE(from_text.flagged(), 3);
  EXPECT_LE(from_text.flagged(), 3 + kRows / 50);
  EXPECT_FALSE(from_text.rows(10).is_anomaly());
  EXPECT_EQ(from_text.rows(10).kind(), v1::ANOMALY_KIND_UNSPECIFIED);

  v1::ScoreReadingsRequest readings;
  for (int i = 0; i < kRows; ++i) {
    v1::TimedReading* r = readings.add_readings();
    *r->mutable_time() = ToProtoTime(*base::ParseUtcTimestamp(TimeText(i)));
    if (i != 700) r->set_value(Value(i));  // one missing reading
  }
  v1::ScoreReadingsResponse from_readings;
  ASSERT_TRUE(Score(readings, &from_readings).ok());
  EXPECT_EQ(from_readings.rows(700).kind(), v1::ANOMALY_KIND_MISSING);
  EXPECT_FALSE(from_readings.rows(700).has_value());
  EXPECT_FALSE(from_readings.rows(700).has_score());
  for (int spike : kSpikeRows) {
    EXPECT_TRUE(from_readings.rows(spike).is_anomaly()) << "row " << spike;
  }
}

TEST_F(ScoreReadingsTest, JsonBodyScoresAsTheCsvDoes) {
  std::string json = "{\"readings\": [\n";
  for (int i = 0; i < kRows; ++i) {
    absl::StrAppend(&json, i == 0 ? "" : ",\n", "{\"timestamp_utc\": \"", TimeText(i),
                    "\", \"value\": ", absl::StrFormat("%.17g", Value(i)), "}");
  }
  json += "]}";
  v1::ScoreReadingsResponse from_json, from_csv;
  ASSERT_TRUE(Score(TextRequest(json, v1::READINGS_FORMAT_JSON, "m.json"), &from_json).ok());
  std::string csv = "timestamp_utc,value\n";
  for (int i = 0; i < kRows; ++i) {
    absl::StrAppend(&csv, TimeText(i), ",", absl::StrFormat("%.17g", Value(i)), "\n");
  }
  ASSERT_TRUE(Score(TextRequest(csv, v1::READINGS_FORMAT_CSV, "m.csv"), &from_csv).ok());
  ASSERT_EQ(from_json.rows_size(), from_csv.rows_size());
  for (int i = 0; i < kRows; ++i) {
    EXPECT_EQ(from_json.rows(i).kind(), from_csv.rows(i).kind()) << i;
    EXPECT_DOUBLE_EQ(from_json.rows(i).score(), from_csv.rows(i).score()) << i;
  }
}

struct BadCase {
  std::string name;
  v1::ScoreReadingsRequest request;
  std::vector<std::string> message_has;  // each must appear in the message
};

v1::ScoreReadingsRequest Csv(const std::string& text) {
  return TextRequest(text, v1::READINGS_FORMAT_CSV, "meter.csv");
}
v1::ScoreReadingsRequest Json(const std::string& text) {
  return TextRequest(text, v1::READINGS_FORMAT_JSON, "meter.json");
}

// A good CSV with line `line` (1-based, header = 1) replaced.
std::string CsvWithLine(int line, const std::string& replacement) {
  std::string csv = "timestamp_utc,kwh\n";
  for (int i = 0; i < 200; ++i) {
    absl::StrAppend(&csv, i + 2 == line ? replacement : absl::StrCat(TimeText(i), ",", Value(i)),
                    "\n");
  }
  return csv;
}

std::vector<BadCase> BadCases() {
  std::vector<BadCase> cases;
  auto add = [&cases](std::string name, v1::ScoreReadingsRequest r, std::vector<std::string> has) {
    cases.push_back({std::move(name), std::move(r), std::move(has)});
  };
  add("empty request", {}, {"either readings or text"});
  {
    v1::ScoreReadingsRequest both = Csv(GoodCsv(10));
    both.add_readings();
    add("readings and text", both, {"not both"});
  }
  add("no format", TextRequest(GoodCsv(10), v1::READINGS_FORMAT_UNSPECIFIED, "x"), {"format"});
  add("unknown format", TextRequest(GoodCsv(10), static_cast<v1::ReadingsFormat>(7), "x"),
      {"format: 7"});
  add("not a number", Csv(CsvWithLine(12, TimeText(10) + ",abc")),
      {"meter.csv:12", "kwh", "abc", "not a number"});
  add("nan", Csv(CsvWithLine(30, TimeText(28) + ",nan")), {"meter.csv:30", "kwh"});
  add("inf", Csv(CsvWithLine(31, TimeText(29) + ",inf")), {"meter.csv:31", "kwh"});
  add("bad time", Csv(CsvWithLine(7, "yesterday,1.0")), {"meter.csv:7", "timestamp_utc"});
  add("ragged row", Csv(CsvWithLine(9, TimeText(7) + ",1.0,2.0")), {"meter.csv:9"});
  add("gap", Csv(CsvWithLine(50, TimeText(49) + ",1.0")),
      {"meter.csv:50", "time", "after the previous reading"});
  add("duplicate time", Csv(CsvWithLine(60, TimeText(57) + ",1.0")),
      {"meter.csv:60", "time", "after the previous reading"});
  add("huge value", Csv(CsvWithLine(20, TimeText(18) + ",1e300")), {"meter.csv:20", "value"});
  add("no time column", Csv("time,kwh\n" + TimeText(0) + ",1\n" + TimeText(1) + ",2\n"),
      {"meter.csv", "timestamp_utc"});
  add("two value columns",
      Csv("timestamp_utc,a,b\n" + TimeText(0) + ",1,2\n" + TimeText(1) + ",2,3\n"),
      {"meter.csv:1", "several value columns (a, b)"});
  {
    v1::ScoreReadingsRequest r = Csv(GoodCsv(10));
    r.set_value_column("watts");
    add("named column absent", r, {"meter.csv", "watts"});
  }
  add("header only", Csv("timestamp_utc,kwh\n"), {"meter.csv", "at least 2"});
  add("empty text with format", Csv(""), {"either readings or text"});
  add("one row", Csv("timestamp_utc,kwh\n" + TimeText(0) + ",1\n"), {"meter.csv", "at least 2"});
  add("all missing", Csv("timestamp_utc,kwh\n" + TimeText(0) + ",\n" + TimeText(1) + ",?\n"),
      {"meter.csv", "no values"});
  add("step not dividing a day",
      Csv("timestamp_utc,kwh\n2024-01-01T00:00:00Z,1\n2024-01-01T00:07:00Z,2\n"),
      {"meter.csv:3", "step", "divide a day"});
  add("descending", Csv("timestamp_utc,kwh\n2024-01-01T01:00:00Z,1\n2024-01-01T00:30:00Z,2\n"),
      {"meter.csv:3", "step"});
  add("year 1800", Csv("timestamp_utc,kwh\n1800-01-01T00:00:00Z,1\n1800-01-01T00:30:00Z,2\n"),
      {"meter.csv:2", "1900"});
  add("json syntax", Json("{\"readings\": [\n{\"timestamp_utc\": \"x\",,}]}"),
      {"meter.json:2:", "JSON syntax error"});
  add("json not array", Json("{\"readings\": 5}"), {"meter.json", "readings", "array"});
  add("json no readings", Json("{\"values\": []}"), {"meter.json", "readings: required"});
  add("json item not object", Json("[1, 2]"), {"meter.json: readings[0]", "object"});
  add("json time missing", Json("[{\"value\": 1}, {\"value\": 2}]"),
      {"readings[0].timestamp_utc", "required"});
  add("json time bad",
      Json("[{\"timestamp_utc\": \"" + TimeText(0) +
           "\", \"value\": 1}, {\"timestamp_utc\": \"soon\", \"value\": 2}]"),
      {"readings[1].timestamp_utc"});
  add("json value string",
      Json("[{\"timestamp_utc\": \"" + TimeText(0) +
           "\", \"value\": \"12\"}, {\"timestamp_utc\": \"" + TimeText(1) + "\", \"value\": 2}]"),
      {"readings[0].value", "\"12\"", "not a number"});
  add("json too deep", Json(std::string(100, '[') + std::string(100, ']')), {"nested deeper"});
  add("json gap",
      Json("[{\"timestamp_utc\": \"" + TimeText(0) + "\", \"value\": 1}, {\"timestamp_utc\": \"" +
           TimeText(1) + "\", \"value\": 2}, {\"timestamp_utc\": \"" + TimeText(5) +
           "\", \"value\": 2}]"),
      {"meter.json: readings[2]", "time", "after the previous reading"});
  {
    v1::ScoreReadingsRequest r;
    r.add_readings()->set_value(1.0);
    r.add_readings()->set_value(2.0);
    add("reading without time", r, {"readings[0].time: required"});
  }
  {
    v1::ScoreReadingsRequest r;
    for (int i = 0; i < 3; ++i) {
      v1::TimedReading* x = r.add_readings();
      *x->mutable_time() = ToProtoTime(*base::ParseUtcTimestamp(TimeText(i)));
      x->set_value(i == 2 ? std::nan("") : 1.0);
    }
    add("reading NaN", r, {"readings[2].value", "NaN"});
  }
  {
    v1::ScoreReadingsRequest r;
    for (int i = 0; i < 3; ++i) {
      v1::TimedReading* x = r.add_readings();
      *x->mutable_time() = ToProtoTime(*base::ParseUtcTimestamp(TimeText(i)));
      x->set_value(i == 1 ? INFINITY : 1.0);
    }
    add("reading infinite", r, {"readings[1]", "value"});
  }
  {
    v1::ScoreReadingsRequest r;
    *r.add_readings()->mutable_time() = ToProtoTime(*base::ParseUtcTimestamp(TimeText(0)));
    r.mutable_readings(0)->mutable_time()->set_nanos(-5);
    r.add_readings();
    add("reading bad nanos", r, {"readings[0].time", "nanos"});
  }
  {
    v1::ScoreReadingsRequest r;
    r.add_readings();
    r.set_format(v1::READINGS_FORMAT_CSV);
    add("format with readings", r, {"format: only with text"});
  }
  {
    v1::ScoreReadingsRequest r = Csv(GoodCsv(10));
    r.set_source_name(std::string(300, 'a'));
    add("long source name", r, {"source_name", "200 bytes"});
  }
  {
    v1::ScoreReadingsRequest r = Csv(GoodCsv(10));
    r.set_time_column("a\nb");
    add("control character", r, {"time_column", "control character"});
  }
  add("over the byte limit", Csv(std::string(kMaxUploadBytes + 1, 'x')),
      {"meter.csv", "more than the limit of 4000000"});
  {
    std::string csv = "timestamp_utc,v\n";
    const absl::Time t0 = *base::ParseUtcTimestamp("2024-01-01T00:00:00Z");
    for (size_t i = 0; i <= kMaxUploadRows; ++i) {
      absl::StrAppend(
          &csv, absl::FormatTime("%Y%m%dT%H%M%SZ", t0 + absl::Minutes(i), absl::UTCTimeZone()),
          ",1\n");
    }
    if (csv.size() <= kMaxUploadBytes) {
      add("over the row limit", Csv(csv), {"meter.csv", "more than the limit of 100000"});
    }
  }
  return cases;
}

TEST_F(ScoreReadingsTest, MalformedRequestsAreInvalidArgumentNamingWhereAndWhat) {
  const std::vector<BadCase> cases = BadCases();
  EXPECT_GE(cases.size(), 35u);
  for (const BadCase& c : cases) {
    v1::ScoreReadingsResponse response;
    const grpc::Status status = Score(c.request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << c.name << ": " << status.error_message();
    for (const std::string& part : c.message_has) {
      EXPECT_THAT(status.error_message(), HasSubstr(part)) << c.name;
    }
    EXPECT_EQ(response.rows_size(), 0) << c.name;
  }
}

}  // namespace
}  // namespace gridpilot
