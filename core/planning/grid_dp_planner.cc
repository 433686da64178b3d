#include "core/planning/grid_dp_planner.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace gridpilot::planning {
namespace {

// Slack for comparing energies: levels are built by floating-point arithmetic, and a move
// that uses exactly the power limit must count as feasible.
constexpr double kToleranceMwh = 1e-9;
// Bounds memory (levels x intervals choices) for absurdly fine grids.
constexpr double kMaxLevels = 100000;

// Why the request cannot be planned, or empty if it can.
std::string RequestProblem(const ScheduleRequest& r) {
  const assets::BatteryParams& b = r.battery;
  auto finite = [](double v) { return std::isfinite(v); };
  if (!finite(r.soc_step_mwh) || r.soc_step_mwh <= 0) return "soc_step_mwh must be > 0";
  if (!finite(r.max_power_step_mw) || r.max_power_step_mw < 0) {
    return "max_power_step_mw must be >= 0";
  }
  if (!finite(r.initial_power_mw)) return "initial_power_mw must be finite";
  if (r.interval <= absl::ZeroDuration() || r.interval == absl::InfiniteDuration()) {
    return "interval must be > 0";
  }
  if (!finite(b.max_charge_mw) || b.max_charge_mw <= 0) return "max_charge_mw must be > 0";
  if (!finite(b.max_discharge_mw) || b.max_discharge_mw <= 0) {
    return "max_discharge_mw must be > 0";
  }
  if (!(b.charge_efficiency > 0 && b.charge_efficiency <= 1)) {
    return "charge_efficiency must be in (0, 1]";
  }
  if (!(b.discharge_efficiency > 0 && b.discharge_efficiency <= 1)) {
    return "discharge_efficiency must be in (0, 1]";
  }
  if (!finite(b.degradation_gbp_per_mwh) || b.degradation_gbp_per_mwh < 0) {
    return "degradation_gbp_per_mwh must be >= 0";
  }
  if (!finite(b.soc_min_mwh) || !finite(b.soc_max_mwh) || !finite(r.soc_start_mwh) ||
      !finite(r.soc_floor_mwh) || !finite(r.terminal_value_gbp_per_mwh)) {
    return "soc bounds, start soc, floor and terminal value must be finite";
  }
  if (std::max(r.soc_floor_mwh, b.soc_min_mwh) > b.soc_max_mwh) {
    return absl::StrFormat("floor %g MWh is above soc_max %g MWh",
                           std::max(r.soc_floor_mwh, b.soc_min_mwh), b.soc_max_mwh);
  }
  for (size_t i = 0; i < r.price_gbp_per_mwh.size(); ++i) {
    if (!finite(r.price_gbp_per_mwh[i])) return absl::StrCat("price ", i, " is not finite");
  }
  if (!r.charge_price_gbp_per_mwh.empty()) {
    if (r.charge_price_gbp_per_mwh.size() != r.price_gbp_per_mwh.size()) {
      return "charge_price_gbp_per_mwh must be empty or one per price";
    }
    for (size_t i = 0; i < r.charge_price_gbp_per_mwh.size(); ++i) {
      if (!finite(r.charge_price_gbp_per_mwh[i]) ||
          !(r.charge_price_gbp_per_mwh[i] >= r.price_gbp_per_mwh[i])) {
        return absl::StrCat("charge price ", i, " is not finite or below price ", i);
      }
    }
  }
  if (!(r.follow_beyond_mw >= 0.0) || !finite(r.follow_beyond_mw)) {
    return "follow_beyond_mw must be finite and >= 0";
  }
  if (!r.step_centre_mw.empty()) {
    if (r.step_centre_mw.size() != r.price_gbp_per_mwh.size()) {
      return "step_centre_mw must be empty or one per price";
    }
    const double widest_change_mw = b.max_charge_mw + b.max_discharge_mw;
    for (size_t i = 0; i < r.step_centre_mw.size(); ++i) {
      if (!(std::abs(r.step_centre_mw[i]) <= widest_change_mw)) {
        return absl::StrCat("step centre ", i,
                            " is not within +-(max_charge_mw + max_discharge_mw)");
      }
    }
  }
  return "";
}

}  // namespace

StepWindow StepWindowFor(double centre_mw, double max_power_step_mw) {
  return {std::min(0.0, centre_mw - max_power_step_mw),
          std::max(0.0, centre_mw + max_power_step_mw)};
}

