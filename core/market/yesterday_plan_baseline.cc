#include "core/market/yesterday_plan_baseline.h"

#include "core/assets/interlocks.h"
#include "core/market/ledger.h"
#include "core/planning/grid_dp_planner.h"

namespace gridpilot::market {

YesterdayPlanBaseline::YesterdayPlanBaseline(assets::BatteryParams battery, absl::Duration interval,
                                             double max_power_step_mw)
    : battery_(std::move(battery)),
      interval_(interval),
      max_power_step_mw_(max_power_step_mw),
      soc_mwh_(battery_.soc_initial_mwh) {}

void YesterdayPlanBaseline::Step(absl::Time t, std::optional<double> ended_price) {
  if (ended_price.has_value()) last_price_ = ended_price;
  if (interval_in_progress_ && last_price_.has_value()) {
    const double hours = absl::ToDoubleHours(interval_);
    assets::BatteryInterval done;
    done.power_mw = power_mw_;
    done.charge_mwh = std::max(0.0, -power_mw_) * hours;
    done.discharge_mwh = std::max(0.0, power_mw_) * hours;
    for (const LedgerEntry& e : SettleBattery(battery_, done, *last_price_, t - interval_, "")) {
      pnl_gbp_ += e.amount_gbp;
    }
  }
  const size_t per_day = static_cast<size_t>(absl::Hours(24) / interval_);
  recent_prices_.push_back(ended_price);
  while (recent_prices_.size() > per_day) recent_prices_.pop_front();

  const double floor_mwh = battery_.soc_min_mwh + battery_.reserve_mwh;
  if (t == absl::FromUnixSeconds(absl::ToUnixSeconds(t) / 86400 * 86400) &&
      recent_prices_.size() == per_day) {
    // Yesterday's prices, a missing one replaced by the one before it (or the next known).
    std::vector<double> prices;
    std::optional<double> fill;
    for (const auto& p : recent_prices_)
      if (p.has_value() && !fill) fill = p;
    for (const auto& p : recent_prices_) {
      if (p.has_value()) fill = p;
      prices.push_back(fill.value_or(0.0));
    }
    const planning::ScheduleRequest request = planning::TradingScheduleRequest(
        battery_, soc_mwh_, power_mw_, std::move(prices), interval_, max_power_step_mw_);
    plan_mw_ = planning::PlanBatterySchedule(request).power_mw;
    plan_start_ = t;
  }

  double requested_mw = 0.0;
  const int64_t index = plan_start_ == absl::InfinitePast()
                            ? -1
                            : static_cast<int64_t>((t - plan_start_) / interval_);
  if (index >= 0 && index < static_cast<int64_t>(plan_mw_.size())) requested_mw = plan_mw_[index];
  power_mw_ =
      assets::ClampBatteryPower(battery_, soc_mwh_, requested_mw, floor_mwh, interval_).power_mw;
  soc_mwh_ = assets::StepBattery(battery_, soc_mwh_, power_mw_, interval_).soc_after_mwh;
  interval_in_progress_ = true;
}

}  // namespace gridpilot::market
