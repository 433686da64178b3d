// The MQTT path with messages out of order, through a real mosquitto on a free loopback
// port: the subscriber accepts every new sequence number whatever its stamp into its step
// while the step is open, counts one for a settled step late, and refuses redeliveries as
// duplicates, and the settled step's reading is the mean of what it accepted.
#include <mosquitto.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/base/clock.h"
#include "core/base/time_util.h"
#include "core/data/published_feed.h"
#include "gtest/gtest.h"
#include "services/gateway/mqtt_subscriber.h"
#include "services/gateway/telemetry_ingest.h"
#include "services/gateway/telemetry_json.h"

namespace gridpilot {
namespace {

constexpr char kTopic[] = "test/telemetry";
const absl::Time kT0 = *base::ParseUtcTimestamp("2023-06-01T00:00:00Z");

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// Debian's mosquitto on `port`, stopped at destruction.
class Broker {
 public:
  explicit Broker(int port) : conf_(absl::StrCat(::testing::TempDir(), "/mqtt_reorder_", port)) {
    FILE* f = std::fopen(conf_.c_str(), "w");
    std::fprintf(f, "listener %d 127.0.0.1\nallow_anonymous true\nlog_type error\n", port);
    std::fclose(f);
    pid_ = fork();
    if (pid_ == 0) {
      execl("/usr/sbin/mosquitto", "mosquitto", "-c", conf_.c_str(), nullptr);
      _exit(127);
    }
    // Up once it takes a connection.
    const absl::Time give_up = absl::Now() + absl::Seconds(10);
    while (!up_ && absl::Now() < give_up) {
      const int fd = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      addr.sin_port = htons(static_cast<uint16_t>(port));
      up_ = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
      close(fd);
      if (!up_) absl::SleepFor(absl::Milliseconds(20));
    }
  }
  bool up() const { return up_; }
  ~Broker() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    std::remove(conf_.c_str());
  }

 private:
  std::string conf_;
  pid_t pid_ = -1;
  bool up_ = false;
};

struct Message {
  int64_t sequence;
  absl::Duration after_t0;  // the stamp
  double net_load_mw;
};

void OnPublished(struct mosquitto*, void* acknowledged, int) { ++*static_cast<int*>(acknowledged); }

// Publishes `messages` in the order given, QoS 1, and waits for the broker's
// acknowledgements.
void Publish(int port, const std::vector<Message>& messages) {
  int acknowledged = 0;
  struct mosquitto* client = mosquitto_new(nullptr, true, &acknowledged);
  ASSERT_NE(client, nullptr);
  mosquitto_publish_callback_set(client, &OnPublished);
  ASSERT_EQ(mosquitto_connect(client, "127.0.0.1", port, 10), MOSQ_ERR_SUCCESS);
  for (const Message& m : messages) {
    data::TelemetrySample s;
    s.timestamp = kT0 + m.after_t0;
    s.source = "meter-1";
    s.sequence = m.sequence;
    s.net_load_mw = m.net_load_mw;
    const std::string payload = EncodeTelemetryJson(s);
    ASSERT_EQ(mosquitto_publish(client, nullptr, kTopic, static_cast<int>(payload.size()),
                                payload.data(), /*qos=*/1, false),
              MOSQ_ERR_SUCCESS);
  }
  const absl::Time give_up = absl::Now() + absl::Seconds(20);
  while (acknowledged < static_cast<int>(messages.size()) && absl::Now() < give_up) {
    mosquitto_loop(client, 10, 1);
  }
  EXPECT_EQ(acknowledged, static_cast<int>(messages.size()));
  mosquitto_disconnect(client);
  mosquitto_destroy(client);
}

// Waits until the feed has judged `messages` messages (accepted or refused as duplicates).
data::PublishedFeedCounts WaitForJudged(const data::PublishedFeed& feed, int64_t messages) {
  const absl::Time give_up = absl::Now() + absl::Seconds(20);
  data::PublishedFeedCounts counts = feed.Counts();
  while (
      counts.accepted +
              counts.rejected[static_cast<size_t>(data::TelemetryRejection::kDuplicateSequence)] <
          messages &&
      absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(20));
    counts = feed.Counts();
  }
  return counts;
}

TEST(MqttReorderTest, NewNumbersCountWhateverTheirOrderRedeliveriesDoNot) {
  mosquitto_lib_init();
  const int port = FreePort();
  Broker broker(port);
  ASSERT_TRUE(broker.up()) << "mosquitto did not start on port " << port;
  base::SystemClock clock;
  data::PublishedFeedConfig config;
  config.first_step_start = kT0;
  config.end = kT0 + absl::Hours(1);
  config.step = absl::Minutes(5);
  config.silence_timeout = absl::Seconds(30);
  config.validator.sources = {"meter-1"};
  config.validator.max_ahead = absl::Hours(1);
  std::unique_ptr<data::PublishedFeed> feed = *data::PublishedFeed::Create(config, &clock);
  TelemetryIngest ingest(feed.get(), &clock);
  const MqttUrl url{.host = "127.0.0.1", .port = port, .topic = kTopic};
  absl::StatusOr<std::unique_ptr<MqttSubscriber>> subscriber =
      MqttSubscriber::Start(url, "reorder-gateway", &ingest);
  ASSERT_TRUE(subscriber.ok()) << subscriber.status();
  const absl::Time connect_by = absl::Now() + absl::Seconds(20);
  while ((*subscriber)->connections() == 0 && absl::Now() < connect_by) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_GT((*subscriber)->connections(), 0) << "no broker on port " << port;
  absl::SleepFor(absl::Milliseconds(300));  // the subscription is in place

  // Step 0 is [T0, T0 + 5 min). Its samples arrive newest first, with redeliveries; #5 in
  // step 1 makes step 0 settleable (the data has moved on).
  Publish(port, {{3, absl::Minutes(3), 130.0},
                 {2, absl::Minutes(2), 120.0},
                 {3, absl::Minutes(3), 130.0},  // redelivered
                 {1, absl::Minutes(1), 110.0},
                 {4, absl::Minutes(4), 100.0},
                 {2, absl::Minutes(2), 120.0},  // redelivered
                 {5, absl::Minutes(5), 500.0}});
  WaitForJudged(*feed, 7);
  absl::StatusOr<data::FeedReading> step0 = feed->Next();
  ASSERT_TRUE(step0.ok()) << step0.status();
  EXPECT_EQ(step0->start, kT0);
  ASSERT_TRUE(step0->net_load_mw.has_value());
  EXPECT_DOUBLE_EQ(*step0->net_load_mw, (130.0 + 120.0 + 110.0 + 100.0) / 4);
  EXPECT_FALSE(step0->source_silent);
  // Step 0 is settled now: a new number stamped in it is accepted but late, and one
  // already seen is still a duplicate.
  Publish(port, {{6, absl::Minutes(4) + absl::Seconds(30), 999.0}, {1, absl::Minutes(1), 110.0}});
  const data::PublishedFeedCounts counts = WaitForJudged(*feed, 9);
  EXPECT_EQ(counts.accepted, 6);
  EXPECT_EQ(counts.settled, 4);
  EXPECT_EQ(counts.late, 1);
  EXPECT_EQ(counts.pending, 1);
  EXPECT_EQ(counts.rejected[static_cast<size_t>(data::TelemetryRejection::kDuplicateSequence)], 3);
  EXPECT_EQ(counts.rejected[static_cast<size_t>(data::TelemetryRejection::kOutOfOrder)], 0);
  EXPECT_EQ(ingest.received(IngestPath::kMqtt), 9);
  subscriber->reset();
}

}  // namespace
}  // namespace gridpilot