namespace {

// The changes of power interval i may make: StepWindowFor its centre, or, from
// follow_from_interval on and where the centre lies beyond +-follow_beyond_mw, the window
// that follows it (ScheduleRequest::follow_beyond_mw), which excludes holding.
StepWindow StepWindowOf(const ScheduleRequest& r, size_t i) {
  const double centre_mw = r.step_centre_mw.empty() ? 0.0 : r.step_centre_mw[i];
  const double step_mw = r.max_power_step_mw;
  const double follow_mw = r.follow_beyond_mw;
  if (follow_mw > 0.0 && i >= r.follow_from_interval) {
    if (centre_mw > follow_mw) return {centre_mw - follow_mw, centre_mw + step_mw};
    if (centre_mw < -follow_mw) return {centre_mw - step_mw, centre_mw + follow_mw};
  }
  return StepWindowFor(centre_mw, step_mw);
}

// The price of charging in interval i (ScheduleRequest::charge_price_gbp_per_mwh).
double ChargePrice(const ScheduleRequest& r, size_t i) {
  return r.charge_price_gbp_per_mwh.empty() ? r.price_gbp_per_mwh[i]
                                            : r.charge_price_gbp_per_mwh[i];
}

BatterySchedule HoldPlan(const ScheduleRequest& r, std::string note) {
  BatterySchedule plan;
  plan.power_mw.assign(r.price_gbp_per_mwh.size(), 0.0);
  plan.soc_after_mwh.assign(r.price_gbp_per_mwh.size(), r.soc_start_mwh);
  plan.objective_gbp = r.terminal_value_gbp_per_mwh * r.soc_start_mwh;
  plan.note = std::move(note);
  return plan;
}

// A grid of states for one interval of the every-step-limited plan: levels k0 + g * c
// (columns c < levels) and moves e0 + g * r (rows r < moves), g = 1 (fine) or 2 (coarse).
// Rows are `stride` columns long: `levels` rounded up to a multiple of 8, the padding
// holding -inf, so that rows can be combined eight columns at a time.
struct Grid {
  int g = 1;
  int k0 = 0;
  int levels = 0;
  int e0 = 0;
  int moves = 0;
  int stride = 0;
  size_t cells() const { return static_cast<size_t>(moves) * static_cast<size_t>(stride); }
  int level(int c) const { return k0 + g * c; }
  int move(int r) const { return e0 + g * r; }
  // Multiples of g at or below / at or above x (g is 1 or 2).
  int round_down(int x) const { return g == 1 ? x : (x & ~1); }
  int round_up(int x) const { return g == 1 ? x : ((x + 1) & ~1); }
  // The row of move e, or -1 when e is not on the grid.
  int row(int e) const {
    const int d = e - e0;
    if (d < 0 || (d & (g - 1)) != 0) return -1;
    const int r = d >> (g - 1);
    return r < moves ? r : -1;
  }
  // The first row at or above move e and the last at or below it (e within the moves).
  int row_at_or_above(int e) const { return (round_up(e) - e0) >> (g - 1); }
  int row_at_or_below(int e) const { return (round_down(e) - e0) >> (g - 1); }
  // The column of level k, or -1 when k is not on the grid.
  int column(int k) const {
    const int d = k - k0;
    if (d < 0 || (d & (g - 1)) != 0) return -1;
    const int c = d >> (g - 1);
    return c < levels ? c : -1;
  }
};

// The grid of levels k_lo..k_hi and moves e_min..e_max (both ranges contain 0) at g.
Grid MakeGrid(int g, int k_lo, int k_hi, int e_min, int e_max) {
  Grid grid;
  grid.g = g;
  grid.k0 = grid.round_up(k_lo);
  grid.levels = (grid.round_down(k_hi) - grid.k0) / g + 1;
  grid.e0 = grid.round_up(e_min);
  grid.moves = (grid.round_down(e_max) - grid.e0) / g + 1;
  grid.stride = (grid.levels + 7) & ~7;
  return grid;
}

// The row operations below take eight columns at a time where the CPU runs AVX-512, four
// where it runs AVX2. Either way each column gets the same value (a maximum is one of its
// inputs, and a sum is one IEEE addition), so plans do not depend on the CPU.
enum class RowIsa { kScalar, kAvx2, kAvx512 };

RowIsa DetectRowIsa() {
#if defined(__x86_64__)
  __builtin_cpu_init();  // this runs as a static initialiser, perhaps before libgcc's
  if (__builtin_cpu_supports("avx512f")) return RowIsa::kAvx512;
  if (__builtin_cpu_supports("avx2")) return RowIsa::kAvx2;
#endif
  return RowIsa::kScalar;
}

const RowIsa kRowIsa = DetectRowIsa();

#if defined(__x86_64__)
// vmaxpd on eight lanes; the masked form with every lane selected, because GCC 12's
// _mm512_max_pd passes an undefined vector that -Wmaybe-uninitialized rejects.
__attribute__((target("avx512f"), always_inline)) inline __m512d Max8(__m512d a, __m512d b) {
  return _mm512_mask_max_pd(a, static_cast<__mmask8>(0xFF), a, b);
}

__attribute__((target("avx512f"))) void MaxOfRowsAvx512(const double* a, const double* b,
                                                        double* out, int n) {
  int c = 0;
  for (; c + 8 <= n; c += 8) {
    _mm512_storeu_pd(out + c, Max8(_mm512_loadu_pd(a + c), _mm512_loadu_pd(b + c)));
  }
  if (c < n) {
    const __mmask8 tail = static_cast<__mmask8>((1u << (n - c)) - 1);
    _mm512_mask_storeu_pd(
        out + c, tail,
        Max8(_mm512_maskz_loadu_pd(tail, a + c), _mm512_maskz_loadu_pd(tail, b + c)));
  }
}

__attribute__((target("avx512f"))) void AddToRangeAvx512(double add, const double* in, double* out,
                                                         int first, int last) {
  const __m512d add8 = _mm512_set1_pd(add);
  int c = first;
  for (; c + 7 <= last; c += 8) {
    _mm512_storeu_pd(out + c, _mm512_add_pd(add8, _mm512_loadu_pd(in + c)));
  }
  if (c <= last) {
    const __mmask8 tail = static_cast<__mmask8>((1u << (last - c + 1)) - 1);
    _mm512_mask_storeu_pd(out + c, tail, _mm512_add_pd(add8, _mm512_maskz_loadu_pd(tail, in + c)));
  }
}

__attribute__((target("avx2"))) void MaxOfRowsAvx2(const double* a, const double* b, double* out,
                                                   int n) {
  int c = 0;
  for (; c + 4 <= n; c += 4) {
    _mm256_storeu_pd(out + c, _mm256_max_pd(_mm256_loadu_pd(a + c), _mm256_loadu_pd(b + c)));
  }
  for (; c < n; ++c) out[c] = a[c] > b[c] ? a[c] : b[c];
}

__attribute__((target("avx2"))) void AddToRangeAvx2(double add, const double* in, double* out,
                                                    int first, int last) {
  const __m256d add4 = _mm256_set1_pd(add);
  int c = first;
  for (; c + 3 <= last; c += 4) {
    _mm256_storeu_pd(out + c, _mm256_add_pd(add4, _mm256_loadu_pd(in + c)));
  }
  for (; c <= last; ++c) out[c] = add + in[c];
}
#endif

// out[c] = max(a[c], b[c]) for c < n: exactly one of the two, never a sum.
void MaxOfRows(const double* a, const double* b, double* out, int n) {
#if defined(__x86_64__)
  if (kRowIsa == RowIsa::kAvx512) return MaxOfRowsAvx512(a, b, out, n);
  if (kRowIsa == RowIsa::kAvx2) return MaxOfRowsAvx2(a, b, out, n);
#endif
  for (int c = 0; c < n; ++c) out[c] = a[c] > b[c] ? a[c] : b[c];
}

// out[c] = add + in[c] for first <= c <= last.
void AddToRange(double add, const double* in, double* out, int first, int last) {
#if defined(__x86_64__)
  if (kRowIsa == RowIsa::kAvx512) return AddToRangeAvx512(add, in, out, first, last);
  if (kRowIsa == RowIsa::kAvx2) return AddToRangeAvx2(add, in, out, first, last);
#endif
  for (int c = first; c <= last; ++c) out[c] = add + in[c];
}

// floor(log2(n)) for n >= 1.
int FloorLog2(int n) { return 31 - __builtin_clz(static_cast<unsigned>(n)); }

// Tables start on a 64-byte cache line, and rows are a multiple of 8 doubles long, so that
// no row operation stores across two lines. A table keeps kCellsPerLine spare cells for that.
constexpr size_t kCellsPerLine = 8;
double* AlignedToLine(double* cells) {
  const uintptr_t at = reinterpret_cast<uintptr_t>(cells);
  return reinterpret_cast<double*>((at + 63) & ~uintptr_t{63});
}

// The value tables of the every-step-limited plan, kept per thread between plans so that a
// re-plan does not allocate and fault in about 0.6 MB afresh (8 bytes a state, about 73,000
// states for the default battery's trading plan). Cells are always written before they
// are read, so what a previous plan left in them never matters.
// A plan needing more value cells than kKeptCells (4 MB of them) uses its own tables.
struct EveryStepScratch {
  static constexpr size_t kKeptCells = size_t{1} << 19;
  std::vector<double> values;
  std::vector<double> maxima;
  // Per step window (lower_mw, upper_mw): range_lo then range_hi of every move, for the
  // moves and powers described by ranges_key (e_min, e_max, soc step, hours, 1 / charge
  // efficiency, discharge efficiency). At most kKeptWindows windows are kept.
  static constexpr size_t kKeptWindows = 1024;
  std::array<double, 6> ranges_key = {};
  absl::flat_hash_map<std::pair<double, double>, std::vector<int>> ranges_by_window;
};

// The plan whose every step stays within request.max_power_step_mw (see
// ScheduleRequest::limit_every_step), or nullopt when none exists from the start state.
// State of the backward pass: (level k, move e of the interval before), where levels are
// start + k * step and a move is a change of e levels; the stage reward depends only on
// the move, and the step limit only on the previous and next move.
std::optional<BatterySchedule> PlanEveryStepLimited(const ScheduleRequest& request,
                                                    double floor_mwh) {
  const assets::BatteryParams& b = request.battery;
  const double hours = absl::ToDoubleHours(request.interval);
  const double start_mwh = request.soc_start_mwh;
  const double step_mwh = request.soc_step_mwh;
  const double top_mwh = b.soc_max_mwh;
  const double inv_charge_eff = 1.0 / b.charge_efficiency;
  const double discharge_eff = b.discharge_efficiency;
  const double degradation = b.degradation_gbp_per_mwh;
  const double power_step_mw = request.max_power_step_mw;
  constexpr double kPowerToleranceMw = 1e-9;
  const double inf = std::numeric_limits<double>::infinity();
  thread_local EveryStepScratch scratch;

  // Level indices k: start + k * step within [min(floor, start), max(top, start)].
  const int k_lo = static_cast<int>(
      std::ceil((std::min(floor_mwh, start_mwh) - start_mwh) / step_mwh - kToleranceMwh));
  const int k_hi = static_cast<int>(
      std::floor((std::max(top_mwh, start_mwh) - start_mwh) / step_mwh + kToleranceMwh));
  // The lowest level at or above the floor and the highest at or below soc_max.
  const int k_floor =
      static_cast<int>(std::ceil((floor_mwh - start_mwh) / step_mwh - kToleranceMwh));
  const int k_top = static_cast<int>(std::floor((top_mwh - start_mwh) / step_mwh + kToleranceMwh));
  // Moves e (levels per interval) within the power limits.
  const int e_min = -static_cast<int>(
      std::floor(b.max_discharge_mw * hours / discharge_eff / step_mwh + kToleranceMwh));
  const int e_max = static_cast<int>(
      std::floor(b.max_charge_mw * hours * b.charge_efficiency / step_mwh + kToleranceMwh));
  const int levels = k_hi - k_lo + 1;
  const int moves = e_max - e_min + 1;
  // The values of every state of every interval are kept (8 bytes each): at most about
  // 50 MB of them.
  if (e_min < -127 || e_max > 127 ||  // moves fit in 8 bits, as the bounds have always been
      static_cast<double>(levels) * moves * (request.price_gbp_per_mwh.size() + 2) > 6.25e6) {
    return std::nullopt;  // too fine a grid for the second state; the caller falls back
  }
  auto level_mwh = [&](int k) { return start_mwh + k * step_mwh; };
  std::vector<double> power_by_move(moves);  // grid power of each move, > 0 discharge
  for (int e = e_min; e <= e_max; ++e) {
    const double delta_mwh = e * step_mwh;
    power_by_move[e - e_min] =
        delta_mwh > 0 ? -delta_mwh * inv_charge_eff / hours : -delta_mwh * discharge_eff / hours;
  }
  auto move_power_mw = [&](int e) { return power_by_move[e - e_min]; };
  // The change of power interval i may make.
  auto window_of = [&](size_t i) { return StepWindowOf(request, i); };
  // Moves allowed after a move at power p, within `w`: P(e) falls as e grows, so they are
  // a range.
  auto next_range = [&](double p, StepWindow w, int* lo, int* hi) {
    *lo = e_min;
    while (*lo <= e_max && move_power_mw(*lo) > p + w.upper_mw + kPowerToleranceMw) ++*lo;
    *hi = e_max;
    while (*hi >= *lo && move_power_mw(*hi) < p + w.lower_mw - kPowerToleranceMw) --*hi;
  };
  std::vector<int> range_lo(moves), range_hi(moves);
  StepWindow ranges_window{std::numeric_limits<double>::quiet_NaN(), 0.0};
  // next_range for every move at once: as e grows its power falls, and both ends of its
  // range rise, so two pointers sweep them in O(moves). Re-plans meet the same windows
  // again (a step centre follows the load profile, so consecutive plans share most of
  // them), so each window's ranges are kept per thread for the battery and grid that gave
  // them.
  const std::array<double, 6> ranges_key = {static_cast<double>(e_min),
                                            static_cast<double>(e_max),
                                            step_mwh,
                                            hours,
                                            inv_charge_eff,
                                            discharge_eff};
  if (scratch.ranges_key != ranges_key) {
    scratch.ranges_by_window.clear();
    scratch.ranges_key = ranges_key;
  }
  auto set_ranges = [&](StepWindow w) {
    if (w.lower_mw == ranges_window.lower_mw && w.upper_mw == ranges_window.upper_mw) return;
    ranges_window = w;
    const std::pair<double, double> window_key(w.lower_mw, w.upper_mw);
    if (auto kept = scratch.ranges_by_window.find(window_key);
        kept != scratch.ranges_by_window.end()) {
      std::copy(kept->second.begin(), kept->second.begin() + moves, range_lo.begin());
      std::copy(kept->second.begin() + moves, kept->second.end(), range_hi.begin());
      return;
    }
    int lo = e_min, last_within = e_min - 1;
    for (int e = e_min; e <= e_max; ++e) {
      const double p = move_power_mw(e);
      while (lo <= e_max && move_power_mw(lo) > p + w.upper_mw + kPowerToleranceMw) ++lo;
      while (last_within < e_max &&
             move_power_mw(last_within + 1) >= p + w.lower_mw - kPowerToleranceMw) {
        ++last_within;
      }
      range_lo[e - e_min] = lo;
      range_hi[e - e_min] = std::max(last_within, lo - 1);
    }
    if (scratch.ranges_by_window.size() >= EveryStepScratch::kKeptWindows) {
      scratch.ranges_by_window.clear();
    }
    std::vector<int>& kept = scratch.ranges_by_window[window_key];
    kept.assign(range_lo.begin(), range_lo.end());
    kept.insert(kept.end(), range_hi.begin(), range_hi.end());
  };
  // Levels reachable from level k: never below min(level, floor) nor above
  // max(level, soc_max), as in the first-step-only plan.
  auto band = [&](int k, int* lo, int* hi) {
    *lo = k < k_floor ? k : std::max(k + e_min, k_floor);
    *hi = k > k_top ? k : std::min(k + e_max, k_top);
    *lo = std::max(*lo, k_lo);
    *hi = std::min(*hi, k_hi);
  };
  // Soft landing at the horizon: from move e at level k, ramping down to 0 in steps of
  // the limit must stay within the band.
  std::vector<double> rest_by_move(moves, 0.0);  // MW x intervals of ramping down
  for (int e = e_min; e <= e_max; ++e) {
    const double p = move_power_mw(e);
    for (double q = std::abs(p) - power_step_mw; q > kPowerToleranceMw; q -= power_step_mw) {
      rest_by_move[e - e_min] += q;
    }
  }
  auto lands = [&](int k, int e) {
    const double p = move_power_mw(e);
    const double rest_mw_intervals = rest_by_move[e - e_min];
    const double at = level_mwh(k);
    if (p < 0) {
      return std::max(top_mwh, at) - at + kToleranceMwh >=
             rest_mw_intervals * hours * b.charge_efficiency;
    }
    return at - std::min(floor_mwh, at) + kToleranceMwh >=
           rest_mw_intervals * hours / discharge_eff;
  };

  const size_t intervals = request.price_gbp_per_mwh.size();
  const size_t coarse_from = std::max<size_t>(1, request.coarse_from_interval);
  // Rewards of every move in each interval i, by i * moves + e - e_min, and the window of
  // moves after each move in each interval i >= 1 (set_ranges), kept by the backward pass
  // for the forward one.
  std::vector<double> rewards_by_stage(intervals * moves);
  std::vector<int> range_lo_by_stage(intervals * moves), range_hi_by_stage(intervals * moves);
  auto stage_rewards = [&](size_t i) {
    const double price = request.price_gbp_per_mwh[i];
    const double charge_price = ChargePrice(request, i);
    double* reward = rewards_by_stage.data() + i * moves;
    // Discharging or holding (e <= 0), then charging, each loop without a branch.
    for (int e = e_min; e <= std::min(0, e_max); ++e) {
      const double delta_mwh = e * step_mwh;
      reward[e - e_min] = (price - degradation) * (-delta_mwh) * discharge_eff;
    }
    for (int e = std::max(1, e_min); e <= e_max; ++e) {
      const double delta_mwh = e * step_mwh;
      reward[e - e_min] = -(charge_price + degradation) * delta_mwh * inv_charge_eff;
    }
  };

  // The value of a state (level k, move e of the interval before) at the start of each
  // interval i >= 1, and the terminal value after the last, each in a table over the grid
  // its interval moves on: a fine interval on every level and move, a coarse one on the
  // even ones only (any other state of a coarse interval is worth -inf). Rows are moves,
  // columns levels, so that one move's row over all levels is contiguous and the best
  // move in a window of moves is a maximum over rows: with a table of maxima over 2^j
  // consecutive rows, two of its rows per window (a sparse table), and no branch.
  // Only values are kept; the forward pass finds each interval's move on the path again
  // with the same ties as a full choice table would give (see choose_move).
  const Grid fine = MakeGrid(1, k_lo, k_hi, e_min, e_max);
  const Grid coarse = MakeGrid(2, k_lo, k_hi, e_min, e_max);
  auto grid_of_stage = [&](size_t i) -> const Grid& { return i >= coarse_from ? coarse : fine; };
  // Table t in 1..intervals: the values at the start of interval t (t = intervals: the
  // terminal values), on the grid of interval t (the terminal on the last interval's).
  auto grid_of_table = [&](size_t t) -> const Grid& {
    return grid_of_stage(t < intervals ? t : intervals - 1);
  };
  std::vector<size_t> table_offset(intervals + 2, 0);
  for (size_t t = 1; t <= intervals; ++t) {
    table_offset[t + 1] = table_offset[t] + grid_of_table(t).cells();
  }
  // Every cell is written before it is read.
  const size_t value_cells = table_offset[intervals + 1];
  std::vector<double> own_values;  // for plans too large to keep between plans
  std::vector<double>& values =
      value_cells <= EveryStepScratch::kKeptCells ? scratch.values : own_values;
  if (values.size() < value_cells + kCellsPerLine) values.resize(value_cells + kCellsPerLine);
  double* const value_cell0 = AlignedToLine(values.data());
  auto value_at = [&](size_t t, int k, int e) {  // -inf off the table's grid
    const Grid& grid = grid_of_table(t);
    const int row = grid.row(e), column = grid.column(k);
    if (row < 0 || column < 0) return -inf;
    return value_cell0[table_offset[t] + static_cast<size_t>(row) * grid.stride + column];
  };
  {
    const Grid& grid = grid_of_table(intervals);
    double* terminal = value_cell0 + table_offset[intervals];
    std::fill(terminal, terminal + grid.cells(), -inf);
    for (int r = 0; r < grid.moves; ++r) {
      for (int c = 0; c < grid.levels; ++c) {
        const int k = grid.level(c), e = grid.move(r);
        if (lands(k, e))
          terminal[r * grid.stride + c] = request.terminal_value_gbp_per_mwh * level_mwh(k);
      }
    }
  }
  // The levels each move may be taken from (band), per grid: a range of columns per row,
  // since a move's band condition bounds the level on each side.
  auto move_columns = [&](const Grid& grid) {
    // Per column, the moves its band allows, [lowest, highest].
    std::vector<int> lowest(grid.levels), highest(grid.levels);
    for (int c = 0; c < grid.levels; ++c) {
      int lo, hi;
      band(grid.level(c), &lo, &hi);
      lowest[c] = grid.round_up(lo) - grid.level(c);
      highest[c] = grid.round_down(hi) - grid.level(c);
    }
    std::vector<std::pair<int, int>> columns(grid.moves, {0, -1});
    for (int r = 0; r < grid.moves; ++r) {
      const int e = grid.move(r);
      auto allowed = [&](int c) { return lowest[c] <= e && e <= highest[c]; };
      int first = 0, last = grid.levels - 1;
      while (first < grid.levels && !allowed(first)) ++first;
      while (last >= first && !allowed(last)) --last;
      columns[r] = {first, last};
    }
    return columns;
  };
  const std::vector<std::pair<int, int>> fine_columns = move_columns(fine);
  const std::vector<std::pair<int, int>> coarse_columns =
      coarse_from < intervals ? move_columns(coarse) : std::vector<std::pair<int, int>>();
  // The first interval's moves, from the start (k = 0) after initial_power_mw.
  int first_lo, first_hi;
  {
    int lo, hi;
    next_range(request.initial_power_mw, window_of(0), &first_lo, &first_hi);
    band(0, &lo, &hi);
    first_lo = std::max(first_lo, lo);
    first_hi = std::min(first_hi, hi);
  }
  if (first_lo > first_hi) return std::nullopt;
  // Every interval's rewards and windows, and the moves by which each table's states can
  // be reached from the start: reach_lo[t]..reach_hi[t], the hull of the windows of the
  // moves reachable before (a superset: the band is ignored). The backward pass computes
  // only those rows, and only they are ever read.
  std::vector<int> reach_lo(intervals + 1, 1), reach_hi(intervals + 1, 0);
  reach_lo[1] = first_lo;
  reach_hi[1] = first_hi;
  for (size_t i = 0; i < intervals; ++i) stage_rewards(i);
  for (size_t i = 1; i < intervals; ++i) {
    set_ranges(window_of(i));
    std::copy(range_lo.begin(), range_lo.end(), range_lo_by_stage.begin() + i * moves);
    std::copy(range_hi.begin(), range_hi.end(), range_hi_by_stage.begin() + i * moves);
    if (reach_lo[i] > reach_hi[i]) continue;
    const Grid& grid = grid_of_stage(i);
    reach_lo[i + 1] = grid.round_up(range_lo[reach_lo[i] - e_min]);
    reach_hi[i + 1] = grid.round_down(range_hi[reach_hi[i] - e_min]);
    if (reach_lo[i + 1] > reach_hi[i + 1]) reach_lo[i + 1] = 1, reach_hi[i + 1] = 0;
  }
  // Sparse table of maxima: level j holds, per row r, the maximum of rows r .. r + 2^j - 1.
  std::vector<double> own_maxima;
  std::vector<double>& maxima =
      value_cells <= EveryStepScratch::kKeptCells ? scratch.maxima : own_maxima;
  std::vector<int> window_first_row(moves), window_last_row(moves);
  for (size_t i = intervals; i-- > 1;) {
    const Grid& grid = grid_of_stage(i);
    const Grid& next_grid = grid_of_table(i + 1);
    const double* next = value_cell0 + table_offset[i + 1];
    const std::vector<std::pair<int, int>>& columns = grid.g == 1 ? fine_columns : coarse_columns;
    const double* move_reward = rewards_by_stage.data() + i * moves;
    const int* range_lo = range_lo_by_stage.data() + i * moves;
    const int* range_hi = range_hi_by_stage.data() + i * moves;
    // The rows of previous moves reachable here and of the moves they may take.
    const int p_first = grid.row_at_or_above(reach_lo[i]);
    const int p_last = grid.row_at_or_below(reach_hi[i]);
    const int r_first = grid.row_at_or_above(reach_lo[i + 1]);
    const int r_last = grid.row_at_or_below(reach_hi[i + 1]);
    // Each previous move's window of moves in rows (empty: first > last), and the widest,
    // which sets how many levels of maxima are needed.
    int widest_rows = 1;
    for (int p = p_first; p <= p_last; ++p) {
      const int prev = grid.move(p);
      const int from = grid.round_up(range_lo[prev - e_min]);
      const int until = grid.round_down(range_hi[prev - e_min]);
      if (from > until) {
        window_first_row[p] = 1, window_last_row[p] = 0;
        continue;
      }
      window_first_row[p] = (from - grid.e0) >> (grid.g - 1);
      window_last_row[p] = (until - grid.e0) >> (grid.g - 1);
      widest_rows = std::max(widest_rows, window_last_row[p] - window_first_row[p] + 1);
    }
    const int max_level = FloorLog2(widest_rows);
    const size_t layer = grid.cells();
    if (maxima.size() < layer * (max_level + 1) + kCellsPerLine) {
      maxima.resize(layer * (max_level + 1) + kCellsPerLine);
    }
    double* const maxima_cell0 = AlignedToLine(maxima.data());
    // Level 0: the value of each move from each level, whatever came before: its reward
    // plus the value of the state it leads to; -inf where the band forbids it.
    for (int r = r_first; r <= r_last; ++r) {
      const int e = grid.move(r);
      double* row = maxima_cell0 + r * grid.stride;
      const auto [first, last] = columns[r];
      std::fill(row, row + std::max(first, 0), -inf);
      std::fill(row + std::max(first, last + 1), row + grid.stride, -inf);
      const double reward = move_reward[e - e_min];
      if (&next_grid == &grid) {
        // State (k + e, e) of the next table: same row, column shifted by e / g.
        const double* source = next + r * grid.stride + e / grid.g;
        AddToRange(reward, source, row, first, last);
      } else {
        // The last fine interval before the coarse ones: state (k + e, e) lies on the next
        // table's grid only for an even move to an even level; -inf elsewhere.
        const int next_row = next_grid.row(e);
        if (next_row < 0) {
          std::fill(row + std::max(first, 0), row + last + 1, -inf);
          continue;
        }
        const double* next_cells = next + next_row * next_grid.stride;
        for (int c = first; c <= last; ++c) {
          const int d = grid.level(c) + e - next_grid.k0;
          row[c] = (d & 1) != 0 || d < 0 || (d >> 1) >= next_grid.levels
                       ? -inf
                       : reward + next_cells[d >> 1];
        }
      }
    }
    for (int j = 1; j <= max_level; ++j) {
      const double* below = maxima_cell0 + (j - 1) * layer;
      double* out = maxima_cell0 + j * layer;
      const int half = 1 << (j - 1);
      // Rows whose 2^j rows run past the last are never read. Rows are contiguous, so the
      // layer's rows r_first.. are one run of cells.
      const int rows = r_last + 2 - 2 * half - r_first;
      if (rows > 0) {
        MaxOfRows(below + r_first * grid.stride, below + (r_first + half) * grid.stride,
                  out + r_first * grid.stride, rows * grid.stride);
      }
    }
    // Each previous move's row: the best move in its window.
    double* value = value_cell0 + table_offset[i];
    for (int p = p_first; p <= p_last; ++p) {
      double* out = value + p * grid.stride;
      const int first_row = window_first_row[p], last_row = window_last_row[p];
      if (first_row > last_row) {
        std::fill(out, out + grid.stride, -inf);
        continue;
      }
      const int j = FloorLog2(last_row - first_row + 1);
      const double* level = maxima_cell0 + j * layer;
      MaxOfRows(level + first_row * grid.stride, level + (last_row - (1 << j) + 1) * grid.stride,
                out, grid.stride);
    }
  }

  // The move interval i >= 1 takes from level k after move `prev`, as a choice table
  // filled by the backward pass would hold it: the best in the window of moves (clipped
  // to the band), the smallest of equal ones, and holding where it ties with the best.
  auto choose_move = [&](size_t i, int k, int prev) {
    const Grid& grid = grid_of_stage(i);
    const double* move_reward = rewards_by_stage.data() + i * moves;
    const int* range_lo = range_lo_by_stage.data() + i * moves;
    const int* range_hi = range_hi_by_stage.data() + i * moves;
    int lo, hi;
    band(k, &lo, &hi);
    lo = grid.round_up(lo);
    hi = grid.round_down(hi);
    const int from = grid.round_up(std::max(range_lo[prev - e_min], lo - k));
    const int until = grid.round_down(std::min(range_hi[prev - e_min], hi - k));
    if (from > until) return from;
    double best = -inf;
    int best_e = from;
    bool first = true;
    for (int e = from; e <= until; e += grid.g) {
      const double v = move_reward[e - e_min] + value_at(i + 1, k + e, e);
      if (first || v > best) {
        best = v;
        best_e = e;
        first = false;
      }
    }
    if (from <= 0 && 0 <= until && move_reward[-e_min] + value_at(i + 1, k, 0) == best) best_e = 0;
    return best_e;
  };

  // The first interval, from the start (k = 0) after initial_power_mw.
  const double* move_reward = rewards_by_stage.data();
  double best = -inf;
  int first_move = 0;
  if (first_lo <= 0 && 0 <= first_hi) {
    best = move_reward[-e_min] + value_at(1, 0, 0);
  }
  for (int e = first_lo; e <= first_hi; ++e) {
    const double candidate = move_reward[e - e_min] + value_at(1, e, e);
    if (candidate > best) {
      best = candidate;
      first_move = e;
    }
  }
  if (!(best > -inf)) return std::nullopt;

  BatterySchedule plan;
  plan.power_mw.reserve(intervals);
  plan.soc_after_mwh.reserve(intervals);
  int k = 0, e = first_move;
  for (size_t i = 0; i < intervals; ++i) {
    if (i > 0) e = choose_move(i, k, e);
    const double from_mwh = level_mwh(k);
    k += e;
    const double to_mwh = level_mwh(k);
    const double delta = to_mwh - from_mwh;
    plan.power_mw.push_back(move_power_mw(e));
    plan.soc_after_mwh.push_back(to_mwh);
    plan.objective_gbp +=
        delta > 0 ? -(ChargePrice(request, i) + degradation) * delta * inv_charge_eff
                  : (request.price_gbp_per_mwh[i] - degradation) * (-delta) * discharge_eff;
  }
  plan.objective_gbp += request.terminal_value_gbp_per_mwh * level_mwh(k);
  return plan;
}

}  // namespace

