// Alerter: the alerter process's loop. It follows the gateway's ticks (TickSubscription);
// at each tick it observes the stack (StackObserver), evaluates the rules
// (core/alerts/alert_evaluator.h) with the tick's run time and hands the alerts to every
// sink's DeliveryQueue. In live mode a timer also evaluates between ticks, so that "data
// stale" fires when ticks stop coming. Sinks never hold the loop: they queue.
#ifndef GRIDPILOT_SERVICES_ALERTS_ALERTER_H_
#define GRIDPILOT_SERVICES_ALERTS_ALERTER_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "core/alerts/alert_evaluator.h"
#include "services/alerts/delivery_queue.h"
#include "services/alerts/stack_observer.h"
#include "services/common/tick_subscription.h"

namespace gridpilot {

struct AlerterOptions {
  // Live mode: follow until Stop() and check for stale data between ticks. Otherwise (a
  // backtest) Run returns when the gateway's run finishes.
  bool live = false;
  absl::Duration stale_check_period = absl::Seconds(1);  // live mode
  // If non-empty, the counts (Alerter::CountsJson) are written here, atomically, after every
  // evaluation that sent something and when Run returns.
  std::string status_file;
};

class Alerter {
 public:
  Alerter(alerts::AlertEvaluator evaluator, std::unique_ptr<StackObserver> observer,
          std::vector<std::unique_ptr<DeliveryQueue>> sinks, std::shared_ptr<grpc::Channel> gateway,
          AlerterOptions options);

  // Follows the ticks, evaluating and sending, until the run finishes (not live) or Stop().
  TickSubscription::End Run();
  // Makes Run return promptly. Thread-safe.
  void Stop();
  // Gives the sinks up to `drain` to deliver what waits, then stops them; writes the
  // status file. Call after Run returned.
  void Finish(absl::Duration drain);

  // {"evaluations":..,"alerts":{"fired":..,"sent_firing":..,"sent_resolved":..,
  //  "deduplicated":..,"rate_limited":..},"sinks":{"webhook":{"queued":..,"delivered":..,
  //  "failed":..,"retries":..,"dropped":..},..}}. Thread-safe.
  std::string CountsJson() const;
  alerts::AlertCounts alert_counts() const;
  std::vector<std::pair<std::string, DeliveryCounts>> sink_counts() const;

 private:
  void OnTick(const v1::Tick& tick);
  void CheckStale();
  void Send(const std::vector<alerts::AlertNotice>& notices) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void WriteStatus() const;

  const AlerterOptions options_;
  const std::unique_ptr<StackObserver> observer_;  // Run's thread only
  std::vector<std::unique_ptr<DeliveryQueue>> sinks_;
  TickSubscription ticks_;
  absl::Notification stopping_;

  mutable absl::Mutex status_mu_;  // one writer of the status file at a time

  mutable absl::Mutex mu_;
  alerts::AlertEvaluator evaluator_ ABSL_GUARDED_BY(mu_);
  int64_t evaluations_ ABSL_GUARDED_BY(mu_) = 0;
  std::optional<absl::Time> last_tick_time_ ABSL_GUARDED_BY(mu_);       // run time
  std::optional<absl::Time> last_tick_wall_time_ ABSL_GUARDED_BY(mu_);  // when it arrived
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_ALERTS_ALERTER_H_
