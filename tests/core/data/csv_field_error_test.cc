// FieldError: the one message shape of a bad CSV field (file, line, column header, what).
#include "core/data/csv_field_error.h"

#include "gtest/gtest.h"

namespace gridpilot::data {
namespace {

TEST(FieldErrorTest, NamesFileLineAndColumnHeader) {
  absl::StatusOr<CsvFile> file =
      CsvFile::Parse("time,ND\n2023-01-01T00:00:00Z,1\nx,abc\n", "demand.csv");
  ASSERT_TRUE(file.ok()) << file.status();
  const absl::Status error = FieldError(*file, file->rows()[1], 1, "\"abc\" is not a number");
  EXPECT_EQ(error.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(error.message(), "demand.csv:3: column ND: \"abc\" is not a number");
}

}  // namespace
}  // namespace gridpilot::data