BatterySchedule PlanBatterySchedule(const ScheduleRequest& request) {
  if (std::string problem = RequestProblem(request); !problem.empty()) {
    return HoldPlan(request, absl::StrCat("invalid request, holding: ", problem));
  }
  const assets::BatteryParams& b = request.battery;
  const double hours = absl::ToDoubleHours(request.interval);
  const double floor_mwh = std::max(request.soc_floor_mwh, b.soc_min_mwh);
  const double top_mwh = b.soc_max_mwh;
  const double start_mwh = request.soc_start_mwh;
  const double step_mwh = request.soc_step_mwh;
  const double max_gain_mwh = b.max_charge_mw * hours * b.charge_efficiency;        // stored
  const double max_loss_mwh = b.max_discharge_mw * hours / b.discharge_efficiency;  // stored
  const double inv_charge_eff = 1.0 / b.charge_efficiency;
  const double discharge_eff = b.discharge_efficiency;
  const double degradation = b.degradation_gbp_per_mwh;

  std::vector<std::string> notes;
  if (request.soc_floor_mwh < b.soc_min_mwh) {
    notes.push_back(absl::StrFormat("floor raised to soc_min %g MWh", b.soc_min_mwh));
  }
  if (start_mwh < floor_mwh - kToleranceMwh) {
    notes.push_back(absl::StrFormat(
        "start soc %g MWh is below the floor %g MWh: charge or hold only until it is reached",
        start_mwh, floor_mwh));
  }
  if (start_mwh > top_mwh + kToleranceMwh) {
    notes.push_back(absl::StrFormat(
        "start soc %g MWh is above soc_max %g MWh: discharge or hold only until it is reached",
        start_mwh, top_mwh));
  }
  if (step_mwh > max_gain_mwh + kToleranceMwh && step_mwh > max_loss_mwh + kToleranceMwh) {
    notes.push_back("soc_step_mwh exceeds one interval's energy limits: grid levels can only hold");
  }

  // A step window covering the whole power range limits nothing: the plain plan is the same.
  double widest_centre_mw = 0.0;
  for (double c : request.step_centre_mw)
    widest_centre_mw = std::max(widest_centre_mw, std::abs(c));
  if (request.limit_every_step && request.max_power_step_mw > 0.0 &&
      request.max_power_step_mw - widest_centre_mw < b.max_charge_mw + b.max_discharge_mw &&
      !request.price_gbp_per_mwh.empty()) {
    if (std::optional<BatterySchedule> limited = PlanEveryStepLimited(request, floor_mwh)) {
      limited->note = absl::StrJoin(notes, "; ");
      return *std::move(limited);
    }
    notes.push_back(
        "no plan keeps every step within the limit from here: only the first is limited");
  }

  // Levels: the floor-anchored grid spanning [floor, soc_max] and the start, plus the
  // start itself (replacing a grid level it coincides with).
  const double low_mwh = std::min(floor_mwh, start_mwh);
  const double high_mwh = std::max(top_mwh, start_mwh);
  const double j_min = std::ceil((low_mwh - floor_mwh) / step_mwh - kToleranceMwh);
  const double j_max = std::floor((high_mwh - floor_mwh) / step_mwh + kToleranceMwh);
  if (j_max - j_min + 2 > kMaxLevels) {
    return HoldPlan(request, absl::StrFormat("invalid request, holding: soc_step_mwh %g "
                                             "gives more than %g levels",
                                             step_mwh, kMaxLevels));
  }
  std::vector<double> levels;
  levels.reserve(static_cast<size_t>(j_max - j_min) + 2);
  for (double j = j_min; j <= j_max; ++j) levels.push_back(floor_mwh + j * step_mwh);
  auto start_it = std::lower_bound(levels.begin(), levels.end(), start_mwh - kToleranceMwh);
  if (start_it != levels.end() && std::abs(*start_it - start_mwh) <= kToleranceMwh) {
    *start_it = start_mwh;
  } else {
    start_it = levels.insert(start_it, start_mwh);
  }
  const int start_index = static_cast<int>(start_it - levels.begin());
  const int n = static_cast<int>(levels.size());

  // Reachable band of each level, the same for every interval: within the power limits,
  // never below min(level, floor) nor above max(level, soc_max). Levels are sorted, so the
  // band is a contiguous index range that always includes holding.
  std::vector<int> band_lo(n), band_hi(n);
  int first_lo = 0, first_hi = 0;  // the first interval's range from the start
  for (int a = 0; a < n; ++a) {
    const double from = levels[a];
    const double lowest = std::max(from - max_loss_mwh, std::min(from, floor_mwh));
    const double highest = std::min(from + max_gain_mwh, std::max(from, top_mwh));
    band_lo[a] = static_cast<int>(
        std::lower_bound(levels.begin(), levels.end(), lowest - kToleranceMwh) - levels.begin());
    band_hi[a] =
        static_cast<int>(std::upper_bound(levels.begin(), levels.end(), highest + kToleranceMwh) -
                         levels.begin()) -
        1;
  }

  // Soft landing: from grid power p, ramping down by `step` per interval stores (or
  // draws) sum_k max(0, p - k*step) * h more; that must fit before the bound.
  const double power_step_mw = request.max_power_step_mw;
  auto landing_mw_intervals = [power_step_mw](double p) {
    double sum = 0.0;
    for (double q = p - power_step_mw; q > 0.0; q -= power_step_mw) sum += q;
    return sum;
  };
  auto grid_power_mw = [&](double from, double to) {
    const double delta = to - from;
    return delta > 0 ? -delta * inv_charge_eff / hours : -delta * discharge_eff / hours;
  };
  if (power_step_mw > 0.0) {
    for (int a = 0; a < n; ++a) {
      // The band is contiguous and the landing need grows with the move, so trimming
      // from the far ends keeps it contiguous.
      while (band_hi[a] > a) {
        const double p = -grid_power_mw(levels[a], levels[band_hi[a]]);
        const double headroom = std::max(top_mwh, levels[a]) - levels[band_hi[a]];
        if (headroom + kToleranceMwh >= landing_mw_intervals(p) * hours * b.charge_efficiency)
          break;
        --band_hi[a];
      }
      while (band_lo[a] < a) {
        const double p = grid_power_mw(levels[a], levels[band_lo[a]]);
        const double headroom = levels[band_lo[a]] - std::min(floor_mwh, levels[a]);
        if (headroom + kToleranceMwh >= landing_mw_intervals(p) * hours / discharge_eff) break;
        ++band_lo[a];
      }
    }
    // First interval: within one step of the power already running. If no move is
    // within a step (the battery sits at a bound), the nearest feasible move is kept.
    int lo = band_lo[start_index], hi = band_hi[start_index];
    auto power_from_start = [&](int to) { return grid_power_mw(levels[start_index], levels[to]); };
    const StepWindow first_window = StepWindowOf(request, 0);
    const double first_lowest_mw = request.initial_power_mw + first_window.lower_mw;
    const double first_highest_mw = request.initial_power_mw + first_window.upper_mw;
    while (lo < hi && power_from_start(lo) > first_highest_mw + 1e-9) ++lo;
    while (hi > lo && power_from_start(hi) < first_lowest_mw - 1e-9) --hi;
    first_lo = lo;
    first_hi = hi;
  }

  if (power_step_mw <= 0.0) {
    first_lo = band_lo[start_index];
    first_hi = band_hi[start_index];
  }

  // Stage reward (£) of moving from stored level `from` to `to` in interval i.
  auto reward = [&](double from, double to, size_t i) {
    const double delta = to - from;
    if (delta > 0) return -(ChargePrice(request, i) + degradation) * delta * inv_charge_eff;
    return (request.price_gbp_per_mwh[i] - degradation) * (-delta) * discharge_eff;
  };

  // Backward pass. value[a] = best reward-to-go from level a; choice holds the argmax per
  // interval and level. Holding is tried first and only a strictly better move replaces
  // it, so ties resolve to doing nothing.
  const size_t intervals = request.price_gbp_per_mwh.size();
  std::vector<double> value(n), next_value(n);
  for (int a = 0; a < n; ++a) next_value[a] = request.terminal_value_gbp_per_mwh * levels[a];
  std::vector<int32_t> choice(intervals * n);
  for (size_t i = intervals; i-- > 0;) {
    const double price = request.price_gbp_per_mwh[i];
    // Reward per MWh of stored energy given up (> 0 discharging, < 0 charging): the two
    // branches of reward() as constants, so the inner loops are branch-free.
    const double gbp_per_stored_mwh_out = (price - degradation) * discharge_eff;
    const double gbp_per_stored_mwh_in = (ChargePrice(request, i) + degradation) * inv_charge_eff;
    int32_t* stage_choice = choice.data() + i * n;
    for (int a = 0; a < n; ++a) {
      const bool first_move = i == 0 && a == start_index;
      const int lo = first_move ? first_lo : band_lo[a];
      const int hi = first_move ? first_hi : band_hi[a];
      const bool may_hold = lo <= a && a <= hi;
      double best = may_hold ? next_value[a] : -std::numeric_limits<double>::infinity();
      int32_t best_to = may_hold ? a : lo;
      const double from = levels[a];
      // Same order as a single lo..hi scan (ties keep the earlier choice).
      for (int to = lo; to < std::min(a, hi + 1); ++to) {
        const double candidate = gbp_per_stored_mwh_out * (from - levels[to]) + next_value[to];
        if (candidate > best) {
          best = candidate;
          best_to = to;
        }
      }
      for (int to = std::max(a + 1, lo); to <= hi; ++to) {
        const double candidate = gbp_per_stored_mwh_in * (from - levels[to]) + next_value[to];
        if (candidate > best) {
          best = candidate;
          best_to = to;
        }
      }
      value[a] = best;
      stage_choice[a] = best_to;
    }
    value.swap(next_value);
  }

  // Forward pass from the start, recomputing the objective from the chosen moves.
  BatterySchedule plan;
  plan.power_mw.reserve(intervals);
  plan.soc_after_mwh.reserve(intervals);
  int at = start_index;
  for (size_t i = 0; i < intervals; ++i) {
    const int to = choice[i * n + at];
    const double delta = levels[to] - levels[at];
    const double grid_mwh = delta > 0 ? -delta * inv_charge_eff : -delta * discharge_eff;
    plan.power_mw.push_back(grid_mwh / hours);
    plan.soc_after_mwh.push_back(levels[to]);
    plan.objective_gbp += reward(levels[at], levels[to], i);
    at = to;
  }
  plan.objective_gbp += request.terminal_value_gbp_per_mwh * levels[at];
  plan.note = absl::StrJoin(notes, "; ");
  return plan;
}

