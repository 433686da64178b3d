// TickSubscription against a real in-process gRPC server on loopback (port 0) playing the
// gateway: every tick in order and a return at the run's end; resumption after a broken
// stream from the last tick, which is never handed on twice (even by a gateway that
// ignores from_time); reconnection after a clean end while the run goes on, or past the
// run's end when asked; the pause's doubling and reset; and Stop() cancelling a blocked
// read, cutting a pause short, or coming before Run. No test waits on wall time: each
// waits for what the subscription reports.
#include "services/common/tick_subscription.h"

#include <deque>
#include <optional>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "core/base/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/proto_time.h"
#include "services/common/server_runner.h"

namespace gridpilot {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const absl::Time kStart = *base::ParseUtcTimestamp("2023-06-01T00:00:00Z");

absl::Time TickTime(int i) { return kStart + i * base::kHalfHour; }

v1::Tick MakeTick(int i) {
  v1::Tick tick;
  tick.set_sequence(i);
  *tick.mutable_time() = ToProtoTime(TickTime(i));
  tick.set_interval_boundary(true);
  return tick;
}

// How one Subscribe call behaves: after sending `end_after` ticks it ends with `status`;
// without `end_after`, it behaves like the gateway (the published ticks from from_time,
// then new ones as they are published, OK once the run has finished).
struct StreamPlan {
  std::optional<int> end_after;
  grpc::Status status;
};

// The gateway's state as both fake services see it.
class FakeRun {
 public:
  void Publish(int count) {
    absl::MutexLock lock(&mu_);
    for (int i = 0; i < count; ++i) ticks_.push_back(MakeTick(static_cast<int>(ticks_.size())));
  }
  void Finish() {
    absl::MutexLock lock(&mu_);
    finished_ = true;
  }
  bool finished() const {
    absl::MutexLock lock(&mu_);
    return finished_;
  }
  // The next Subscribe calls follow these plans, in order, before the default.
  void Plan(std::vector<StreamPlan> plans) {
    absl::MutexLock lock(&mu_);
    plans_.insert(plans_.end(), plans.begin(), plans.end());
  }
  void IgnoreFromTime() {
    absl::MutexLock lock(&mu_);
    ignore_from_time_ = true;
  }
  std::vector<v1::SubscribeRequest> requests() const {
    absl::MutexLock lock(&mu_);
    return requests_;
  }

  grpc::Status Subscribe(grpc::ServerContext* context, const v1::SubscribeRequest& request,
                         grpc::ServerWriter<v1::SubscribeResponse>* writer) {
    size_t next = 0;
    StreamPlan plan;
    {
      absl::MutexLock lock(&mu_);
      requests_.push_back(request);
      if (request.has_from_time() && !ignore_from_time_) {
        while (next < ticks_.size() &&
               FromProtoTime(ticks_[next].time()) < FromProtoTime(request.from_time())) {
          ++next;
        }
      }
      if (!plans_.empty()) {
        plan = plans_.front();
        plans_.pop_front();
      }
    }
    int sent = 0;
    while (!context->IsCancelled()) {
      if (plan.end_after.has_value() && sent == *plan.end_after) return plan.status;
      std::optional<v1::Tick> tick;
      {
        absl::MutexLock lock(&mu_);
        // The gateway polls for cancellation the same way, with a longer wait.
        auto ready = [this, next] { return next < ticks_.size() || finished_; };
        mu_.AwaitWithTimeout(absl::Condition(&ready), absl::Milliseconds(5));
        if (next < ticks_.size()) {
          tick = ticks_[next];
        } else if (finished_) {
          return grpc::Status::OK;
        }
      }
      if (!tick.has_value()) continue;
      v1::SubscribeResponse message;
      *message.mutable_tick() = *tick;
      if (!writer->Write(message)) return grpc::Status::CANCELLED;
      ++next;
      ++sent;
    }
    return grpc::Status::CANCELLED;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<v1::Tick> ticks_ ABSL_GUARDED_BY(mu_);
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  std::deque<StreamPlan> plans_ ABSL_GUARDED_BY(mu_);
  bool ignore_from_time_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<v1::SubscribeRequest> requests_ ABSL_GUARDED_BY(mu_);
};

class FakeTelemetry : public v1::TelemetryService::Service {
 public:
  explicit FakeTelemetry(FakeRun* run) : run_(run) {}
  grpc::Status Subscribe(grpc::ServerContext* context, const v1::SubscribeRequest* request,
                         grpc::ServerWriter<v1::SubscribeResponse>* writer) override {
    return run_->Subscribe(context, *request, writer);
  }

 private:
  FakeRun* const run_;
};

class FakeClock : public v1::ClockService::Service {
 public:
  explicit FakeClock(const FakeRun* run) : run_(run) {}
  grpc::Status GetClockStatus(grpc::ServerContext*, const v1::GetClockStatusRequest*,
                              v1::GetClockStatusResponse* response) override {
    response->set_state(run_->finished() ? v1::RUN_STATE_FINISHED : v1::RUN_STATE_RUNNING);
    return grpc::Status::OK;
  }

