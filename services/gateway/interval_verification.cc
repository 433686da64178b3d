#include "services/gateway/interval_verification.h"

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/assets/peaker.h"
#include "core/base/time_util.h"
#include "core/market/ledger.h"

namespace gridpilot {
namespace {

// Reads a row column by column and compares each cell with the value a record would have
// written; keeps the first difference.
class RowCheck {
 public:
  RowCheck(const StoredRow& row, std::string where) : row_(row), where_(std::move(where)) {}

  RowCheck& Real(const char* column, std::optional<double> expected) {
    const int c = index_++;
    if (!difference_.empty()) return *this;
    if (expected.has_value() && std::isnan(*expected)) expected.reset();  // stored as NULL
    const bool stored_null = row_.IsNull(c);
    if (stored_null && !expected.has_value()) return *this;
    if (!stored_null && expected.has_value() && row_.Real(c) == *expected) return *this;
    // Against a recomputed NULL the stored cell is shown as stored: it may not be a number.
    Differs(column,
            stored_null            ? std::string("NULL")
            : expected.has_value() ? absl::StrFormat("%.17g", row_.Real(c))
                                   : row_.Shown(c),
            expected.has_value() ? absl::StrFormat("%.17g", *expected) : std::string("NULL"));
    return *this;
  }
  RowCheck& Int(const char* column, int64_t expected) {
    const int c = index_++;
    if (!difference_.empty()) return *this;
    if (row_.Int(c) == expected) return *this;
    Differs(column, row_.Shown(c), absl::StrCat(expected));
    return *this;
  }
  RowCheck& Text(const char* column, const std::string& expected) {
    const int c = index_++;
    if (!difference_.empty()) return *this;
    if (row_.Text(c) == expected) return *this;
    Differs(column, row_.Shown(c), absl::StrCat("\"", expected, "\""));
    return *this;
  }
  RowCheck& Null(const char* column) { return Real(column, std::nullopt); }
  // A column that is not compared.
  RowCheck& Skip() {
    ++index_;
    return *this;
  }
  // Empty when every cell matched; otherwise "where.column: stored X, recomputed Y".
  const std::string& difference() const { return difference_; }

 private:
  void Differs(const char* column, const std::string& stored, const std::string& recomputed) {
    difference_ =
        absl::StrCat(where_, ".", column, ": stored ", stored, ", recomputed ", recomputed);
  }

  const StoredRow& row_;
  std::string where_;
  int index_ = 0;
  std::string difference_;
};

}  // namespace

IntervalVerification::IntervalVerification(int64_t run_id, const data::GridInterval& region_values,
                                           const region::IntervalOutcome& outcome)
    : run_id_(run_id), region_values_(region_values), outcome_(outcome) {}

absl::Status IntervalVerification::Diverged(const std::string& what) const {
  return absl::InternalError(
      absl::StrCat("resume: interval ", base::FormatUtcTimestamp(outcome_.interval_start),
                   " of run ", run_id_, " differs from the stored one: ", what));
}

absl::Status IntervalVerification::Decision(size_t index, const StoredRow& row) const {
  if (index >= outcome_.decisions.size()) {
    return Diverged(absl::StrCat("decisions: ", index + 1, " or more stored, ",
                                 outcome_.decisions.size(), " recomputed"));
  }
  const region::AssetDecision& d = outcome_.decisions[index];
  RowCheck check(row, absl::StrCat("decisions[", index, "] (", d.asset_id, ")"));
  check.Text("asset_id", d.asset_id)
      .Skip()  // the proposal id
      .Text("agent", d.agent)
      .Int("priority", static_cast<int>(d.priority))
      .Real("requested_mw", d.requested_mw)
      .Real("applied_mw", d.applied_mw);
  if (index < outcome_.batteries.size()) {
    const assets::BatteryInterval& b = outcome_.batteries[index];
    check.Real("soc_before_mwh", b.soc_before_mwh)
        .Real("soc_after_mwh", b.soc_after_mwh)
        .Real("charge_mwh", b.charge_mwh)
        .Real("discharge_mwh", b.discharge_mwh)
        .Null("peaker_status");
  } else {
    const assets::PeakerInterval& p = outcome_.peakers[index - outcome_.batteries.size()];
    check.Null("soc_before_mwh")
        .Null("soc_after_mwh")
        .Null("charge_mwh")
        .Null("discharge_mwh")
        .Text("peaker_status", std::string(assets::PeakerStatusName(p.next.status)));
  }
  check.Text("reason", d.reason);
  if (!check.difference().empty()) return Diverged(check.difference());
  return absl::OkStatus();
}

absl::Status IntervalVerification::DecisionsEnd(size_t rows_stored) const {
  if (rows_stored == outcome_.decisions.size()) return absl::OkStatus();
  return Diverged(absl::StrCat("decisions: ", rows_stored, " stored, ", outcome_.decisions.size(),
                               " recomputed"));
}

absl::Status IntervalVerification::Telemetry(const StoredRow* row) const {
  if (row == nullptr) return Diverged("telemetry: no stored row");
  RowCheck check(*row, "telemetry");
  check.Real("net_load_mw", region_values_.net_load_mw)
      .Real("embedded_solar_mw", region_values_.embedded_solar_mw)
      .Real("embedded_wind_mw", region_values_.embedded_wind_mw)
      .Real("price_gbp_per_mwh", region_values_.price_gbp_per_mwh)
      .Real("dispatch_mw", outcome_.dispatch_mw)
      .Real("net_load_after_mw", outcome_.net_load_after_mw)
      .Real("excess_mw", outcome_.excess_mw)
      .Real("baseline_excess_mw", outcome_.baseline_excess_mw);
  if (!check.difference().empty()) return Diverged(check.difference());
  return absl::OkStatus();
}

absl::Status IntervalVerification::Ledger(size_t index, const StoredRow& row) const {
  if (index >= outcome_.entries.size()) {
    return Diverged(absl::StrCat("ledger: ", index + 1, " or more rows stored, ",
                                 outcome_.entries.size(), " recomputed"));
  }
  const market::LedgerEntry& e = outcome_.entries[index];
  RowCheck check(row, absl::StrCat("ledger[", index, "]"));
  check.Text("cause", std::string(market::LedgerCauseName(e.cause)))
      .Text("asset_id", e.asset_id)
      .Real("amount_gbp", e.amount_gbp)
      .Text("note", e.note);
  if (!check.difference().empty()) return Diverged(check.difference());
  return absl::OkStatus();
}

absl::Status IntervalVerification::LedgerEnd(size_t rows_stored) const {
  if (rows_stored == outcome_.entries.size()) return absl::OkStatus();
  return Diverged(absl::StrCat("ledger: ", rows_stored, " rows stored, ", outcome_.entries.size(),
                               " recomputed"));
}

}  // namespace gridpilot