ScheduleRequest TradingScheduleRequest(const assets::BatteryParams& battery, double soc_start_mwh,
                                       double initial_power_mw, std::vector<double> prices,
                                       absl::Duration interval, double max_power_step_mw) {
  ScheduleRequest request;
  request.battery = battery;
  request.soc_start_mwh = soc_start_mwh;
  request.soc_floor_mwh = battery.soc_min_mwh + battery.reserve_mwh;
  request.interval = interval;
  request.max_power_step_mw = max_power_step_mw;
  request.initial_power_mw = initial_power_mw;
  request.limit_every_step = true;
  // At another resolution than 30 minutes: the same hours fine and the same share of an
  // interval's energy per level (1 MWh per half-hour), so the grid can move at all at 5 min.
  const double half_hours = absl::FDivDuration(interval, absl::Minutes(30));
  request.soc_step_mwh = half_hours;
  request.coarse_from_interval =
      interval == absl::Minutes(30) ? kTradingFineIntervals
                                    : static_cast<size_t>(std::lround(
                                          static_cast<double>(kTradingFineIntervals) / half_hours));
  const double mean_price =
      std::accumulate(prices.begin(), prices.end(), 0.0) / static_cast<double>(prices.size());
  request.terminal_value_gbp_per_mwh =
      std::max(0.0, mean_price * battery.discharge_efficiency - battery.degradation_gbp_per_mwh);
  request.price_gbp_per_mwh = std::move(prices);
  return request;
}

}  // namespace gridpilot::planning
