// TickSubscription: one client's follow of the gateway's tick stream
// (TelemetryService.Subscribe), resumed where it broke off. Every process that acts on
// ticks (the agents, the forecast process, the console) follows them through this class,
// so that they all resume, give up and shut down the same way; what each does with a tick
// is its callback's business.
//
// The loop, run on the caller's thread by Run():
//  1. Subscribe, from the resume point (below) or from the run's first tick.
//  2. Hand each new tick to `on_tick`, in the order the gateway sends them.
//  3. When the stream ends: if Stop() was called, return kStopped. If it ended cleanly
//     (OK) and the gateway's clock says the run has finished (and the options ask for it),
//     return kRunFinished. Otherwise (a broken stream, a gateway restarted, a clock that
//     cannot be read) report the end to `on_stream_ended`, pause and go to 1.
//
// Resume point: the time of the last tick handed to `on_tick`. A new stream asks for
// ticks from that time inclusive; the gateway re-sends that tick, which shows the stream
// is up (`on_stream_up`) but is not handed on again, nor is any tick at or before it. So
// across reconnections each tick reaches `on_tick` at most once, in time order; ticks
// published while the stream was down arrive on the next stream (the gateway keeps those
// of the last two hours of run time; docs/decisions.md, "Memory bounds").
//
// Pause between streams: `first_retry` after a stream that brought a new tick (or before
// the first reconnection), doubling with each further stream that brings none, up to
// `max_retry`. Stop() cuts it short.
#ifndef GRIDPILOT_SERVICES_COMMON_TICK_SUBSCRIPTION_H_
#define GRIDPILOT_SERVICES_COMMON_TICK_SUBSCRIPTION_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gridpilot/v1/clock.grpc.pb.h"
#include "gridpilot/v1/telemetry.grpc.pb.h"

namespace gridpilot {

struct TickSubscriptionOptions {
  std::string subscriber;  // SubscribeRequest.subscriber: names this client in the gateway's logs
  absl::Duration first_retry = absl::Milliseconds(100);  // pause after a stream ends
  absl::Duration max_retry = absl::Seconds(2);           // the longest pause (>= first_retry)
  // True: Run returns once a stream has ended cleanly and the gateway's clock reports the
  // run finished. False: Run follows until Stop(), reconnecting after every end (a
  // follower that outlives one run, like the console).
  bool until_run_finished = true;
  // SubscribeRequest.min_tick_gap: zero for every tick; more for only the newest tick, at
  // most once per gap (a follower of the current state).
  absl::Duration min_tick_gap = absl::ZeroDuration();
};

// What a follower does with the stream; all are called on Run's thread, one at a time.
struct TickCallbacks {
  // Each new tick (required). May block; the next tick waits for it.
  std::function<void(const v1::Tick& tick)> on_tick;
  // Once per stream, when its first tick arrives (the re-sent resume tick included): the
  // gateway is answering again. Before that tick's `on_tick`, if it has one. Optional.
  std::function<void()> on_stream_up;
  // A stream ended and Run will subscribe again after pausing for `retry_in`. `status` is
  // the stream's: OK if the gateway closed it (its run ended, but the clock says
  // otherwise or could not be read, or the follower does not stop at a run's end), else
  // the error (UNAVAILABLE for a gateway that went away, CANCELLED if the server cancelled
  // it). Not called for the stream that Stop() cancelled, nor for the one that ended the
  // run. Optional.
  std::function<void(const grpc::Status& status, absl::Duration retry_in)> on_stream_ended;
};

class TickSubscription {
 public:
  enum class End {
    kRunFinished,  // the gateway's run finished: no more ticks will come
    kStopped,      // Stop() was called
  };

  // Follows ticks from `gateway` (the gateway's channel: TelemetryService and
  // ClockService).
  TickSubscription(std::shared_ptr<grpc::Channel> gateway, TickSubscriptionOptions options);

  TickSubscription(const TickSubscription&) = delete;
  TickSubscription& operator=(const TickSubscription&) = delete;

  // Follows the stream (the loop above) until the run finishes or Stop() is called, calling
  // `callbacks` on this thread. A tick being handled when Stop() is called is finished
  // first; none is handed on after that. Not to be called from two threads at once; a
  // second call after kRunFinished resumes after the last tick handled.
  End Run(const TickCallbacks& callbacks);

  // Makes Run return promptly: cancels the stream read in progress and cuts a pause
  // short. Sticky (a later Run returns kStopped at once). Thread-safe; callable from a
  // callback.
  void Stop();

  // The resume point: the time of the last tick handed to `on_tick`, if any. Only
  // meaningful on Run's thread or after Run returned.
  std::optional<absl::Time> last_tick_time() const { return last_tick_time_; }

 private:
  // Reads one stream to its end; true if it brought a new tick.
  bool FollowOneStream(const TickCallbacks& callbacks, grpc::Status* status);
  bool RunFinished();
  bool stopping() const;

  const TickSubscriptionOptions options_;
  std::unique_ptr<v1::TelemetryService::Stub> telemetry_;
  std::unique_ptr<v1::ClockService::Stub> clock_;
  std::optional<absl::Time> last_tick_time_;  // Run's thread only

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* active_stream_ ABSL_GUARDED_BY(mu_) = nullptr;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_COMMON_TICK_SUBSCRIPTION_H_
