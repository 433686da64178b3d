// IntervalVerification over a fake stored row: equal rows pass, the first differing cell is
// named with stored and recomputed values, a recomputed NaN equals a stored NULL (both stores
// write NaN as NULL), a cell of the wrong type differs, the proposal id is not compared, and
// row counts that differ are named.
#include "services/gateway/interval_verification.h"

#include <cmath>
#include <limits>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot {
namespace {

using ::testing::HasSubstr;

// A row of typed cells: monostate for NULL.
using Cell = std::variant<std::monostate, int64_t, double, std::string>;

class FakeRow : public StoredRow {
 public:
  explicit FakeRow(std::vector<Cell> cells) : cells_(std::move(cells)) {}
  bool IsNull(int c) const override { return std::holds_alternative<std::monostate>(cells_[c]); }
  double Real(int c) const override {
    if (const double* d = std::get_if<double>(&cells_[c])) return *d;
    if (const int64_t* i = std::get_if<int64_t>(&cells_[c])) return static_cast<double>(*i);
    return 0.0;
  }
  std::optional<int64_t> Int(int c) const override {
    if (const int64_t* i = std::get_if<int64_t>(&cells_[c])) return *i;
    return std::nullopt;
  }
  std::optional<std::string> Text(int c) const override {
    if (const std::string* s = std::get_if<std::string>(&cells_[c])) return *s;
    return std::nullopt;
  }
  std::string Shown(int c) const override {
    if (IsNull(c)) return "NULL";
    if (const std::string* s = std::get_if<std::string>(&cells_[c])) return *s;
    if (const int64_t* i = std::get_if<int64_t>(&cells_[c])) return absl::StrCat(*i);
    return absl::StrCat(std::get<double>(cells_[c]));
  }
  std::vector<Cell>& cells() { return cells_; }

 private:
  std::vector<Cell> cells_;
};

const absl::Time kStart = *base::ParseUtcTimestamp("2023-03-01T00:00:00Z");

region::IntervalOutcome Outcome() {
  region::IntervalOutcome out;
  out.interval_start = kStart;
  region::AssetDecision battery;
  battery.asset_id = "battery-1";
  battery.proposal_id = 3;
  battery.agent = "trader";
  battery.priority = region::DispatchPriority::kTrading;
  battery.requested_mw = 12;
  battery.applied_mw = 12;
  battery.reason = "plan";
  out.decisions = {battery};
  out.batteries.push_back(assets::BatteryInterval{12, 50, 44, 0, 6});
  out.dispatch_mw = 12;
  out.net_load_after_mw = 328;
  out.entries = {{kStart, market::LedgerCause::kArbitrageSold, 500.25, "battery-1", ""}};
  return out;
}

FakeRow StoredDecision() {
  return FakeRow({std::string("battery-1"), int64_t{99}, std::string("trader"), int64_t{1}, 12.0,
                  12.0, 50.0, 44.0, 0.0, 6.0, std::monostate(), std::string("plan")});
}

TEST(IntervalVerificationTest, EqualRowsPassAndTheProposalIdIsNotCompared) {
  const data::GridInterval region{kStart, 340, std::nullopt, 12.25, 80.04};
  const region::IntervalOutcome outcome = Outcome();
  const IntervalVerification verify(7, region, outcome);
  EXPECT_TRUE(verify.Decision(0, StoredDecision()).ok())
      << verify.Decision(0, StoredDecision());  // stored proposal id 99, not 3
  EXPECT_TRUE(verify.DecisionsEnd(1).ok());
  const FakeRow telemetry({340.0, std::monostate(), 12.25, 80.04, 12.0, 328.0, 0.0, 0.0});
  EXPECT_TRUE(verify.Telemetry(&telemetry).ok());
  EXPECT_TRUE(verify
                  .Ledger(0, FakeRow({std::string("arbitrage_sold"), std::string("battery-1"),
                                      500.25, std::string("")}))
                  .ok());
  EXPECT_TRUE(verify.LedgerEnd(1).ok());
}

TEST(IntervalVerificationTest, NamesTheFirstDifferenceWithBothValues) {
  const data::GridInterval region{kStart, 340, std::nullopt, 12.25, 80.04};
  const region::IntervalOutcome outcome = Outcome();
  const IntervalVerification verify(7, region, outcome);
  FakeRow requested = StoredDecision();
  requested.cells()[4] = 13.0;
  requested.cells()[5] = 11.0;  // a later difference is not the one named
  const absl::Status differs = verify.Decision(0, requested);
  EXPECT_EQ(differs.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(differs.message(),
            "resume: interval 2023-03-01T00:00:00Z of run 7 differs from the stored one: "
            "decisions[0] (battery-1).requested_mw: stored 13, recomputed 12");
  FakeRow priority_as_text = StoredDecision();
  priority_as_text.cells()[3] = std::string("1");
  EXPECT_THAT(verify.Decision(0, priority_as_text).message(),
              HasSubstr("decisions[0] (battery-1).priority: stored 1, recomputed 1"));
  FakeRow peaker_status = StoredDecision();
  peaker_status.cells()[10] = std::string("off");
  EXPECT_THAT(verify.Decision(0, peaker_status).message(),
              HasSubstr("peaker_status: stored off, recomputed NULL"));
  EXPECT_THAT(verify.Decision(1, StoredDecision()).message(),
              HasSubstr("decisions: 2 or more stored, 1 recomputed"));
  EXPECT_THAT(verify.DecisionsEnd(0).message(), HasSubstr("decisions: 0 stored, 1 recomputed"));
  EXPECT_THAT(verify.Telemetry(nullptr).message(), HasSubstr("telemetry: no stored row"));
  EXPECT_THAT(verify.LedgerEnd(2).message(), HasSubstr("ledger: 2 rows stored, 1 recomputed"));
}

TEST(IntervalVerificationTest, ARecomputedNanEqualsAStoredNull) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const data::GridInterval region{kStart, nan, std::nullopt, 12.25, 80.04};
  const region::IntervalOutcome outcome = Outcome();
  const IntervalVerification verify(7, region, outcome);
  FakeRow telemetry({std::monostate(), std::monostate(), 12.25, 80.04, 12.0, 328.0, 0.0, 0.0});
  EXPECT_TRUE(verify.Telemetry(&telemetry).ok());
  telemetry.cells()[0] = 340.0;
  EXPECT_THAT(verify.Telemetry(&telemetry).message(),
              HasSubstr("telemetry.net_load_mw: stored 340, recomputed NULL"));
}

}  // namespace
}  // namespace gridpilot
