// The error every CSV loader in core/data reports for one bad field, so that all of them
// name the place the same way: file, line and column header (STYLE.md, "Errors").
#ifndef GRIDPILOT_CORE_DATA_CSV_FIELD_ERROR_H_
#define GRIDPILOT_CORE_DATA_CSV_FIELD_ERROR_H_

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "core/data/csv_reader.h"

namespace gridpilot::data {

// InvalidArgument "PATH:LINE: column NAME: WHAT" for field `column` of `row` of `file`;
// `column` must be an index into file.header().
inline absl::Status FieldError(const CsvFile& file, const CsvRow& row, size_t column,
                               absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(file.path(), ":", row.line, ": column ", file.header()[column], ": ", what));
}

}  // namespace gridpilot::data

#endif  // GRIDPILOT_CORE_DATA_CSV_FIELD_ERROR_H_
