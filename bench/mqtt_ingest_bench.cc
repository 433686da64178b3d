// mqtt_ingest_bench: live telemetry messages per second the gateway's MQTT path accepts,
// with a real broker on loopback. Starts Debian's mosquitto on a free port, the gateway's
// MqttSubscriber + TelemetryIngest + PublishedFeed in this process, and a libmosquitto
// publisher sending N JSON samples with QoS 1 as fast as the broker takes them; the rate
// is N over the time from the first publish to the N-th accepted sample. Beside it, the
// rate at which a consumer settles the steps (the run loop's side), and the SQLite store's
// write rate of settled steps is left to metered_store (see docs/decisions.md, "Live
// telemetry in"). Usage: mqtt_ingest_bench [N, default 200000]
#include <mosquitto.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "absl/time/clock.h"
#include "core/base/clock.h"
#include "core/base/time_util.h"
#include "core/data/published_feed.h"
#include "services/gateway/mqtt_subscriber.h"
#include "services/gateway/telemetry_ingest.h"
#include "services/gateway/telemetry_json.h"

namespace {

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

}  // namespace

int main(int argc, char** argv) {
  using namespace gridpilot;
  const int64_t n = argc > 1 ? std::atoll(argv[1]) : 200000;
  if (n <= 0 || n > 10'000'000) {
    std::fprintf(stderr, "N must be 1..10000000\n");
    return 2;
  }
  const int port = FreePort();
  const std::string conf = "/tmp/mqtt_ingest_bench." + std::to_string(getpid()) + ".conf";
  {
    FILE* f = std::fopen(conf.c_str(), "w");
    std::fprintf(f, "listener %d 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\n", port);
    std::fclose(f);
  }
  const pid_t broker = fork();
  if (broker == 0) {
    execl("/usr/sbin/mosquitto", "mosquitto", "-c", conf.c_str(), nullptr);
    _exit(127);
  }
  absl::SleepFor(absl::Milliseconds(300));

  base::SystemClock clock;
  const absl::Time t0 = *base::ParseUtcTimestamp("2023-06-01T00:00:00Z");
  data::PublishedFeedConfig config;
  config.first_step_start = t0;
  config.end = t0 + absl::Hours(24 * 400);
  config.step = absl::Seconds(60);
  config.silence_timeout = absl::Seconds(60);
  config.validator.sources = {"bench"};
  config.validator.max_ahead = absl::Hours(24);
  std::unique_ptr<data::PublishedFeed> feed = *data::PublishedFeed::Create(config, &clock);
  TelemetryIngest ingest(feed.get(), &clock);
  MqttUrl url{.host = "127.0.0.1", .port = port, .topic = "bench/telemetry"};
  std::unique_ptr<MqttSubscriber> subscriber = *MqttSubscriber::Start(url, "bench-gw", &ingest);
  const absl::Time connect_by = absl::Now() + absl::Seconds(10);
  while (subscriber->connections() == 0) {
    if (absl::Now() > connect_by) {
      std::fprintf(stderr, "no broker on port %d after 10 s\n", port);
      kill(broker, SIGTERM);
      std::_Exit(1);
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  absl::SleepFor(absl::Milliseconds(200));  // the subscription is in place

  // The consumer settles steps as they complete, as the run loop does.
  std::atomic<bool> done{false};
  std::atomic<int64_t> steps{0};
  std::thread consumer([&] {
    while (!done.load()) {
      if (feed->Next().ok()) ++steps;
    }
  });

  mosquitto_lib_init();
  struct mosquitto* pub = mosquitto_new("bench-pub", true, nullptr);
  mosquitto_max_inflight_messages_set(pub, 0);
  mosquitto_connect(pub, "127.0.0.1", port, 10);
  mosquitto_loop_start(pub);
  const absl::Time start = absl::Now();
  for (int64_t i = 0; i < n; ++i) {
    data::TelemetrySample s;
    // One sample a second of data time: a 60 s step settles every 60 samples.
    s.timestamp = t0 + absl::Seconds(i);
    s.source = "bench";
    s.sequence = i + 1;
    s.net_load_mw = 250.0 + static_cast<double>(i % 100) * 0.1;
    s.solar_mw = 10.0;
    const std::string payload = EncodeTelemetryJson(s);
    while (mosquitto_publish(pub, nullptr, "bench/telemetry", static_cast<int>(payload.size()),
                             payload.data(), 1, false) != MOSQ_ERR_SUCCESS) {
      absl::SleepFor(absl::Milliseconds(1));
    }
  }
  const absl::Time published = absl::Now();
  const absl::Time give_up = published + absl::Seconds(120);
  while (feed->Counts().accepted + feed->Counts().rejected[0] < n && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  const absl::Time accepted_at = absl::Now();
  const data::PublishedFeedCounts counts = feed->Counts();
  done = true;
  subscriber.reset();
  mosquitto_disconnect(pub);
  mosquitto_loop_stop(pub, false);
  mosquitto_destroy(pub);
  kill(broker, SIGTERM);
  waitpid(broker, nullptr, 0);
  std::remove(conf.c_str());
  // The consumer may be waiting on the last partial step: it settles on the silence timeout.
  consumer.detach();
  const double seconds = absl::ToDoubleSeconds(accepted_at - start);
  std::printf(
      "messages %lld  published in %.3f s  accepted %lld (settled %lld in %lld steps, pending "
      "%lld)  in %.3f s  =>  %.0f accepted/s\n",
      static_cast<long long>(n), absl::ToDoubleSeconds(published - start),
      static_cast<long long>(counts.accepted), static_cast<long long>(counts.settled),
      static_cast<long long>(steps.load()), static_cast<long long>(counts.pending), seconds,
      static_cast<double>(counts.accepted) / seconds);
  std::fflush(stdout);
  std::_Exit(counts.accepted == n ? 0 : 1);
}
