// `gridpilot detect` in-process on small hand-made files: the output's columns and rows,
// the kinds of a spike, a drop, a stuck meter and a missing reading, determinism, and the
// errors for bad input and bad arguments.
#include "services/cli/detect_command.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot {
namespace {

using ::testing::HasSubstr;

std::string Temp(const std::string& name) { return ::testing::TempDir() + "/" + name; }

std::string Stamp(int i) {  // half-hours from 2023-01-01T00:00Z
  char stamp[64];
  std::snprintf(stamp, sizeof(stamp), "2023-01-%02dT%02d:%02d:00Z", 1 + i / 48, (i % 48) / 2,
                (i % 2) * 30);
  return stamp;
}

// A half-hourly demand file: a daily cycle plus noise (fixed seed), with `edits` replacing
// the field of given rows (0-based) as text.
std::string WriteDemand(const std::string& name, int days,
                        const std::map<int, std::string>& edits) {
  std::mt19937_64 rng(9);
  std::normal_distribution<double> noise(0.0, 150.0);
  const std::string path = Temp(name);
  std::ofstream out(path);
  out << "timestamp_utc,SETTLEMENT_PERIOD,ND\n";
  for (int i = 0; i < days * 48; ++i) {
    const double value =
        26000 + 6000 * std::sin(2 * 3.14159265358979 * (i % 48) / 48.0) + noise(rng);
    auto it = edits.find(i);
    out << Stamp(i) << "," << (i % 48) + 1 << ","
        << (it != edits.end() ? it->second : std::to_string(static_cast<int>(value))) << "\n";
  }
  return path;
}

struct OutputRow {
  std::string timestamp, value, score, is_anomaly, kind, cause;
};

std::vector<OutputRow> ReadOutput(const std::string& path, std::string* header) {
  std::ifstream in(path);
  std::getline(in, *header);
  std::vector<OutputRow> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f = absl::StrSplit(line, ',');
    EXPECT_EQ(f.size(), 6u) << line;
    f.resize(6);
    rows.push_back({f[0], f[1], f[2], f[3], f[4], f[5]});
  }
  return rows;
}

struct DetectRun {
  int exit_code;
  std::string error;
};

DetectRun Detect(const std::map<std::string, std::string>& options) {
  ::testing::internal::CaptureStderr();
  const int code = RunDetectCommand(options);
  return {code, ::testing::internal::GetCapturedStderr()};
}

TEST(DetectCommandTest, WritesEveryRowWithItsKind) {
  std::map<int, std::string> edits = {{200, ""}, {300, "60000"}, {400, "5000"}};
  for (int i = 500; i < 510; ++i) edits[i] = "25000";  // a stuck meter, 10 rows
  const std::string input = WriteDemand("kinds.csv", 14, edits);
  const DetectRun run =
      Detect({{"input", input}, {"column", "ND"}, {"out", Temp("kinds_out.csv")}});
  ASSERT_EQ(run.exit_code, 0) << run.error;
  std::string header;
  const std::vector<OutputRow> rows = ReadOutput(Temp("kinds_out.csv"), &header);
  EXPECT_EQ(header, "timestamp_utc,value,score,is_anomaly,kind,cause");
  ASSERT_EQ(rows.size(), 14u * 48);
  EXPECT_EQ(rows[0].timestamp, "2023-01-01T00:00:00Z");

  EXPECT_EQ(rows[200].kind, "missing");
  EXPECT_EQ(rows[200].is_anomaly, "1");
  EXPECT_EQ(rows[200].value, "");
  EXPECT_EQ(rows[200].score, "");

  EXPECT_EQ(rows[300].kind, "spike");
  // The two features that moved most, signed: the jump from yesterday and from the last row.
  EXPECT_THAT(rows[300].cause, HasSubstr("diff_yesterday +"));
  EXPECT_THAT(rows[300].cause, HasSubstr("diff_prev +"));
  EXPECT_EQ(rows[400].kind, "drop");
  EXPECT_GT(std::stod(rows[300].score), std::stod(rows[100].score));

  // The default for half-hours is 4 identical rows: the 4th to the 10th are flagged.
  EXPECT_NE(rows[502].kind, "flat_line");
  for (int i = 503; i < 510; ++i) EXPECT_EQ(rows[i].kind, "flat_line") << i;
  EXPECT_THAT(rows[509].cause, HasSubstr("repeated for 10 rows"));
  // The score rises as the meter stays stuck.
  EXPECT_GT(std::stod(rows[509].score), std::stod(rows[503].score));

  int flagged = 0;
  for (const OutputRow& r : rows) {
    EXPECT_EQ(r.is_anomaly == "1", !r.kind.empty());
    flagged += r.is_anomaly == "1";
  }
  EXPECT_LT(flagged, 40);  // contamination 1% of 672 rows, plus the injected ones
}

