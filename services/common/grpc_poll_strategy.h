// The gRPC I/O poller of gridpilot's stack processes. Linux gRPC (1.51) defaults to
// "epoll1": one epoll set per process that every polling thread shares, so a message for
// a session's reader is often picked up by another gRPC thread (a server's poller, the
// callback threads) and handed over, a second thread wake-up per message. "poll" polls
// each call's own set on the thread that waits for it (docs/decisions.md, "The gRPC
// poller").
#ifndef GRIDPILOT_SERVICES_COMMON_GRPC_POLL_STRATEGY_H_
#define GRIDPILOT_SERVICES_COMMON_GRPC_POLL_STRATEGY_H_

namespace gridpilot {

inline constexpr char kGrpcPollStrategyVariable[] = "GRPC_POLL_STRATEGY";
inline constexpr char kStackGrpcPollStrategy[] = "poll";

// Sets GRPC_POLL_STRATEGY to kStackGrpcPollStrategy unless the environment already names
// one (an operator's choice wins). Call first in main, before anything creates a gRPC
// channel, server or completion queue: gRPC reads the variable when it initialises.
void SelectGrpcPollStrategy();

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_COMMON_GRPC_POLL_STRATEGY_H_