 private:
  const FakeRun* const run_;
};

// What the callbacks saw, in order.
struct Seen {
  std::vector<int> ticks;  // sequence numbers
  int streams_up = 0;
  std::vector<grpc::StatusCode> ends;
  std::vector<absl::Duration> retries;
};

class TickSubscriptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<RunningServer> server =
        StartGrpcServer("127.0.0.1", 0, {&telemetry_, &clock_}, "");
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = MakeChannel(absl::StrCat("127.0.0.1:", server_.port));
  }
  void TearDown() override {
    if (server_.server != nullptr) ShutdownServer(server_.server.get());
  }

  TickSubscriptionOptions Options() const {
    TickSubscriptionOptions options;
    options.subscriber = "test";
    options.first_retry = absl::Milliseconds(1);
    options.max_retry = absl::Milliseconds(4);
    return options;
  }

  // Callbacks recording into `seen`.
  static TickCallbacks Recording(Seen* seen) {
    TickCallbacks callbacks;
    callbacks.on_tick = [seen](const v1::Tick& tick) {
      seen->ticks.push_back(static_cast<int>(tick.sequence()));
    };
    callbacks.on_stream_up = [seen] { ++seen->streams_up; };
    callbacks.on_stream_ended = [seen](const grpc::Status& status, absl::Duration retry_in) {
      seen->ends.push_back(status.error_code());
      seen->retries.push_back(retry_in);
    };
    return callbacks;
  }

