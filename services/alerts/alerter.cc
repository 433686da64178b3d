#include "services/alerts/alerter.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/base/logging.h"
#include "core/base/time_util.h"
#include "services/common/proto_time.h"

namespace gridpilot {

Alerter::Alerter(alerts::AlertEvaluator evaluator, std::unique_ptr<StackObserver> observer,
                 std::vector<std::unique_ptr<DeliveryQueue>> sinks,
                 std::shared_ptr<grpc::Channel> gateway, AlerterOptions options)
    : options_(std::move(options)),
      observer_(std::move(observer)),
      sinks_(std::move(sinks)),
      ticks_(std::move(gateway), TickSubscriptionOptions{"alerter", absl::Milliseconds(100),
                                                         absl::Seconds(2), !options_.live}),
      evaluator_(std::move(evaluator)) {}

void Alerter::Send(const std::vector<alerts::AlertNotice>& notices) {
  for (const alerts::AlertNotice& n : notices) {
    base::LogInfo(absl::StrCat(
        "alert ", alerts::AlertStatusName(n.status) == "firing" ? "FIRING" : "RESOLVED", " ",
        n.rule, " (", n.key, ") at ", base::FormatUtcTimestamp(n.at), ": ", n.summary));
    for (const std::unique_ptr<DeliveryQueue>& sink : sinks_) sink->Enqueue(n);
  }
}

void Alerter::OnTick(const v1::Tick& tick) {
  alerts::AlertObservation observation;
  observation.now = FromProtoTime(tick.time());
  if (options_.live) observation.since_last_tick = absl::ZeroDuration();
  observer_->Observe(&observation);
  bool sent = false;
  {
    absl::MutexLock lock(&mu_);
    last_tick_time_ = observation.now;
    last_tick_wall_time_ = absl::Now();
    const std::vector<alerts::AlertNotice> notices = evaluator_.Evaluate(observation);
    ++evaluations_;
    Send(notices);
    sent = !notices.empty();
  }
  if (sent) WriteStatus();
}

void Alerter::CheckStale() {
  bool sent = false;
  {
    absl::MutexLock lock(&mu_);
    if (!last_tick_time_) return;
    alerts::AlertObservation observation;
    // The run's clock stands still while no tick comes: alerts are stamped with the last
    // tick's time, and the summary gives the wall time waited.
    observation.now = *last_tick_time_;
    observation.since_last_tick = absl::Now() - *last_tick_wall_time_;
    const std::vector<alerts::AlertNotice> notices = evaluator_.Evaluate(observation);
    ++evaluations_;
    Send(notices);
    sent = !notices.empty();
  }
  if (sent) WriteStatus();
}

TickSubscription::End Alerter::Run() {
  std::thread stale_checker;
  if (options_.live) {
    stale_checker = std::thread([this] {
      while (!stopping_.WaitForNotificationWithTimeout(options_.stale_check_period)) {
        CheckStale();
      }
    });
  }
  TickCallbacks callbacks;
  callbacks.on_tick = [this](const v1::Tick& tick) { OnTick(tick); };
  callbacks.on_stream_ended = [](const grpc::Status& status, absl::Duration retry_in) {
    base::LogWarning(absl::StrCat("alerts: the tick stream ended (", status.error_message(),
                                  "); again in ", absl::FormatDuration(retry_in)));
  };
  const TickSubscription::End end = ticks_.Run(callbacks);
  if (!stopping_.HasBeenNotified()) stopping_.Notify();
  if (stale_checker.joinable()) stale_checker.join();
  return end;
}

void Alerter::Stop() {
  if (!stopping_.HasBeenNotified()) stopping_.Notify();
  ticks_.Stop();
}

void Alerter::Finish(absl::Duration drain) {
  // Every sink gets the whole drain time, side by side.
  const absl::Time until = absl::Now() + drain;
  for (const std::unique_ptr<DeliveryQueue>& sink : sinks_) sink->RequestStop(until);
  for (const std::unique_ptr<DeliveryQueue>& sink : sinks_) sink->Stop(absl::ZeroDuration());
  WriteStatus();
}

alerts::AlertCounts Alerter::alert_counts() const {
  absl::MutexLock lock(&mu_);
  return evaluator_.counts();
}

std::vector<std::pair<std::string, DeliveryCounts>> Alerter::sink_counts() const {
  std::vector<std::pair<std::string, DeliveryCounts>> counts;
  for (const std::unique_ptr<DeliveryQueue>& sink : sinks_) {
    counts.emplace_back(sink->sink_name(), sink->counts());
  }
  return counts;
}

std::string Alerter::CountsJson() const {
  nlohmann::json json;
  const alerts::AlertCounts a = alert_counts();
  {
    absl::MutexLock lock(&mu_);
    json["evaluations"] = evaluations_;
  }
  json["alerts"] = {{"fired", a.fired},
                    {"sent_firing", a.sent_firing},
                    {"sent_resolved", a.sent_resolved},
                    {"deduplicated", a.deduplicated},
                    {"rate_limited", a.rate_limited}};
  json["sinks"] = nlohmann::json::object();
  for (const auto& [name, c] : sink_counts()) {
    json["sinks"][name] = {{"queued", c.queued},
                           {"delivered", c.delivered},
                           {"failed", c.failed},
                           {"retries", c.retries},
                           {"dropped", c.dropped}};
  }
  return json.dump();
}

void Alerter::WriteStatus() const {
  if (options_.status_file.empty()) return;
  absl::MutexLock lock(&status_mu_);
  const std::string temp = options_.status_file + ".tmp";
  {
    std::ofstream out(temp);
    out << CountsJson() << "\n";
    if (!out) {
      base::LogWarning(absl::StrCat("alerts: cannot write ", temp));
      return;
    }
  }
  std::error_code ec;
  std::filesystem::rename(temp, options_.status_file, ec);
  if (ec) base::LogWarning(absl::StrCat("alerts: ", options_.status_file, ": ", ec.message()));
}

}  // namespace gridpilot
