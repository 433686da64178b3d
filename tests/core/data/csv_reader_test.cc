#include "core/data/csv_reader.h"

#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "core/base/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot::data {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string WriteTempFile(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST(CsvFileTest, ReadsHeaderRowsAndValues) {
  const std::string path = WriteTempFile("csv_happy.csv",
                                         "timestamp_utc,ND,Price\n"
                                         "2022-01-01T00:00:00Z,21940,-12.5\n"
                                         "2022-01-01T00:30:00Z,22427,1e3\n");
  absl::StatusOr<CsvFile> file = CsvFile::Read(path);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->path(), path);
  EXPECT_THAT(file->header(), ElementsAre("timestamp_utc", "ND", "Price"));
  ASSERT_EQ(file->rows().size(), 2u);
  EXPECT_EQ(file->rows()[0].line, 2);
  EXPECT_EQ(file->rows()[1].line, 3);
  EXPECT_THAT(file->rows()[1].fields, ElementsAre("2022-01-01T00:30:00Z", "22427", "1e3"));

  ASSERT_EQ(file->ColumnIndex("Price").value(), 2u);
  const CsvRow& first = file->rows()[0];
  EXPECT_EQ(file->RequiredNumber(first, 1).value(), 21940.0);
  EXPECT_EQ(file->OptionalNumber(first, 2).value(), -12.5);
  EXPECT_EQ(file->RequiredNumber(file->rows()[1], 2).value(), 1000.0);
  EXPECT_EQ(file->RequiredTime(first, 0).value(),
            base::ParseUtcTimestamp("2022-01-01T00:00Z").value());
}

TEST(CsvFileTest, EmptyFieldStaysMissing) {
  absl::StatusOr<CsvFile> file = CsvFile::Parse("a,b,c\n1,,3\n,,\n", "m.csv");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->OptionalNumber(file->rows()[0], 1).value(), std::nullopt);
  EXPECT_EQ(file->OptionalNumber(file->rows()[0], 2).value(), 3.0);
  // A trailing empty field is a field too: the row has 3 fields, all missing.
  EXPECT_EQ(file->OptionalNumber(file->rows()[1], 2).value(), std::nullopt);

  absl::StatusOr<double> required = file->RequiredNumber(file->rows()[0], 1);
  EXPECT_EQ(required.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(required.status().message(), "m.csv:2: column b: value is empty");
}

TEST(CsvFileTest, NonNumberNamesFileLineAndColumn) {
  absl::StatusOr<CsvFile> file =
      CsvFile::Parse("t,ND\nx,1\ny,abc\nz,12abc\nw, 12\n", "data/gb_demand.csv");
  ASSERT_TRUE(file.ok()) << file.status();
  absl::StatusOr<std::optional<double>> bad = file->OptionalNumber(file->rows()[1], 1);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "data/gb_demand.csv:3: column ND: \"abc\" is not a number");
  // Trailing garbage and padding are not silently dropped.
  EXPECT_EQ(file->OptionalNumber(file->rows()[2], 1).status().message(),
            "data/gb_demand.csv:4: column ND: \"12abc\" is not a number");
  EXPECT_FALSE(file->OptionalNumber(file->rows()[3], 1).ok());
}

TEST(CsvFileTest, NanAndInfinityAreRejected) {
  absl::StatusOr<CsvFile> file = CsvFile::Parse("v\nnan\nNaN\ninf\n-inf\nINF\n1e400\n", "f.csv");
  ASSERT_TRUE(file.ok()) << file.status();
  for (const CsvRow& row : file->rows()) {
    absl::StatusOr<std::optional<double>> value = file->OptionalNumber(row, 0);
    EXPECT_EQ(value.status().code(), absl::StatusCode::kInvalidArgument) << row.fields[0];
    EXPECT_THAT(value.status().message(),
                HasSubstr("f.csv:" + std::to_string(row.line) + ": column v: \""));
  }
}

