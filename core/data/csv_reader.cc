#include "core/data/csv_reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <system_error>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/base/time_util.h"

namespace gridpilot::data {
namespace {

// Splits one line (without its line end) on ',' into `fields`, reusing its storage.
void SplitFields(std::string_view line, std::vector<std::string>& fields) {
  fields.clear();
  size_t begin = 0;
  while (true) {
    const size_t comma = line.find(',', begin);
    if (comma == std::string_view::npos) {
      fields.emplace_back(line.substr(begin));
      return;
    }
    fields.emplace_back(line.substr(begin, comma - begin));
    begin = comma + 1;
  }
}

// "path:line: column NAME", the prefix of every field error.
std::string FieldLocation(const std::string& path, const CsvRow& row, const std::string& name) {
  return absl::StrCat(path, ":", row.line, ": column ", name);
}

absl::Status NoSuchColumn(const std::string& path, const CsvRow& row, size_t column) {
  return absl::OutOfRangeError(absl::StrCat(path, ":", row.line, ": no column ", column));
}

}  // namespace

absl::StatusOr<CsvFile> CsvFile::Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open file"));
  in.seekg(0, std::ios::end);
  std::string text(static_cast<size_t>(std::max<std::streamoff>(in.tellg(), 0)), '\0');
  in.seekg(0, std::ios::beg);
  if (!in.read(text.data(), static_cast<std::streamsize>(text.size()))) {
    return absl::DataLossError(absl::StrCat(path, ": read failed"));
  }
  return Parse(text, path);
}

absl::StatusOr<CsvFile> CsvFile::Parse(std::string_view text, const std::string& path) {
  CsvFile file;
  file.path_ = path;
  // One reservation up front instead of regrowing the row vector 15 times for a year.
  size_t line_count = 0;
  for (char c : text) line_count += (c == '\n');
  file.rows_.reserve(line_count);

  std::vector<std::string> fields;
  int line_number = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();  // last line without '\n'
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    SplitFields(line, fields);
    if (line_number == 1) {
      if (line.empty()) return absl::InvalidArgumentError(absl::StrCat(path, ":1: empty header"));
      file.header_ = fields;
      for (size_t i = 0; i < fields.size(); ++i) {
        for (size_t j = 0; j < i; ++j) {
          if (fields[i] == fields[j]) {
            return absl::InvalidArgumentError(
                absl::StrCat(path, ":1: duplicate column ", fields[i]));
          }
        }
      }
      continue;
    }
    if (fields.size() != file.header_.size()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", line_number, ": expected ",
                                                     file.header_.size(), " fields, found ",
                                                     fields.size()));
    }
    file.rows_.push_back(CsvRow{line_number, fields});
  }
  if (line_number == 0) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": empty file (no header)"));
  }
  return file;
}

absl::StatusOr<size_t> CsvFile::ColumnIndex(std::string_view name) const {
  for (size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == name) return i;
  }
  // Debian's Abseil keeps its own string_view type, so std::string_view needs converting.
  return absl::InvalidArgumentError(
      absl::StrCat(path_, ": no column ", absl::string_view(name.data(), name.size()),
                   "; columns found: ", absl::StrJoin(header_, ", ")));
}

absl::StatusOr<std::optional<double>> CsvFile::OptionalNumber(const CsvRow& row,
                                                              size_t column) const {
  if (column >= row.fields.size() || column >= header_.size()) {
    return NoSuchColumn(path_, row, column);
  }
  const std::string& field = row.fields[column];
  if (field.empty()) return std::nullopt;
  // from_chars rather than strtod: no locale, no allocation, and it must consume the
  // whole field, so "12abc" or " 12" are rejected instead of silently truncated.
  double value = 0;
  const char* last = field.data() + field.size();
  const auto [ptr, ec] = std::from_chars(field.data(), last, value);
  if (ec != std::errc() || ptr != last || !std::isfinite(value)) {
    return absl::InvalidArgumentError(absl::StrCat(FieldLocation(path_, row, header_[column]),
                                                   ": \"", field, "\" is not a number"));
  }
  return value;
}

absl::StatusOr<std::optional<double>> CsvFile::OptionalNumberIn(const CsvRow& row, size_t column,
                                                                double min, double max,
                                                                std::string_view unit) const {
  absl::StatusOr<std::optional<double>> value = OptionalNumber(row, column);
  if (!value.ok() || !value->has_value()) return value;
  if (**value < min || **value > max) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s: %g is outside the plausible range [%g, %g] %s",
                        FieldLocation(path_, row, header_[column]), **value, min, max, unit));
  }
  return value;
}

absl::StatusOr<double> CsvFile::RequiredNumber(const CsvRow& row, size_t column) const {
  absl::StatusOr<std::optional<double>> value = OptionalNumber(row, column);
  if (!value.ok()) return value.status();
  if (!value->has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat(FieldLocation(path_, row, header_[column]), ": value is empty"));
  }
  return **value;
}

absl::StatusOr<absl::Time> CsvFile::RequiredTime(const CsvRow& row, size_t column) const {
  if (column >= row.fields.size() || column >= header_.size()) {
    return NoSuchColumn(path_, row, column);
  }
  const std::string& field = row.fields[column];
  if (field.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(FieldLocation(path_, row, header_[column]), ": value is empty"));
  }
  absl::StatusOr<absl::Time> t = base::ParseUtcTimestamp(field);
  if (!t.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(FieldLocation(path_, row, header_[column]), ": ", t.status().message()));
  }
  return *t;
}

}  // namespace gridpilot::data
