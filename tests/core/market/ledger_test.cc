// The £ ledger: settlement signs, totals by cause, ramp excess and penalties.
#include "core/market/ledger.h"

#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "core/base/time_util.h"
#include "gtest/gtest.h"

namespace gridpilot::market {
namespace {

const absl::Time kT0 = *base::ParseUtcTimestamp("2023-01-01T00:00:00Z");
constexpr absl::Duration kInterval = absl::Minutes(30);

double AmountFor(const std::vector<LedgerEntry>& entries, LedgerCause cause) {
  double sum_gbp = 0;
  int found = 0;
  for (const LedgerEntry& e : entries) {
    if (e.cause == cause) {
      sum_gbp += e.amount_gbp;
      ++found;
    }
  }
  EXPECT_EQ(found, 1) << LedgerCauseName(cause);
  return sum_gbp;
}

TEST(LedgerCauseNameTest, ExactStrings) {
  EXPECT_EQ(LedgerCauseName(LedgerCause::kArbitrageSold), "arbitrage_sold");
  EXPECT_EQ(LedgerCauseName(LedgerCause::kArbitrageBought), "arbitrage_bought");
  EXPECT_EQ(LedgerCauseName(LedgerCause::kPeakerFuel), "peaker_fuel");
  EXPECT_EQ(LedgerCauseName(LedgerCause::kPeakerStarts), "peaker_starts");
  EXPECT_EQ(LedgerCauseName(LedgerCause::kBatteryDegradation), "battery_degradation");
  EXPECT_EQ(LedgerCauseName(LedgerCause::kInstabilityPenalty), "instability_penalty");
  std::set<std::string_view> names;
  for (int i = 0; i < kLedgerCauseCount; ++i) {
    names.insert(LedgerCauseName(static_cast<LedgerCause>(i)));
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(kLedgerCauseCount));
}

struct BatteryCase {
  std::string name;
  double power_mw;
  double price_gbp_per_mwh;
  double want_sold_gbp;
  double want_bought_gbp;
  double want_degradation_gbp;
};

TEST(SettleBatteryTest, Signs) {
  const assets::BatteryParams params;  // 5 GBP/MWh wear
  // 20 MW for half an hour = 10 MWh grid-side.
  const std::vector<BatteryCase> cases = {
      {"sell at a positive price", 20, 100, 1000, 0, -50},
      {"buy at a positive price", -20, 50, 0, -500, -50},
      {"paid to charge at a negative price", -20, -20, 0, 200, -50},
      {"pay to discharge at a negative price", 20, -20, -200, 0, -50},
      {"idle", 0, 80, 0, 0, 0},
  };
  for (const BatteryCase& c : cases) {
    SCOPED_TRACE(c.name);
    const assets::BatteryInterval interval = assets::StepBattery(params, 50, c.power_mw, kInterval);
    const std::vector<LedgerEntry> entries =
        SettleBattery(params, interval, c.price_gbp_per_mwh, kT0, "price note");
    ASSERT_EQ(entries.size(), 3u);
    EXPECT_NEAR(AmountFor(entries, LedgerCause::kArbitrageSold), c.want_sold_gbp, 1e-9);
    EXPECT_NEAR(AmountFor(entries, LedgerCause::kArbitrageBought), c.want_bought_gbp, 1e-9);
    EXPECT_NEAR(AmountFor(entries, LedgerCause::kBatteryDegradation), c.want_degradation_gbp, 1e-9);
    for (const LedgerEntry& e : entries) {
      EXPECT_EQ(e.interval_start, kT0);
      EXPECT_EQ(e.asset_id, "battery-1");
      EXPECT_EQ(e.note, "price note");
      EXPECT_FALSE(e.amount_gbp == 0 && std::signbit(e.amount_gbp)) << "-0.0";
    }
  }
}

TEST(SettlePeakerTest, FuelAndStarts) {
  const assets::PeakerParams params;  // 160 GBP/MWh, 2500 GBP per start
  assets::PeakerInterval running;
  running.output_mw = 40;
  const std::vector<LedgerEntry> run = SettlePeaker(params, running, kInterval, kT0);
  EXPECT_NEAR(AmountFor(run, LedgerCause::kPeakerFuel), -40 * 0.5 * 160, 1e-9);
  EXPECT_EQ(AmountFor(run, LedgerCause::kPeakerStarts), 0);

  assets::PeakerInterval starting;
  starting.started = true;
  const std::vector<LedgerEntry> start = SettlePeaker(params, starting, kInterval, kT0);
  EXPECT_EQ(AmountFor(start, LedgerCause::kPeakerFuel), 0);
  EXPECT_FALSE(std::signbit(AmountFor(start, LedgerCause::kPeakerFuel)));
  EXPECT_EQ(AmountFor(start, LedgerCause::kPeakerStarts), -2500);
  for (const LedgerEntry& e : start) EXPECT_EQ(e.asset_id, "peaker-1");
}

TEST(LedgerTest, TotalsByCauseSumToNet) {
  Ledger ledger;
  const assets::BatteryParams battery;
  const assets::PeakerParams peaker;
  for (const LedgerEntry& e :
       SettleBattery(battery, assets::StepBattery(battery, 50, -40, kInterval), 30, kT0, "")) {
    ledger.Add(e);  // bought -600, wear -100
  }
  for (const LedgerEntry& e : SettleBattery(
           battery, assets::StepBattery(battery, 60, 40, kInterval), 120, kT0 + kInterval, "")) {
    ledger.Add(e);  // sold +2400, wear -100
  }
  assets::PeakerInterval p;
  p.output_mw = 30;
  p.started = true;
  for (const LedgerEntry& e : SettlePeaker(peaker, p, kInterval, kT0)) ledger.Add(e);
  ledger.Add(SettleInstability(12.5, 40, kT0));  // -500

  EXPECT_NEAR(ledger.Total(LedgerCause::kArbitrageSold), 2400, 1e-9);
  EXPECT_NEAR(ledger.Total(LedgerCause::kArbitrageBought), -600, 1e-9);
  EXPECT_NEAR(ledger.Total(LedgerCause::kBatteryDegradation), -200, 1e-9);
  EXPECT_NEAR(ledger.Total(LedgerCause::kPeakerFuel), -2400, 1e-9);
  EXPECT_NEAR(ledger.Total(LedgerCause::kPeakerStarts), -2500, 1e-9);
  EXPECT_NEAR(ledger.Total(LedgerCause::kInstabilityPenalty), -500, 1e-9);
  double sum_gbp = 0;
  for (double total_gbp : ledger.totals()) sum_gbp += total_gbp;
  EXPECT_NEAR(ledger.Net(), sum_gbp, 1e-9);
  EXPECT_NEAR(ledger.Net(), 2400 - 600 - 200 - 2400 - 2500 - 500, 1e-9);
}

TEST(LedgerTest, EmptyLedgerIsZero) {
  const Ledger ledger;
  EXPECT_EQ(ledger.Net(), 0);
  for (double total_gbp : ledger.totals()) EXPECT_EQ(total_gbp, 0);
}

TEST(RampExcessTest, BothDirections) {
  struct Case {
    double previous_mw, now_mw, limit_mw, want_mw;
  };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<Case> cases = {
      {300, 340, 25, 15},                     // up
      {340, 300, 25, 15},                     // down
      {300, 320, 25, 0},                      // within
      {300, 275, 25, 0},                      // exactly at the limit
      {300, 300, 0, 0},   {nan, 300, 25, 0},  // no previous reading
      {300, nan, 25, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message() << c.previous_mw << " -> " << c.now_mw);
    EXPECT_DOUBLE_EQ(RampExcessMw(c.previous_mw, c.now_mw, c.limit_mw), c.want_mw);
  }
}

TEST(SettleInstabilityTest, PenaltyIsACost) {
  const LedgerEntry e = SettleInstability(15, 200, kT0);
  EXPECT_EQ(e.cause, LedgerCause::kInstabilityPenalty);
  EXPECT_DOUBLE_EQ(e.amount_gbp, -3000);
  EXPECT_EQ(e.asset_id, "");
  EXPECT_EQ(e.interval_start, kT0);
  EXPECT_FALSE(e.note.empty());
  const LedgerEntry none = SettleInstability(0, 200, kT0);
  EXPECT_EQ(none.amount_gbp, 0);
  EXPECT_FALSE(std::signbit(none.amount_gbp));
}

}  // namespace
}  // namespace gridpilot::market
