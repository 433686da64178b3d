#include "services/forecast/readings_text.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/base/status_macros.h"
#include "core/base/time_util.h"
#include "core/data/csv_reader.h"

namespace gridpilot {
namespace {

// Longest time text looked at; "2024-01-01T00:00:00.000000000+00:00" is 35.
constexpr size_t kMaxTimeTextBytes = 64;

// A field as quoted in a message: at most 40 bytes of it.
std::string Excerpt(std::string_view text) {
  return text.size() <= 40 ? std::string(text) : std::string(text.substr(0, 40)) + "...";
}

absl::Status TooManyRows(const std::string& source, size_t rows) {
  return absl::InvalidArgumentError(
      absl::StrCat(source, ": ", rows, " readings, more than the limit of ", kMaxUploadRows));
}

absl::StatusOr<std::vector<anomaly::LocatedReading>> ParseCsv(std::string_view text,
                                                              const ReadingsTextOptions& o) {
  ASSIGN_OR_RETURN(const data::CsvFile file, data::CsvFile::Parse(text, o.source_name));
  ASSIGN_OR_RETURN(const size_t time_index, file.ColumnIndex(o.time_column));
  size_t value_index = 0;
  if (!o.value_column.empty()) {
    ASSIGN_OR_RETURN(value_index, file.ColumnIndex(o.value_column));
  } else {
    std::vector<std::string> others;
    for (size_t c = 0; c < file.header().size(); ++c) {
      if (c != time_index) {
        others.push_back(file.header()[c]);
        value_index = c;
      }
    }
    if (others.size() != 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          o.source_name, ":1: header: ",
          others.empty() ? "no value column besides " + o.time_column
                         : "several value columns (" + absl::StrJoin(others, ", ") + ")",
          ": name the one to score (value_column)"));
    }
  }
  if (file.rows().size() > kMaxUploadRows) return TooManyRows(o.source_name, file.rows().size());
  std::vector<anomaly::LocatedReading> out;
  out.reserve(file.rows().size());
  for (const data::CsvRow& row : file.rows()) {
    anomaly::LocatedReading r;
    r.where = absl::StrCat(o.source_name, ":", row.line);
    ASSIGN_OR_RETURN(r.time, file.RequiredTime(row, time_index));
    if (row.fields[value_index] != "?") {  // "?" is UCI's missing-reading mark
      ASSIGN_OR_RETURN(const std::optional<double> value, file.OptionalNumber(row, value_index));
      if (value.has_value()) r.value = *value;
    }
    out.push_back(std::move(r));
  }
  return out;
}

// 1-based line and column of byte offset `byte` (1-based, as nlohmann reports it).
std::string LineAndColumn(std::string_view text, size_t byte) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i + 1 < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return absl::StrCat(line, ":", column);
}

// Nesting depth of brackets outside strings; stops counting past the limit.
int JsonDepth(std::string_view text) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    if (c == '[' || c == '{') deepest = std::max(deepest, ++depth);
    if (c == ']' || c == '}') --depth;
    if (deepest > kMaxUploadJsonDepth) break;
  }
  return deepest;
}

absl::StatusOr<std::vector<anomaly::LocatedReading>> ParseJson(std::string_view text,
                                                               const ReadingsTextOptions& o) {
  const std::string& source = o.source_name;
  if (JsonDepth(text) > kMaxUploadJsonDepth) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": JSON nested deeper than ", kMaxUploadJsonDepth, " levels"));
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ":", LineAndColumn(text, e.byte), ": JSON syntax error: ", e.what()));
  }
  const nlohmann::json* readings = &j;
  if (j.is_object()) {
    if (!j.contains("readings")) {
      return absl::InvalidArgumentError(absl::StrCat(source,
                                                     ": readings: required (an array of {\"",
                                                     o.time_column, "\": ..., \"value\": ...})"));
    }
    readings = &j["readings"];
  }
  if (!readings->is_array()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": readings: must be an array (or the whole body a bare array), not ",
                     readings->type_name()));
  }
  if (readings->size() > kMaxUploadRows) return TooManyRows(source, readings->size());
  const std::string value_key = o.value_column.empty() ? "value" : o.value_column;
  std::vector<anomaly::LocatedReading> out;
  out.reserve(readings->size());
  for (size_t i = 0; i < readings->size(); ++i) {
    const nlohmann::json& item = (*readings)[i];
    const std::string where = absl::StrCat(source, ": readings[", i, "]");
    if (!item.is_object()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": must be an object, not ", item.type_name()));
    }
    anomaly::LocatedReading r;
    r.where = where;
    auto time_it = item.find(o.time_column);
    if (time_it == item.end() || !time_it->is_string()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ".", o.time_column, ": required, an ISO 8601 UTC string"));
    }
    const std::string& time_text = time_it->get_ref<const std::string&>();
    if (time_text.size() > kMaxTimeTextBytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ".", o.time_column, ": ", Excerpt(time_text), " is not an ISO 8601 UTC time"));
    }
    absl::StatusOr<absl::Time> t = base::ParseUtcTimestamp(time_text);
    if (!t.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ".", o.time_column, ": ", t.status().message()));
    }
    r.time = *t;
    auto value_it = item.find(value_key);
    if (value_it != item.end() && !value_it->is_null()) {
      if (!value_it->is_number()) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, ".", value_key, ": ", Excerpt(value_it->dump()), " is not a number"));
      }
      r.value = value_it->get<double>();
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<anomaly::LocatedReading>> ParseReadingsText(
    std::string_view text, ReadingsTextFormat format, const ReadingsTextOptions& options) {
  if (text.size() > kMaxUploadBytes) {
    return absl::InvalidArgumentError(absl::StrCat(options.source_name, ": ", text.size(),
                                                   " bytes, more than the limit of ",
                                                   kMaxUploadBytes));
  }
  return format == ReadingsTextFormat::kCsv ? ParseCsv(text, options) : ParseJson(text, options);
}

}  // namespace gridpilot
