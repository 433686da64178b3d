// Fuzzes the console's query parsing (services/console/snapshot_query.h). The input is a
// URL query string as the HTTP server has decoded it: "key=value" pairs joined by '&'.
// Invariants: a refusal is InvalidArgument with a message; an accepted query has
// from < to and after >= -1, names only from, to and after, each at most once; a time
// given as Unix seconds is that many seconds (not wrapped or saturated).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "fuzz/invariant.h"
#include "services/console/snapshot_query.h"

namespace {

[[noreturn]] void Fail(const std::string& what) {
  gridpilot::fuzz::FailInvariant("snapshot_query_fuzzer", what);
}

// True when `value`, read as Unix seconds, is the time `t` to within a microsecond (the
// parser's resolution) or one part in 1e12 of the value.
bool SameAsUnixSeconds(const std::string& value, absl::Time t) {
  double seconds = 0.0;
  if (!absl::SimpleAtod(value, &seconds)) return true;  // a timestamp, not seconds
  const double parsed_seconds = absl::ToDoubleSeconds(t - absl::UnixEpoch());
  return std::fabs(parsed_seconds - seconds) <= std::max(1e-6, 1e-12 * std::fabs(seconds));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  std::multimap<std::string, std::string> params;
  for (absl::string_view pair : absl::StrSplit(text, '&')) {
    const size_t equals = pair.find('=');
    if (equals == absl::string_view::npos) {
      params.emplace(std::string(pair), "");
    } else {
      params.emplace(std::string(pair.substr(0, equals)), std::string(pair.substr(equals + 1)));
    }
  }
  const absl::StatusOr<gridpilot::SnapshotQuery> query = gridpilot::ParseSnapshotQuery(params);
  if (!query.ok()) {
    if (query.status().code() != absl::StatusCode::kInvalidArgument) Fail("error code");
    if (query.status().message().empty()) Fail("empty error message");
    return 0;
  }
  if (!(query->from < query->to)) Fail("accepted from >= to");
  if (query->after < -1) Fail("accepted after < -1");
  for (const auto& [key, value] : params) {
    if (key != "from" && key != "to" && key != "after") Fail("accepted an unknown key");
    if (params.count(key) != 1) Fail("accepted a repeated key");
    if (key == "from" && !SameAsUnixSeconds(value, query->from)) Fail("from is not the seconds");
    if (key == "to" && !SameAsUnixSeconds(value, query->to)) Fail("to is not the seconds");
  }
  return 0;
}
