#include "core/planning/simplex_tableau.h"

#include <cstddef>
#include <limits>
#include <utility>
#include <vector>

namespace gridpilot::planning::lp {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace

SimplexTableau::SimplexTableau(std::vector<double> start_rhs)
    : rows(start_rhs.size(), std::vector<double>(start_rhs.size(), 0.0)),
      rhs(std::move(start_rhs)),
      reduced(rhs.size(), 0.0),
      basis(rhs.size()) {
  for (size_t i = 0; i < rhs.size(); ++i) {
    rows[i][i] = 1.0;
    basis[i] = static_cast<int>(i);
  }
}

void SimplexTableau::AddColumn(const std::vector<double>& raw, double reduced_cost) {
  for (size_t r = 0; r < rows.size(); ++r) {
    double entry = 0.0;
    for (size_t i = 0; i < raw.size(); ++i) entry += rows[r][i] * raw[i];
    rows[r].push_back(entry);
  }
  reduced.push_back(reduced_cost);
}

void SimplexTableau::Pivot(int r, int c) {
  const double divisor = rows[r][c];
  for (double& v : rows[r]) v /= divisor;
  rhs[r] /= divisor;
  for (size_t i = 0; i < rows.size(); ++i) {
    const double factor = rows[i][c];
    if (static_cast<int>(i) == r || factor == 0.0) continue;
    for (size_t j = 0; j < rows[i].size(); ++j) rows[i][j] -= factor * rows[r][j];
    rhs[i] -= factor * rhs[r];
  }
  const double factor = reduced[c];
  for (size_t j = 0; j < reduced.size(); ++j) reduced[j] -= factor * rows[r][j];
  value -= factor * rhs[r];
  basis[r] = c;
}

void SimplexTableau::Solve(double tolerance, double smallest_pivot, int never_enters) {
  while (true) {
    int enter = -1;
    for (size_t j = 0; j < reduced.size() && enter < 0; ++j) {
      if (static_cast<int>(j) != never_enters && reduced[j] < -tolerance) {
        enter = static_cast<int>(j);
      }
    }
    if (enter < 0) return;
    int leave = -1;
    double best_ratio = kInf;
    for (size_t r = 0; r < rows.size(); ++r) {
      if (rows[r][enter] <= smallest_pivot) continue;
      const double ratio = rhs[r] / rows[r][enter];
      if (ratio < best_ratio || (ratio == best_ratio && basis[r] < basis[leave])) {
        best_ratio = ratio;
        leave = static_cast<int>(r);
      }
    }
    if (leave < 0) return;
    Pivot(leave, enter);
  }
}

}  // namespace gridpilot::planning::lp
