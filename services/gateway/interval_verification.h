// What a resumed lock-step run checks a re-executed interval against (docs/decisions.md,
// "Resumable runs"): the stored decisions (with battery state), telemetry row and ledger rows
// compared, value for value, with what RecordInterval would write. Both stores read their
// rows through StoredRow and report through IntervalVerification, so their checks and
// messages cannot drift apart.
#ifndef GRIDPILOT_SERVICES_GATEWAY_INTERVAL_VERIFICATION_H_
#define GRIDPILOT_SERVICES_GATEWAY_INTERVAL_VERIFICATION_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "core/data/grid_series.h"
#include "core/region/region_engine.h"

namespace gridpilot {

// One stored row as the verification reads it, cells by 0-based column in the order of the
// store's select (the decisions, telemetry and ledger columns RecordInterval writes, without
// run_id and interval_start).
class StoredRow {
 public:
  virtual ~StoredRow() = default;
  virtual bool IsNull(int column) const = 0;
  // The cell as a double; called only on a cell that is not NULL.
  virtual double Real(int column) const = 0;
  // The cell when it holds an integer; nullopt otherwise.
  virtual std::optional<int64_t> Int(int column) const = 0;
  // The cell when it holds text; nullopt otherwise (NULL, or a value of another type).
  virtual std::optional<std::string> Text(int column) const = 0;
  // The cell as a difference shows it: its text, or "NULL".
  virtual std::string Shown(int column) const = 0;
};

// The checks of one interval of run `run_id`. Each returns OK while the stored rows equal
// what was recomputed, else Internal "resume: interval T of run N differs from the stored
// one: WHAT", WHAT naming the first difference ("decisions[0] (battery-1).requested_mw:
// stored 12, recomputed 13", "ledger: 3 rows stored, 4 recomputed"). Doubles are compared
// exactly (a re-execution is deterministic; a NaN is stored as NULL by both stores). Not
// compared: a decision's proposal id (numbered in arrival order, which two agents answering
// one tick may swap; what the proposal asked for is compared instead). The referenced
// values must outlive this object.
class IntervalVerification {
 public:
  IntervalVerification(int64_t run_id, const data::GridInterval& region_values,
                       const region::IntervalOutcome& outcome);

  // The `index`-th stored decision row (asset_id, proposal_id, agent, priority,
  // requested_mw, applied_mw, soc_before_mwh, soc_after_mwh, charge_mwh, discharge_mwh,
  // peaker_status, reason), then DecisionsEnd with the number of rows stored.
  absl::Status Decision(size_t index, const StoredRow& row) const;
  absl::Status DecisionsEnd(size_t rows_stored) const;
  // The stored telemetry row (net_load_mw, embedded_solar_mw, embedded_wind_mw,
  // price_gbp_per_mwh, dispatch_mw, net_load_after_mw, excess_mw, baseline_excess_mw);
  // nullptr when none is stored.
  absl::Status Telemetry(const StoredRow* row) const;
  // The `index`-th stored ledger row (cause, asset_id, amount_gbp, note), then LedgerEnd.
  absl::Status Ledger(size_t index, const StoredRow& row) const;
  absl::Status LedgerEnd(size_t rows_stored) const;

 private:
  absl::Status Diverged(const std::string& what) const;

  int64_t run_id_;
  const data::GridInterval& region_values_;
  const region::IntervalOutcome& outcome_;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_GATEWAY_INTERVAL_VERIFICATION_H_
