#include "core/ml/forecast_explanation.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/strings/str_cat.h"

namespace gridpilot::ml {

absl::StatusOr<Explanation> ExplainContributions(const std::vector<std::string>& names,
                                                 const std::vector<float>& values,
                                                 const std::vector<double>& contributions,
                                                 int top_k) {
  if (top_k < 1) return absl::InvalidArgumentError("top_k must be >= 1");
  if (values.size() != names.size() || contributions.size() != names.size() + 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        names.size(), " feature names, ", values.size(), " values and ", contributions.size(),
        " contributions: expected one value per feature and one more contribution (the bias)"));
  }
  std::vector<size_t> order(names.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::abs(contributions[a]) > std::abs(contributions[b]);
  });
  Explanation e;
  e.bias = contributions.back();
  e.forecast = e.bias;
  for (size_t k = 0; k < order.size(); ++k) {
    const size_t f = order[k];
    e.forecast += contributions[f];
    if (k < static_cast<size_t>(top_k)) {
      e.top.push_back({names[f], values[f], contributions[f]});
    } else {
      e.others += contributions[f];
    }
  }
  return e;
}

}  // namespace gridpilot::ml
