// What the arbitrage trader adds to its price profile (ProfileForecaster) before planning on
// it: for each horizon, an online least-squares estimate of the profile's error from what
// is known when the forecast is issued. The profile keeps the day's shape; the correction
// moves near half-hours towards the current price level and every half-hour with the grid
// operator's (NESO's) expected demand, as far as the past errors say they should.
//
// Model, for horizon h (0 = the forecast's first half-hour):
//   price = profile + c0_h + c1_h * price_anomaly + c2_h * demand_deviation
// where price_anomaly is the last known price minus the profile's forecast of that
// half-hour (made before it began), and demand_deviation is NESO's latest day-ahead demand
// forecast for the target minus the trader's net-load profile for it (0 when no vintage
// covers the target). The profile's own coefficient stays 1: fitting it as well (a
// per-horizon recalibration) flattens the day's shape, and the trader replay's capture
// fell from 0.474 to 0.453. Coefficients come from exponentially forgotten sums (each
// update multiplies earlier ones by kForgetting, a memory of about 2,000 forecasts, some 6
// weeks per horizon) with a small ridge, and are used once a horizon's effective sample
// count reaches kMinEffectiveSamples (211 forecasts, about four and a half days); before
// that the correction is 0.
//
// Trader replay Oct 2022 - Dec 2023 at 15 MW (bench/trader_replay_bench.cc; capture of
// perfect foresight, whole window / Oct-Jun / Jul-Dec): profile alone 0.474 / 0.480 /
// 0.459, with this correction 0.494 / 0.491 / 0.502; with the full stack's resilience
// overrides and suspect ticks replayed 0.402 / 0.408 / 0.388 -> 0.427 / 0.428 / 0.426. The
// anomaly alone gave 0.469 (0.406 with overrides), demand alone 0.475 (0.399).
// Not kept (full stack Oct 2022 - Dec 2023 at the 0.7 step share and 16 MW follow
// threshold: capture 0.438, region net £836,916): a fourth term from the forecast service's
// net-load change forecasts (the next 4 h's expected load against the net-load profile),
// 0.436 / £831,894. Nor, in the replay alone (0.494 then), other terms: demand deviation
// at the evening peak 0.493, times the profile 0.491, squared 0.492; the anomaly times the
// profile's shape 0.494; the profile's shape 0.485; the anomaly's means over 2 h and a day
// 0.498; yesterday's error at the same half-hour 0.504 alone but 0.428 against 0.427 with
// the full stack's overrides. NESO's TSD - ND forecast explains 0.8% more of the profile's
// error than ND alone (35.6% against 34.8%).
//
// Learning is honest by construction: a forecast learns from a price only when that price
// is observed, and the caller observes a half-hour only once it has ended. Not thread-safe.
#ifndef GRIDPILOT_CORE_FORECAST_PRICE_PROFILE_CORRECTION_H_
#define GRIDPILOT_CORE_FORECAST_PRICE_PROFILE_CORRECTION_H_

#include <array>
#include <deque>
#include <optional>
#include <vector>

#include "absl/time/time.h"

namespace gridpilot::forecast {

class PriceProfileCorrection {
 public:
  static constexpr double kForgetting = 0.9995;
  static constexpr double kMinEffectiveSamples = 200.0;
  static constexpr double kRidge = 1.0;  // added to each diagonal of the normal equations
  static constexpr int kTerms = 3;       // 1, price anomaly, demand deviation

  // `horizon_intervals` (> 0) half-hours get their own coefficients; forecasts may be
  // shorter, and half-hours beyond it are not corrected.
  explicit PriceProfileCorrection(int horizon_intervals);

  // The profile plus the correction, £/MWh, for the half-hours starting at
  // `first_interval_start` (on the half-hour grid), one per profile value.
  // `price_anomaly_gbp_per_mwh` is the last known price minus the profile's forecast of
  // it (0 when unknown); `demand_deviation_mw` holds one value per profile value (0 where
  // no day-ahead forecast covers the target; missing values count as 0). The forecast is
  // recorded so that later Observe calls learn from it.
  std::vector<double> Forecast(absl::Time first_interval_start,
                               const std::vector<double>& profile_gbp_per_mwh,
                               double price_anomaly_gbp_per_mwh,
                               const std::vector<double>& demand_deviation_mw);

  // Learns from the price of the half-hour starting at `interval_start`, in £/MWh: each
  // recorded forecast that covered it adds one sample to its horizon. Call once the
  // half-hour has ended; nullopt (a missing price) learns nothing. Forecasts whose last
  // half-hour starts before `interval_start` are dropped, so observe in time order.
  void Observe(absl::Time interval_start, std::optional<double> price_gbp_per_mwh);

 private:
  using Terms = std::array<double, kTerms>;
  struct Issued {
    absl::Time first_interval_start;
    std::vector<double> profile_gbp_per_mwh;
    std::vector<Terms> terms;  // one per half-hour
  };
  // Forgotten sums of one horizon's normal equations: sum w x x', sum w x y, sum w.
  struct Sums {
    std::array<double, kTerms * kTerms> xx{};
    Terms xy{};
    double weight = 0.0;
  };

  // The horizon's coefficients, or nullopt while it has too few samples.
  std::optional<Terms> Coefficients(const Sums& sums) const;

  std::vector<Sums> sums_;  // by horizon
  std::deque<Issued> issued_;
};

}  // namespace gridpilot::forecast

#endif  // GRIDPILOT_CORE_FORECAST_PRICE_PROFILE_CORRECTION_H_
