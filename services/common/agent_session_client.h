// AgentSessionClient: one process's side of ClockService.AgentSession
// (proto/gridpilot/v1/clock.proto): it opens the session, hands each tick to a callback
// whose answer it writes back on the same stream, and, if the stream breaks, opens a new
// session after the last tick handled. The agents (agents/common/agent_runtime.h) answer
// with their proposals; the forecast process, as the forecaster, with the tick's forecast.
//
// Each tick reaches `on_tick` at most once, in time order, across reconnections. The
// gateway ends a session OK only after the run's last tick: Run then returns kRunFinished.
// Any other end is reported to `on_session_ended` and followed, after a pause, by a new
// session: `first_retry` after a session that brought a new tick, doubling with each
// further session that brings none, up to `max_retry`. Stop() cuts it short.
#ifndef GRIDPILOT_SERVICES_COMMON_AGENT_SESSION_CLIENT_H_
#define GRIDPILOT_SERVICES_COMMON_AGENT_SESSION_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gridpilot/v1/clock.grpc.pb.h"

namespace gridpilot {

struct AgentSessionClientOptions {
  std::string agent;        // AgentSessionOpen.agent: the agent's name (or "forecast")
  bool forecaster = false;  // AgentSessionOpen.forecaster
  absl::Duration first_retry = absl::Milliseconds(100);  // pause after a session ends
  absl::Duration max_retry = absl::Seconds(2);           // the longest pause (>= first_retry)
};

// What the session's owner does; all are called on Run's thread, one at a time.
struct AgentSessionCallbacks {
  // Each new tick (required): returns the message answering it (an `answer`, or a
  // forecaster's `forecast`). The next tick waits for it.
  std::function<v1::AgentSessionRequest(const v1::Tick& tick)> on_tick;
  // After the answer to `tick` was written: `received` is when the tick arrived (wall
  // time, for latency metrics only). Optional.
  std::function<void(const v1::AgentSessionRequest& answer, absl::Time received)> on_answered;
  // The gateway refused an answer (the tick counts as answered, with no action). Optional.
  std::function<void(const v1::AnswerRefused& refused)> on_refused;
  // A session ended before the run did; a new one follows after `retry_in`. Optional.
  std::function<void(const grpc::Status& status, absl::Duration retry_in)> on_session_ended;
};

class AgentSessionClient {
 public:
  enum class End {
    kRunFinished,  // the gateway's run finished: no more ticks will come
    kStopped,      // Stop() was called
  };

  // Sessions go to `gateway` (the gateway's channel).
  AgentSessionClient(std::shared_ptr<grpc::Channel> gateway, AgentSessionClientOptions options);

  AgentSessionClient(const AgentSessionClient&) = delete;
  AgentSessionClient& operator=(const AgentSessionClient&) = delete;

  // Holds sessions (the loop above) until the run finishes or Stop() is called, calling
  // `callbacks` on this thread. Not to be called from two threads at once.
  End Run(const AgentSessionCallbacks& callbacks);

  // Makes Run return promptly: cancels the session in progress and cuts a pause short.
  // Sticky. Thread-safe.
  void Stop();

 private:
  // Holds one session until it ends; true if it brought a new tick.
  bool RunSession(const AgentSessionCallbacks& callbacks, grpc::Status* status);
  bool stopping() const;

  const AgentSessionClientOptions options_;
  std::unique_ptr<v1::ClockService::Stub> clock_;
  std::optional<absl::Time> last_tick_time_;  // Run's thread only: the resume point

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* active_session_ ABSL_GUARDED_BY(mu_) = nullptr;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_COMMON_AGENT_SESSION_CLIENT_H_