  FakeRun run_;
  FakeTelemetry telemetry_{&run_};
  FakeClock clock_{&run_};
  RunningServer server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(TickSubscriptionTest, HandsOnEveryTickInOrderAndReturnsWhenTheRunFinishes) {
  run_.Publish(5);
  run_.Finish();
  TickSubscription subscription(channel_, Options());
  Seen seen;
  EXPECT_EQ(subscription.Run(Recording(&seen)), TickSubscription::End::kRunFinished);
  EXPECT_THAT(seen.ticks, ElementsAre(0, 1, 2, 3, 4));
  EXPECT_EQ(seen.streams_up, 1);
  EXPECT_THAT(seen.ends, IsEmpty());
  ASSERT_EQ(run_.requests().size(), 1u);
  EXPECT_EQ(run_.requests()[0].subscriber(), "test");
  EXPECT_FALSE(run_.requests()[0].has_from_time());
  EXPECT_EQ(subscription.last_tick_time(), TickTime(4));
}

TEST_F(TickSubscriptionTest, ResumesAfterABrokenStreamFromTheLastTickWithoutRepeatingIt) {
  run_.Publish(6);
  run_.Finish();
  run_.Plan({{3, grpc::Status(grpc::StatusCode::UNAVAILABLE, "gateway gone")}});
  TickSubscription subscription(channel_, Options());
  Seen seen;
  EXPECT_EQ(subscription.Run(Recording(&seen)), TickSubscription::End::kRunFinished);
  EXPECT_THAT(seen.ticks, ElementsAre(0, 1, 2, 3, 4, 5));
  EXPECT_THAT(seen.ends, ElementsAre(grpc::StatusCode::UNAVAILABLE));
  // The second stream re-sent tick 2: it was up, though tick 2 was not handed on again.
  EXPECT_EQ(seen.streams_up, 2);
  const std::vector<v1::SubscribeRequest> requests = run_.requests();
  ASSERT_EQ(requests.size(), 2u);
  ASSERT_TRUE(requests[1].has_from_time());
  EXPECT_EQ(FromProtoTime(requests[1].from_time()), TickTime(2));
}

TEST_F(TickSubscriptionTest, DropsTicksAtOrBeforeTheResumePointThatAGatewayResends) {
  run_.Publish(4);
  run_.Finish();
  run_.IgnoreFromTime();
  run_.Plan({{2, grpc::Status(grpc::StatusCode::UNAVAILABLE, "broken")},
             {3, grpc::Status(grpc::StatusCode::INTERNAL, "broken again")}});
  TickSubscription subscription(channel_, Options());
  Seen seen;
  EXPECT_EQ(subscription.Run(Recording(&seen)), TickSubscription::End::kRunFinished);
  EXPECT_THAT(seen.ticks, ElementsAre(0, 1, 2, 3));
  EXPECT_THAT(seen.ends, ElementsAre(grpc::StatusCode::UNAVAILABLE, grpc::StatusCode::INTERNAL));
}

TEST_F(TickSubscriptionTest, ReconnectsWhenAStreamEndsCleanlyButTheRunGoesOn) {
  run_.Publish(3);
  run_.Plan({{2, grpc::Status::OK}});
  TickSubscription subscription(channel_, Options());
  Seen seen;
  TickCallbacks callbacks = Recording(&seen);
  // The run finishes with tick 4, published once the second stream is up.
  callbacks.on_tick = [&](const v1::Tick& tick) {
    seen.ticks.push_back(static_cast<int>(tick.sequence()));
    if (tick.sequence() == 2) {
      run_.Publish(2);
      run_.Finish();
    }
  };
  EXPECT_EQ(subscription.Run(callbacks), TickSubscription::End::kRunFinished);
  EXPECT_THAT(seen.ticks, ElementsAre(0, 1, 2, 3, 4));
  EXPECT_THAT(seen.ends, ElementsAre(grpc::StatusCode::OK));
}

TEST_F(TickSubscriptionTest, FollowsPastTheRunsEndUntilStoppedWhenAsked) {
  run_.Publish(2);
  run_.Finish();
  TickSubscriptionOptions options = Options();
  options.until_run_finished = false;
  TickSubscription subscription(channel_, options);
  Seen seen;
  TickCallbacks callbacks = Recording(&seen);
  callbacks.on_stream_ended = [&](const grpc::Status& status, absl::Duration) {
    seen.ends.push_back(status.error_code());
    if (seen.ends.size() == 3) subscription.Stop();
  };
  EXPECT_EQ(subscription.Run(callbacks), TickSubscription::End::kStopped);
  EXPECT_THAT(seen.ticks, ElementsAre(0, 1));
  EXPECT_THAT(seen.ends,
              ElementsAre(grpc::StatusCode::OK, grpc::StatusCode::OK, grpc::StatusCode::OK));
  EXPECT_EQ(run_.requests().size(), 3u);
}

TEST_F(TickSubscriptionTest, PauseDoublesUpToTheMaximumAndResetsOnANewTick) {
  run_.Publish(2);
  run_.Finish();
  const grpc::Status broken(grpc::StatusCode::UNAVAILABLE, "broken");
  run_.Plan({{0, broken}, {0, broken}, {0, broken}, {0, broken}, {1, broken}, {0, broken}});
  TickSubscription subscription(channel_, Options());
  Seen seen;
  EXPECT_EQ(subscription.Run(Recording(&seen)), TickSubscription::End::kRunFinished);
  EXPECT_THAT(seen.ticks, ElementsAre(0, 1));
  const absl::Duration ms = absl::Milliseconds(1);
  EXPECT_THAT(seen.retries, ElementsAre(1 * ms, 2 * ms, 4 * ms, 4 * ms, 1 * ms, 2 * ms));
}

TEST_F(TickSubscriptionTest, StopCancelsAReadInProgress) {
  run_.Publish(2);  // the run goes on: the stream then waits for tick 2
  TickSubscription subscription(channel_, Options());
  Seen seen;
  absl::Notification second_tick;
  TickCallbacks callbacks = Recording(&seen);
  callbacks.on_tick = [&](const v1::Tick& tick) {
    seen.ticks.push_back(static_cast<int>(tick.sequence()));
    if (tick.sequence() == 1) second_tick.Notify();
  };
  std::optional<TickSubscription::End> end;
  std::thread follower([&] { end = subscription.Run(callbacks); });
  second_tick.WaitForNotification();
  subscription.Stop();
  follower.join();
  EXPECT_EQ(end, TickSubscription::End::kStopped);
  EXPECT_THAT(seen.ticks, ElementsAre(0, 1));
  EXPECT_THAT(seen.ends, IsEmpty());
}

TEST_F(TickSubscriptionTest, StopCutsAPauseShort) {
  run_.Plan({{0, grpc::Status(grpc::StatusCode::UNAVAILABLE, "down")}});
  TickSubscriptionOptions options = Options();
  options.first_retry = absl::Hours(1);
  options.max_retry = absl::Hours(1);
  TickSubscription subscription(channel_, options);
  absl::Notification ended;
  TickCallbacks callbacks;
  callbacks.on_tick = [](const v1::Tick&) {};
  callbacks.on_stream_ended = [&](const grpc::Status&, absl::Duration) { ended.Notify(); };
  std::optional<TickSubscription::End> end;
  std::thread follower([&] { end = subscription.Run(callbacks); });
  ended.WaitForNotification();
  subscription.Stop();
  follower.join();  // an hour's pause if Stop did not end it
  EXPECT_EQ(end, TickSubscription::End::kStopped);
  EXPECT_EQ(run_.requests().size(), 1u);
}

TEST_F(TickSubscriptionTest, StopBeforeRunSubscribesToNothing) {
  run_.Publish(1);
  TickSubscription subscription(channel_, Options());
  subscription.Stop();
  Seen seen;
  EXPECT_EQ(subscription.Run(Recording(&seen)), TickSubscription::End::kStopped);
  EXPECT_THAT(seen.ticks, IsEmpty());
  EXPECT_THAT(run_.requests(), IsEmpty());
}

}  // namespace
}  // namespace gridpilot