TEST(DetectCommandTest, SameInputGivesIdenticalOutput) {
  const std::string input = WriteDemand("same.csv", 10, {{100, "50000"}});
  ASSERT_EQ(Detect({{"input", input}, {"column", "ND"}, {"out", Temp("same1.csv")}}).exit_code, 0);
  ASSERT_EQ(Detect({{"input", input}, {"column", "ND"}, {"out", Temp("same2.csv")}}).exit_code, 0);
  std::ifstream a(Temp("same1.csv")), b(Temp("same2.csv"));
  std::stringstream sa, sb;
  sa << a.rdbuf();
  sb << b.rdbuf();
  EXPECT_EQ(sa.str(), sb.str());
}

TEST(DetectCommandTest, QuestionMarkIsMissingAndTrainFileIsUsed) {
  const std::string train = WriteDemand("train.csv", 10, {});
  const std::string input = WriteDemand("qmark.csv", 10, {{50, "?"}});
  const DetectRun run = Detect({{"input", input},
                                {"column", "ND"},
                                {"train", train},
                                {"out", Temp("qmark_out.csv")},
                                {"features", Temp("features.csv")}});
  ASSERT_EQ(run.exit_code, 0) << run.error;
  std::string header;
  const std::vector<OutputRow> rows = ReadOutput(Temp("qmark_out.csv"), &header);
  EXPECT_EQ(rows[50].kind, "missing");
  EXPECT_EQ(rows[50].value, "?");
  std::ifstream features(Temp("features.csv"));
  std::getline(features, header);
  EXPECT_EQ(header,
            "timestamp_utc,value,diff_prev,dev_mean_4,std_4,dev_mean_16,std_16,dev_mean_64,"
            "std_64,diff_yesterday,run_length");
}

TEST(DetectCommandTest, MissingColumnNamesColumnAndFile) {
  const std::string input = WriteDemand("nocol.csv", 3, {});
  const DetectRun run = Detect({{"input", input}, {"column", "TSD"}, {"out", Temp("x.csv")}});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.error, HasSubstr(input));
  EXPECT_THAT(run.error, HasSubstr("no column TSD"));
}

TEST(DetectCommandTest, UnparseableNumberNamesFileLineAndColumn) {
  const std::string input = WriteDemand("abc.csv", 3, {{5, "abc"}});
  const DetectRun run = Detect({{"input", input}, {"column", "ND"}, {"out", Temp("x.csv")}});
  EXPECT_EQ(run.exit_code, 1);
  // Row 5 is line 7 (the header is line 1).
  EXPECT_THAT(run.error, HasSubstr(input + ":7: column ND: \"abc\" is not a number"));
}

TEST(DetectCommandTest, GapInTimeIsAnErrorNamingTheLine) {
  const std::string path = Temp("gap.csv");
  std::ofstream(path) << "timestamp_utc,ND\n2023-01-01T00:00:00Z,1\n2023-01-01T00:30:00Z,2\n"
                         "2023-01-01T01:30:00Z,3\n";
  const DetectRun run = Detect({{"input", path}, {"column", "ND"}, {"out", Temp("x.csv")}});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.error, HasSubstr(path + ":4:"));
  EXPECT_THAT(run.error, HasSubstr("regular series"));
}

TEST(DetectCommandTest, BadArgumentsExitWithTwo) {
  const std::string input = WriteDemand("args.csv", 3, {});
  EXPECT_EQ(Detect({{"input", input}, {"out", Temp("x.csv")}}).exit_code, 2);  // no --column
  const DetectRun bad = Detect(
      {{"input", input}, {"column", "ND"}, {"out", Temp("x.csv")}, {"contamination", "0.9"}});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.error, HasSubstr("--contamination"));
  EXPECT_EQ(Detect({{"input", input}, {"column", "ND"}, {"out", Temp("x.csv")}, {"flat-rows", "1"}})
                .exit_code,
            2);
}

}  // namespace
}  // namespace gridpilot
