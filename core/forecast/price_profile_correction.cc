#include "core/forecast/price_profile_correction.h"

#include <cmath>
#include <utility>

#include "core/base/time_util.h"

namespace gridpilot::forecast {
namespace {

constexpr int kN = PriceProfileCorrection::kTerms;

// Solves a x = b for the kN x kN system by Gaussian elimination with partial pivoting;
// nullopt when a pivot vanishes.
std::optional<std::array<double, kN>> SolveLinear(std::array<double, kN * kN> a,
                                                  std::array<double, kN> b) {
  for (int c = 0; c < kN; ++c) {
    int pivot = c;
    for (int r = c + 1; r < kN; ++r) {
      if (std::abs(a[r * kN + c]) > std::abs(a[pivot * kN + c])) pivot = r;
    }
    if (!(std::abs(a[pivot * kN + c]) > 1e-12)) return std::nullopt;
    for (int k = 0; k < kN; ++k) std::swap(a[c * kN + k], a[pivot * kN + k]);
    std::swap(b[c], b[pivot]);
    for (int r = c + 1; r < kN; ++r) {
      const double f = a[r * kN + c] / a[c * kN + c];
      for (int k = c; k < kN; ++k) a[r * kN + k] -= f * a[c * kN + k];
      b[r] -= f * b[c];
    }
  }
  std::array<double, kN> x{};
  for (int c = kN - 1; c >= 0; --c) {
    double v = b[c];
    for (int k = c + 1; k < kN; ++k) v -= a[c * kN + k] * x[k];
    x[c] = v / a[c * kN + c];
  }
  return x;
}

}  // namespace

PriceProfileCorrection::PriceProfileCorrection(int horizon_intervals, absl::Duration interval)
    : interval_(interval), sums_(horizon_intervals > 0 ? horizon_intervals : 0) {}

std::optional<PriceProfileCorrection::Terms> PriceProfileCorrection::Coefficients(
    const Sums& sums) const {
  if (sums.weight < kMinEffectiveSamples) return std::nullopt;
  std::array<double, kN* kN> a = sums.xx;
  for (int i = 0; i < kN; ++i) a[i * kN + i] += kRidge;
  std::optional<Terms> beta = SolveLinear(a, sums.xy);
  if (beta.has_value()) {
    for (double b : *beta) {
      if (!std::isfinite(b)) return std::nullopt;
    }
  }
  return beta;
}

std::vector<double> PriceProfileCorrection::Forecast(
    absl::Time first_interval_start, const std::vector<double>& profile_gbp_per_mwh,
    double price_anomaly_gbp_per_mwh, const std::vector<double>& demand_deviation_mw) {
  Issued issued{first_interval_start, profile_gbp_per_mwh, {}};
  issued.terms.reserve(profile_gbp_per_mwh.size());
  std::vector<double> forecast = profile_gbp_per_mwh;
  for (size_t h = 0; h < profile_gbp_per_mwh.size(); ++h) {
    const double demand_mw = h < demand_deviation_mw.size() ? demand_deviation_mw[h] : 0.0;
    const Terms x = {1.0, price_anomaly_gbp_per_mwh, demand_mw};
    issued.terms.push_back(x);
    if (h >= sums_.size()) continue;
    if (std::optional<Terms> beta = Coefficients(sums_[h])) {
      for (int i = 0; i < kN; ++i) forecast[h] += (*beta)[i] * x[i];
    }
  }
  issued_.push_back(std::move(issued));
  return forecast;
}

void PriceProfileCorrection::Observe(absl::Time interval_start,
                                     std::optional<double> price_gbp_per_mwh) {
  while (!issued_.empty() &&
         issued_.front().first_interval_start +
                 static_cast<int64_t>(issued_.front().terms.size()) * interval_ <=
             interval_start) {
    issued_.pop_front();
  }
  if (!price_gbp_per_mwh.has_value() || !std::isfinite(*price_gbp_per_mwh)) return;
  for (const Issued& issued : issued_) {
    if (interval_start < issued.first_interval_start) continue;
    const int64_t h = (interval_start - issued.first_interval_start) / interval_;
    if (h >= static_cast<int64_t>(issued.terms.size()) || h >= static_cast<int64_t>(sums_.size())) {
      continue;
    }
    const Terms& x = issued.terms[h];
    const double error = *price_gbp_per_mwh - issued.profile_gbp_per_mwh[h];
    Sums& s = sums_[h];
    for (int i = 0; i < kN; ++i) {
      for (int j = 0; j < kN; ++j) s.xx[i * kN + j] = kForgetting * s.xx[i * kN + j] + x[i] * x[j];
      s.xy[i] = kForgetting * s.xy[i] + x[i] * error;
    }
    s.weight = kForgetting * s.weight + 1.0;
  }
}

}  // namespace gridpilot::forecast
