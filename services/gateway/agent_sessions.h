// AgentSessions: the gateway's side of ClockService.AgentSession
// (proto/gridpilot/v1/clock.proto), one bidirectional stream per agent on gRPC's callback
// API. No thread waits per stream: the run's tick listener (GatewayRun::SetTickListener)
// pushes each newly published tick to every open session (the agents before the
// forecaster; lock-step the agent slowest to answer first, live the quickest), and an
// answer read from a session goes to GatewayRun::Submit on the gRPC thread that read it.
// A lock-step tick is then one message to each agent and one back (docs/decisions.md,
// "One stream per process per tick").
//
// A session's first message names its agent (under TLS it must be the authenticated
// identity) and, when resuming, the last tick it saw; the session then sends every tick
// after that, in order, each once, and ends OK after the run's last. An answer is checked
// like AssetService.SubmitDispatch (the caller's band) and submitted; one the run refuses
// still answers its tick, with no action, and the refusal is sent back on the stream.
#ifndef GRIDPILOT_SERVICES_GATEWAY_AGENT_SESSIONS_H_
#define GRIDPILOT_SERVICES_GATEWAY_AGENT_SESSIONS_H_

#include <grpcpp/grpcpp.h>

#include <set>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "gridpilot/v1/clock.grpc.pb.h"
#include "services/gateway/gateway_run.h"

namespace gridpilot {

class AgentSessions {
 public:
  using Reactor = grpc::ServerBidiReactor<v1::AgentSessionRequest, v1::AgentSessionResponse>;

  // Becomes `run`'s tick listener; `run` (not owned) must outlive this object.
  explicit AgentSessions(GatewayRun* run);
  // Stops listening to the run. Sessions still open keep their pointer to the run only.
  ~AgentSessions();

  AgentSessions(const AgentSessions&) = delete;
  AgentSessions& operator=(const AgentSessions&) = delete;

  // A new session for the call `context` serves; gRPC owns it (it deletes itself when done).
  Reactor* Open(grpc::CallbackServerContext* context);

 private:
  class Session;

  void PushTicks();
  void Add(Session* session);
  void Remove(Session* session);

  GatewayRun* const run_;
  absl::Mutex mu_;
  std::set<Session*> sessions_ ABSL_GUARDED_BY(mu_);       // opened and not yet done
  std::vector<Session*> push_order_ ABSL_GUARDED_BY(mu_);  // PushTicks' order, reused
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_GATEWAY_AGENT_SESSIONS_H_
