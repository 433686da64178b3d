#include "services/forecast/advice_service.h"

#include <cmath>

#include "services/common/grpc_status.h"
#include "services/common/proto_time.h"

namespace gridpilot {
namespace {

void AddWindows(const std::vector<advice::TimeWindow>& windows, absl::Time day,
                google::protobuf::RepeatedPtrField<v1::AdviceWindow>* out) {
  for (const advice::TimeWindow& w : windows) {
    v1::AdviceWindow* window = out->Add();
    *window->mutable_start() = ToProtoTime(day + advice::kHalfHour * w.first_half_hour);
    *window->mutable_end() = ToProtoTime(day + advice::kHalfHour * w.end_half_hour);
    window->set_text(w.Text());
    window->set_energy_mwh(w.energy);
  }
}

}  // namespace

grpc::Status AdviceServiceImpl::Advise(grpc::ServerContext*, const v1::AdviseRequest* request,
                                       v1::AdviseResponse* response) {
  AdviceBook* book = book_.load();
  if (book == nullptr) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the advice book is loading");
  }
  advice::AdviceOptions options;
  options.unit = advice::PowerUnit::kMegawatt;
  options.flexible_share = request->flexible_share() == 0 ? 0.05 : request->flexible_share();
  if (request->has_peak_limit_mw()) options.peak_limit = request->peak_limit_mw();
  options.peak_percentile = request->peak_percentile() == 0 ? 90.0 : request->peak_percentile();
  if (request->battery_capacity_mwh() != 0) {
    advice::SiteBatteryOptions battery;
    battery.capacity = request->battery_capacity_mwh();
    battery.power =
        request->battery_power_mw() == 0 ? battery.capacity / 2 : request->battery_power_mw();
    battery.round_trip_efficiency = request->battery_round_trip_efficiency() == 0
                                        ? 0.9
                                        : request->battery_round_trip_efficiency();
    options.battery = battery;
  }
  std::optional<absl::Time> day;
  if (request->has_day()) day = FromProtoTime(request->day());
  absl::StatusOr<BookAdvice> found = book->Advise(day, options);
  if (!found.ok()) return ToGrpcStatus(found.status());
  const advice::DayAdvice& a = found->advice;
  *response->mutable_day() = ToProtoTime(a.day_start);
  *response->mutable_data_until() = ToProtoTime(found->data_until);
  response->set_advice(a.sentence);
  response->set_peak_limit_mw(a.shift.peak_limit);
  response->set_forecast_peak_mw(a.forecast_outcome.peak_before);
  response->set_forecast_peak_after_mw(a.forecast_outcome.peak_after);
  response->set_shifted_energy_mwh(a.shift.shifted_energy);
  response->set_forecast_saved_gbp(a.forecast_outcome.saved_gbp());
  AddWindows(a.move_from, a.day_start, response->mutable_move_from());
  AddWindows(a.move_to, a.day_start, response->mutable_move_to());
  response->set_has_battery(a.battery.has_value());
  if (a.battery.has_value()) {
    AddWindows(advice::Windows(a.battery->charge), a.day_start, response->mutable_battery_charge());
    AddWindows(advice::Windows(a.battery->discharge), a.day_start,
               response->mutable_battery_discharge());
    response->set_battery_forecast_return_gbp(a.battery->return_gbp);
  }
  for (int i = 0; i < advice::kHalfHoursPerDay; ++i) {
    v1::AdviceInterval* interval = response->add_intervals();
    *interval->mutable_interval_start() = ToProtoTime(a.day_start + advice::kHalfHour * i);
    interval->set_forecast_load_mw(a.forecast_load[i]);
    interval->set_price_gbp_per_mwh(a.price_gbp_per_mwh[i]);
    interval->set_move_out_mw(a.shift.out[i]);
    interval->set_move_in_mw(a.shift.in[i]);
    interval->set_load_after_mw(a.forecast_outcome.load_after[i]);
    if (a.battery.has_value()) {
      interval->set_battery_charge_mw(a.battery->charge[i]);
      interval->set_battery_discharge_mw(a.battery->discharge[i]);
      interval->set_battery_stored_mwh(a.battery->stored[i]);
    }
  }
  return grpc::Status::OK;
}

}  // namespace gridpilot
