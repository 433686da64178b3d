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
// per-horizon recalibration) flattens the day's shape. Coefficients come from
// exponentially forgotten sums (each update multiplies earlier ones by kForgetting, a
// memory of about 2,000 forecasts, some 6 weeks per horizon) with a small ridge, and are
// used once a horizon's effective sample count reaches kMinEffectiveSamples (211
// forecasts, about four and a half days); before that the correction is 0.
// Why these terms and parameters: docs/decisions.md, "Price profile correction".
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

  // `horizon_intervals` (> 0) intervals, each `interval` long (the region's settlement
  // interval; the half-hours of the comments above for GB), get their own coefficients;
  // forecasts may be shorter, and intervals beyond it are not corrected.
  explicit PriceProfileCorrection(int horizon_intervals,
                                  absl::Duration interval = absl::Minutes(30));

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

  absl::Duration interval_;
  std::vector<Sums> sums_;  // by horizon
  std::deque<Issued> issued_;
};

}  // namespace gridpilot::forecast

#endif  // GRIDPILOT_CORE_FORECAST_PRICE_PROFILE_CORRECTION_H_
