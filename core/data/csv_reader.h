// A strict reader for the shipped CSV files: header row, comma-separated, no quoting,
// '\n' or '\r\n' line ends. Every error names the file and line (1-based, header = 1).
#ifndef GRIDPILOT_CORE_DATA_CSV_READER_H_
#define GRIDPILOT_CORE_DATA_CSV_READER_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace gridpilot::data {

struct CsvRow {
  int line = 0;                     // 1-based line number in the file
  std::vector<std::string> fields;  // exactly as many as the header has columns
};

class CsvFile {
 public:
  // Reads the whole file. NotFound if it cannot be opened; InvalidArgument
  // "path:line: expected N fields, found M" for a ragged row; InvalidArgument for an
  // empty file (no header).
  static absl::StatusOr<CsvFile> Read(const std::string& path);
  // Same, from text already in memory (`path` is used only in messages).
  static absl::StatusOr<CsvFile> Parse(std::string_view text, const std::string& path);

  const std::string& path() const { return path_; }
  const std::vector<std::string>& header() const { return header_; }
  const std::vector<CsvRow>& rows() const { return rows_; }

  // Index of a column by exact name; InvalidArgument "path: no column NAME; columns found:
  // A, B" otherwise.
  absl::StatusOr<size_t> ColumnIndex(std::string_view name) const;

  // Field parsers. An empty field is a missing value (nullopt). Anything else that is
  // not a finite number, including "nan" and "inf", is
  // InvalidArgument "path:line: column NAME: \"abc\" is not a number".
  absl::StatusOr<std::optional<double>> OptionalNumber(const CsvRow& row, size_t column) const;
  // As OptionalNumber, and a number outside [min, max] is InvalidArgument
  // "path:line: column NAME: 1e+308 is outside the plausible range [0, 100000] MW";
  // `unit` names the unit in that message.
  absl::StatusOr<std::optional<double>> OptionalNumberIn(const CsvRow& row, size_t column,
                                                         double min, double max,
                                                         std::string_view unit) const;
  // As OptionalNumber but an empty field is an error too ("... is empty").
  absl::StatusOr<double> RequiredNumber(const CsvRow& row, size_t column) const;
  // ISO 8601 UTC timestamp; errors name file, line and column.
  absl::StatusOr<absl::Time> RequiredTime(const CsvRow& row, size_t column) const;

 private:
  std::string path_;
  std::vector<std::string> header_;
  std::vector<CsvRow> rows_;
};

}  // namespace gridpilot::data

#endif  // GRIDPILOT_CORE_DATA_CSV_READER_H_