// Found by fuzz/csv_ingest_fuzzer.cc: absl::ParseTime's words for the infinite times
// passed as timestamps.
TEST(CsvFileTest, InfiniteTimesAreRejected) {
  absl::StatusOr<CsvFile> file =
      CsvFile::Parse("timestamp_utc\ninfinite-past\ninfinite-future\n", "t.csv");
  ASSERT_TRUE(file.ok()) << file.status();
  for (const CsvRow& row : file->rows()) {
    absl::StatusOr<absl::Time> t = file->RequiredTime(row, 0);
    EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument) << row.fields[0];
    EXPECT_THAT(t.status().message(), HasSubstr("t.csv:" + std::to_string(row.line) +
                                                ": column timestamp_utc: \"" + row.fields[0]));
  }
}

TEST(CsvFileTest, RaggedRowIsRejected) {
  absl::StatusOr<CsvFile> few = CsvFile::Parse("a,b,c\n1,2,3\n1,2\n", "r.csv");
  EXPECT_EQ(few.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(few.status().message(), "r.csv:3: expected 3 fields, found 2");
  absl::StatusOr<CsvFile> many = CsvFile::Parse("a,b\n1,2,3\n", "r.csv");
  EXPECT_EQ(many.status().message(), "r.csv:2: expected 2 fields, found 3");
}

TEST(CsvFileTest, MissingFileIsNotFoundNamingThePath) {
  const std::string path = ::testing::TempDir() + "no_such_file.csv";
  absl::StatusOr<CsvFile> file = CsvFile::Read(path);
  EXPECT_EQ(file.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(file.status().message(), HasSubstr(path));
}

TEST(CsvFileTest, EmptyFileIsRejected) {
  const std::string path = WriteTempFile("csv_empty.csv", "");
  absl::StatusOr<CsvFile> file = CsvFile::Read(path);
  EXPECT_EQ(file.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(file.status().message(), HasSubstr(path));
  EXPECT_EQ(CsvFile::Parse("\n", "e.csv").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(CsvFileTest, HeaderOnlyFileHasNoRows) {
  absl::StatusOr<CsvFile> file = CsvFile::Parse("a,b\n", "h.csv");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->header().size(), 2u);
  EXPECT_TRUE(file->rows().empty());
}

TEST(CsvFileTest, CrlfLineEndsAndMissingFinalNewline) {
  const std::string path = WriteTempFile("csv_crlf.csv", "a,b\r\n1,\r\n3,4");
  absl::StatusOr<CsvFile> file = CsvFile::Read(path);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_THAT(file->header(), ElementsAre("a", "b"));
  ASSERT_EQ(file->rows().size(), 2u);
  // The '\r' must not end up in the last field: it would make "" non-empty and "4" bad.
  EXPECT_EQ(file->OptionalNumber(file->rows()[0], 1).value(), std::nullopt);
  EXPECT_EQ(file->RequiredNumber(file->rows()[1], 1).value(), 4.0);
  EXPECT_EQ(file->rows()[1].line, 3);
}

TEST(CsvFileTest, UnknownAndDuplicateColumns) {
  absl::StatusOr<CsvFile> file = CsvFile::Parse("a,b\n1,2\n", "c.csv");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->ColumnIndex("ND").status().message(), "c.csv: no column ND; columns found: a, b");
  EXPECT_EQ(file->OptionalNumber(file->rows()[0], 2).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(CsvFile::Parse("a,b,a\n", "d.csv").status().message(), "d.csv:1: duplicate column a");
}

TEST(CsvFileTest, RequiredTimeErrorsNameFileLineAndColumn) {
  absl::StatusOr<CsvFile> file =
      CsvFile::Parse("timestamp_utc\n2022-01-01T00:30:00Z\n2022-13-01T00:00:00Z\n\n", "t.csv");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->RequiredTime(file->rows()[0], 0).value(),
            absl::FromCivil(absl::CivilMinute(2022, 1, 1, 0, 30), absl::UTCTimeZone()));
  absl::StatusOr<absl::Time> bad = file->RequiredTime(file->rows()[1], 0);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("t.csv:3: column timestamp_utc: "));
  EXPECT_THAT(bad.status().message(), HasSubstr("2022-13-01T00:00:00Z"));
  EXPECT_EQ(file->RequiredTime(file->rows()[2], 0).status().message(),
            "t.csv:4: column timestamp_utc: value is empty");
}

}  // namespace
}  // namespace gridpilot::data
