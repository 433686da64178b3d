// mqtt_ingest_bench: live telemetry messages per second the gateway's MQTT path accepts and
// stores, with a real broker on loopback. Starts Debian's mosquitto on a free port, the
// gateway's MqttSubscriber + TelemetryIngest + PublishedFeed (+ TelemetrySampleRecorder into
// a store) in this process, and P libmosquitto publishers (one thread and one connection
// each, one meter id each) sending N JSON samples in all as fast as the broker takes them.
// It prints the publishers' rate (N over the time until the broker acknowledged the last
// QoS 1 message), the accepted rate (N over the time to the N-th accepted sample), the
// store's write rate (rows over the time to the last row written), and the CPU seconds of
// the broker and of each thread of this process, so the share of each is visible.
//
// Usage: mqtt_ingest_bench [N] [--publishers P] [--qos 0|1] [--no-subscriber]
//                          [--threaded-publishers] [--max-unacked U] [--batch-wait-ms W]
//                          [--broker-option "LINE"]...
//                          [--store PATH|postgresql://URL] [--rows-per-insert R] [--store-only]
// N defaults to 200000, P to 1. By default each publisher writes on its own sending thread
// and reads its acknowledgements every 64 messages; --threaded-publishers uses libmosquitto's
// network thread instead (a wake-up and a write per message). A publisher without a network
// thread waits for acknowledgements while U (default 256; 0 = no limit) of its messages are
// unacknowledged: libmosquitto walks its whole list of unacknowledged messages on every
// acknowledgement, so a long list costs the publisher CPU per message. --no-subscriber measures the
// publishers and the broker alone (the broker's share). --store writes every accepted sample to
// that store (a SQLite file or a PostgreSQL URL; --rows-per-insert sets PostgreSQL's rows per
// INSERT; --batch-wait-ms the sample recorder's max_batch_wait, default its own, 5 ms).
// --broker-option adds a line to the broker's mosquitto.conf (e.g. "set_tcp_nodelay true").
#include <dirent.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/base/clock.h"
#include "core/base/time_util.h"
#include "core/data/published_feed.h"
#include "services/gateway/mqtt_subscriber.h"
#include "services/gateway/postgres_store.h"
#include "services/gateway/store_open.h"
#include "services/gateway/telemetry_ingest.h"
#include "services/gateway/telemetry_json.h"
#include "services/gateway/telemetry_sample_recorder.h"

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

// User + system CPU seconds of /proc/<path>/stat (a process or a task).
double CpuSeconds(const std::string& stat_path) {
  std::ifstream in(stat_path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t paren = text.rfind(')');
  if (paren == std::string::npos) return 0.0;
  std::istringstream fields(text.substr(paren + 2));
  std::string field;
  double ticks = 0.0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::atof(field.c_str());
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::set<int> Tasks() {
  std::set<int> out;
  DIR* dir = opendir("/proc/self/task");
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] != '.') out.insert(std::atoi(e->d_name));
  }
  closedir(dir);
  return out;
}

// Names the threads that appeared since `before` as `name`.
void NameNewTasks(const std::set<int>& before, const std::string& name,
                  std::map<int, std::string>* names) {
  for (int tid : Tasks()) {
    if (!before.count(tid) && !names->count(tid)) (*names)[tid] = name;
  }
}

struct Publisher {
  struct mosquitto* client = nullptr;
  std::atomic<int64_t> acknowledged{0};
  std::atomic<bool> connected{false};
};

void OnPublished(struct mosquitto*, void* self, int) {
  ++static_cast<Publisher*>(self)->acknowledged;
}

void OnPublisherConnected(struct mosquitto*, void* self, int result) {
  if (result == 0) static_cast<Publisher*>(self)->connected = true;
}

// How often a publisher without a network thread reads its acknowledgements.
constexpr int kMessagesPerRead = 64;

}  // namespace

int main(int argc, char** argv) {
  using namespace gridpilot;
  int64_t n = 200000;
  int publishers = 1;
  int qos = 1;
  bool subscribe = true;
  bool threaded_publishers = false;
  bool store_only = false;
  std::string store_name;
  int rows_per_insert = PostgresStore::kMaxSampleRowsPerInsert;
  int64_t max_unacked = 256;
  int batch_wait_ms = -1;  // the recorder's default
  std::vector<std::string> broker_options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--publishers" && has_value) {
      publishers = std::atoi(argv[++i]);
    } else if (arg == "--qos" && has_value) {
      qos = std::atoi(argv[++i]);
    } else if (arg == "--store-only") {
      store_only = true;
    } else if (arg == "--threaded-publishers") {
      threaded_publishers = true;
    } else if (arg == "--broker-option" && has_value) {
      broker_options.push_back(argv[++i]);
    } else if (arg == "--batch-wait-ms" && has_value) {
      batch_wait_ms = std::atoi(argv[++i]);
    } else if (arg == "--max-unacked" && has_value) {
      max_unacked = std::atoll(argv[++i]);
    } else if (arg == "--no-subscriber") {
      subscribe = false;
    } else if (arg == "--store" && has_value) {
      store_name = argv[++i];
    } else if (arg == "--rows-per-insert" && has_value) {
      rows_per_insert = std::atoi(argv[++i]);
    } else if (!arg.empty() && arg[0] != '-') {
      n = std::atoll(arg.c_str());
    } else {
      std::fprintf(stderr, "unknown argument %s\n", arg.c_str());
      return 2;
    }
  }
  if (store_only && store_name.empty()) {
    std::fprintf(stderr, "--store-only needs --store\n");
    return 2;
  }
  if (n <= 0 || n > 10'000'000 || publishers < 1 || publishers > 64 || (qos != 0 && qos != 1) ||
      max_unacked < 0 || max_unacked > 1'000'000) {
    std::fprintf(stderr,
                 "N must be 1..10000000, --publishers 1..64, --qos 0 or 1, "
                 "--max-unacked 0..1000000\n");
    return 2;
  }
  // The ingest alone, no network: decode and accept N payloads on this thread.
  double ingest_alone_per_s = 0.0;
  {
    base::SystemClock wall;
    const absl::Time start_of_data = *base::ParseUtcTimestamp("2023-06-01T00:00:00Z");
    data::PublishedFeedConfig alone;
    alone.first_step_start = start_of_data;
    alone.end = start_of_data + absl::Hours(24 * 400);
    alone.step = absl::Seconds(60);
    alone.silence_timeout = absl::Seconds(60);
    alone.validator.sources = {"bench-0"};
    alone.validator.max_ahead = absl::Hours(24);
    std::unique_ptr<data::PublishedFeed> alone_feed = *data::PublishedFeed::Create(alone, &wall);
    TelemetryIngest alone_ingest(alone_feed.get(), &wall);
    std::vector<std::string> payloads;
    payloads.reserve(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      data::TelemetrySample s;
      // 4 ms apart: nothing settles here, so every stamp stays within max_ahead (24 h).
      s.timestamp = start_of_data + absl::Milliseconds(4 * i);
      s.source = "bench-0";
      s.sequence = i + 1;
      s.net_load_mw = 250.0 + static_cast<double>(i % 100) * 0.1;
      s.solar_mw = 10.0;
      payloads.push_back(EncodeTelemetryJson(s));
    }
    timespec before{}, after{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &before);
    for (const std::string& payload : payloads) {
      auto decoded = DecodeTelemetryJson(payload);
      alone_ingest.Accept(IngestPath::kMqtt, std::get<data::TelemetrySample>(decoded));
    }
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &after);
    const double cpu_s = static_cast<double>(after.tv_sec - before.tv_sec) +
                         static_cast<double>(after.tv_nsec - before.tv_nsec) / 1e9;
    ingest_alone_per_s = static_cast<double>(alone_feed->Counts().accepted) / cpu_s;
  }
  const int port = FreePort();
  const std::string conf = "/tmp/mqtt_ingest_bench." + std::to_string(getpid()) + ".conf";
  {
    FILE* f = std::fopen(conf.c_str(), "w");
    // No limit on queued messages; mosquitto's default of 20 QoS 1 messages in flight to
    // the subscriber (docs/decisions.md, "MQTT ingest rate").
    std::fprintf(
        f, "listener %d 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\nlog_type error\n",
        port);
    for (const std::string& line : broker_options) std::fprintf(f, "%s\n", line.c_str());
    std::fclose(f);
  }
  const pid_t broker = fork();
  if (broker == 0) {
    execl("/usr/sbin/mosquitto", "mosquitto", "-c", conf.c_str(), nullptr);
    _exit(127);
  }
  absl::SleepFor(absl::Milliseconds(300));
  std::map<int, std::string> thread_names;
  thread_names[static_cast<int>(syscall(SYS_gettid))] = "main (publish calls)";

  base::SystemClock clock;
  const absl::Time t0 = *base::ParseUtcTimestamp("2023-06-01T00:00:00Z");
  std::unique_ptr<Store> store;
  if (!store_name.empty()) {
    absl::StatusOr<std::unique_ptr<Store>> opened = OpenStore(store_name);
    if (!opened.ok()) {
      std::fprintf(stderr, "%s\n", std::string(opened.status().message()).c_str());
      kill(broker, SIGTERM);
      return 1;
    }
    store = *std::move(opened);
    if (auto* pg = dynamic_cast<PostgresStore*>(store.get())) {
      pg->set_sample_rows_per_insert(rows_per_insert);
    }
    if (!store->BeginRun(t0, t0 + absl::Hours(24 * 400), "{\"bench\":\"mqtt_ingest\"}").ok()) {
      std::fprintf(stderr, "BeginRun failed\n");
      kill(broker, SIGTERM);
      return 1;
    }
  }
  data::PublishedFeedConfig config;
  config.first_step_start = t0;
  config.end = t0 + absl::Hours(24 * 400);
  config.step = absl::Seconds(60);
  config.silence_timeout = absl::Seconds(60);
  for (int p = 0; p < publishers; ++p)
    config.validator.sources.push_back(absl::StrCat("bench-", p));
  config.validator.max_ahead = absl::Hours(24);
  std::unique_ptr<data::PublishedFeed> feed = *data::PublishedFeed::Create(config, &clock);
  std::unique_ptr<TelemetrySampleRecorder> recorder;
  std::set<int> before = Tasks();
  if (store != nullptr) {
    TelemetrySampleRecorderOptions options;
    options.max_queued_samples = 10'000'000;  // the bench measures the write rate, not drops
    if (batch_wait_ms >= 0) options.max_batch_wait = absl::Milliseconds(batch_wait_ms);
    recorder = std::make_unique<TelemetrySampleRecorder>(store.get(), &clock, options);
    NameNewTasks(before, "sample recorder (store writes)", &thread_names);
  }
  if (store_only) {
    // The store alone: N samples offered at once, timed until the last row is written.
    const absl::Time offered_at = absl::Now();
    for (int64_t i = 0; i < n; ++i) {
      StoredTelemetrySample s;
      s.sample.timestamp = t0 + absl::Seconds(i);
      s.sample.source = "bench-0";
      s.sample.sequence = i + 1;
      s.sample.net_load_mw = 250.0 + static_cast<double>(i % 100) * 0.1;
      s.sample.solar_mw = 10.0;
      s.received_at = offered_at;
      recorder->Offer(std::move(s));
    }
    recorder->WaitUntilWritten();
    const double seconds = absl::ToDoubleSeconds(absl::Now() - offered_at);
    const TelemetrySampleRecorderCounts written = recorder->Counts();
    recorder.reset();
    store->Flush().IgnoreError();
    const double with_commit = absl::ToDoubleSeconds(absl::Now() - offered_at);
    std::printf(
        "store alone: %lld rows in %lld batches in %.3f s (%.3f s with the commit)  =>  "
        "%.0f rows/s  (%s)\n",
        static_cast<long long>(written.written), static_cast<long long>(written.batches), seconds,
        with_commit, static_cast<double>(written.written) / with_commit,
        store_name.rfind("postgres", 0) == 0
            ? absl::StrCat("postgresql, ", rows_per_insert, " rows per INSERT").c_str()
            : "sqlite");
    store.reset();
    kill(broker, SIGTERM);
    waitpid(broker, nullptr, 0);
    std::remove(conf.c_str());
    return written.written == n ? 0 : 1;
  }
  TelemetryIngest ingest(feed.get(), &clock, recorder.get());
  std::unique_ptr<MqttSubscriber> subscriber;
  if (subscribe) {
    before = Tasks();
    MqttUrl url{.host = "127.0.0.1", .port = port, .topic = "bench/telemetry"};
    subscriber = *MqttSubscriber::Start(url, "bench-gw", &ingest);
    NameNewTasks(before, "subscriber (network, decode, validate)", &thread_names);
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
  }

  // The consumer settles steps as they complete, as the run loop does.
  std::atomic<bool> done{false};
  std::atomic<int64_t> steps{0};
  before = Tasks();
  std::thread consumer([&] {
    while (!done.load()) {
      if (feed->Next().ok()) ++steps;
    }
  });
  absl::SleepFor(absl::Milliseconds(20));
  NameNewTasks(before, "consumer (settles steps)", &thread_names);

  mosquitto_lib_init();
  std::vector<std::unique_ptr<Publisher>> pubs;
  before = Tasks();
  for (int p = 0; p < publishers; ++p) {
    auto pub = std::make_unique<Publisher>();
    pub->client = mosquitto_new(absl::StrCat("bench-pub-", p).c_str(), true, pub.get());
    mosquitto_max_inflight_messages_set(pub->client, 0);
    mosquitto_publish_callback_set(pub->client, &OnPublished);
    mosquitto_connect_callback_set(pub->client, &OnPublisherConnected);
    mosquitto_connect(pub->client, "127.0.0.1", port, 10);
    if (threaded_publishers) {
      mosquitto_loop_start(pub->client);
    } else {
      while (!pub->connected.load()) mosquitto_loop(pub->client, 10, 1);
    }
    pubs.push_back(std::move(pub));
  }
  absl::SleepFor(absl::Milliseconds(200));
  NameNewTasks(before, "publishers' network threads", &thread_names);
  // Each publisher sends its share from its own thread, as a meter of its own.
  const absl::Time start = absl::Now();
  std::vector<std::thread> senders;
  std::atomic<int64_t> sender_cpu_us{0};
  before = Tasks();
  for (int p = 0; p < publishers; ++p) {
    senders.emplace_back([&, p] {
      const int64_t share = n / publishers + (p < n % publishers ? 1 : 0);
      const std::string source = absl::StrCat("bench-", p);
      for (int64_t i = 0; i < share; ++i) {
        data::TelemetrySample s;
        // One sample a second of data time per meter: a 60 s step settles every 60.
        s.timestamp = t0 + absl::Seconds(i);
        s.source = source;
        s.sequence = i + 1;
        s.net_load_mw = 250.0 + static_cast<double>(i % 100) * 0.1;
        s.solar_mw = 10.0;
        const std::string payload = EncodeTelemetryJson(s);
        while (mosquitto_publish(pubs[p]->client, nullptr, "bench/telemetry",
                                 static_cast<int>(payload.size()), payload.data(), qos,
                                 false) != MOSQ_ERR_SUCCESS) {
          absl::SleepFor(absl::Milliseconds(1));
        }
        // Without a network thread, mosquitto_publish writes on this thread; the
        // acknowledgements are read here in bulk.
        if (!threaded_publishers && i % kMessagesPerRead == kMessagesPerRead - 1) {
          mosquitto_loop(pubs[p]->client, 0, 1);
        }
        while (!threaded_publishers && qos == 1 && max_unacked > 0 &&
               i + 1 - pubs[p]->acknowledged.load() >= max_unacked) {
          mosquitto_loop(pubs[p]->client, 1, 1);
        }
      }
      while (!threaded_publishers && pubs[p]->acknowledged.load() < share) {
        mosquitto_loop(pubs[p]->client, 100, 1);
        if (qos == 0) break;
      }
      timespec cpu{};
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
      sender_cpu_us += static_cast<int64_t>(cpu.tv_sec) * 1'000'000 + cpu.tv_nsec / 1000;
    });
  }
  for (std::thread& t : senders) t.join();
  const absl::Time give_up = absl::Now() + absl::Seconds(120);
  auto acknowledged = [&] {
    int64_t sum = 0;
    for (const auto& pub : pubs) sum += pub->acknowledged.load();
    return sum;
  };
  while (qos == 1 && acknowledged() < n && absl::Now() < give_up) {
    absl::SleepFor(absl::Microseconds(200));
  }
  const absl::Time published = absl::Now();
  absl::Time accepted_at = published;
  if (subscribe) {
    while (feed->Counts().accepted + feed->Counts().rejected[0] < n && absl::Now() < give_up) {
      absl::SleepFor(absl::Microseconds(200));
    }
    accepted_at = absl::Now();
  }
  absl::Time stored_at = accepted_at;
  if (recorder != nullptr) {
    recorder->WaitUntilWritten();
    stored_at = absl::Now();
  }
  const double broker_cpu = CpuSeconds(absl::StrCat("/proc/", broker, "/stat"));
  std::map<std::string, double> thread_cpu;
  for (int tid : Tasks()) {
    const auto name = thread_names.find(tid);
    thread_cpu[name == thread_names.end() ? "other" : name->second] +=
        CpuSeconds(absl::StrCat("/proc/self/task/", tid, "/stat"));
  }
  const data::PublishedFeedCounts counts = feed->Counts();
  const TelemetrySampleRecorderCounts stored =
      recorder != nullptr ? recorder->Counts() : TelemetrySampleRecorderCounts{};
  done = true;
  subscriber.reset();
  for (auto& pub : pubs) {
    mosquitto_disconnect(pub->client);
    if (threaded_publishers) mosquitto_loop_stop(pub->client, false);
    mosquitto_destroy(pub->client);
  }
  kill(broker, SIGTERM);
  waitpid(broker, nullptr, 0);
  std::remove(conf.c_str());
  // The consumer may be waiting on the last partial step: it settles on the silence timeout.
  consumer.detach();
  const double publish_s = absl::ToDoubleSeconds(published - start);
  std::printf(
      "messages %lld  publishers %d  qos %d  max unacked %lld  published (acknowledged) in %.3f s"
      "  =>  %.0f published/s\n",
      static_cast<long long>(n), publishers, qos, static_cast<long long>(max_unacked), publish_s,
      static_cast<double>(n) / publish_s);
  if (subscribe) {
    const double accept_s = absl::ToDoubleSeconds(accepted_at - start);
    std::printf(
        "accepted %lld (settled %lld in %lld steps, late %lld, pending %lld) in %.3f s  "
        "=>  %.0f accepted/s\n",
        static_cast<long long>(counts.accepted), static_cast<long long>(counts.settled),
        static_cast<long long>(steps.load()), static_cast<long long>(counts.late),
        static_cast<long long>(counts.pending), accept_s,
        static_cast<double>(counts.accepted) / accept_s);
  } else {
    std::printf("no subscriber: publishers and broker only\n");
  }
  if (recorder != nullptr) {
    const double store_s = absl::ToDoubleSeconds(stored_at - start);
    std::printf(
        "stored %lld rows in %lld batches (dropped %lld, failed %lld) in %.3f s  =>  %.0f "
        "rows/s  (%s)\n",
        static_cast<long long>(stored.written), static_cast<long long>(stored.batches),
        static_cast<long long>(stored.dropped), static_cast<long long>(stored.failed), store_s,
        static_cast<double>(stored.written) / store_s,
        store_name.rfind("postgres", 0) == 0
            ? absl::StrCat("postgresql, ", rows_per_insert, " rows per INSERT").c_str()
            : "sqlite");
  }
  std::printf(
      "ingest alone (decode + validate + accept, one thread, no network): %.0f "
      "messages per CPU second\n",
      ingest_alone_per_s);
  std::printf("cpu seconds: broker %.2f, publishers' sending threads %.2f", broker_cpu,
              static_cast<double>(sender_cpu_us.load()) / 1e6);
  for (const auto& [name, seconds] : thread_cpu) std::printf(", %s %.2f", name.c_str(), seconds);
  std::printf("\n");
  std::fflush(stdout);
  recorder.reset();
  if (store != nullptr) {
    store->Flush().IgnoreError();
    store.reset();
  }
  const bool ok = (!subscribe || counts.accepted == n) &&
                  (recorder == nullptr || stored.written == counts.accepted);
  std::_Exit(ok ? 0 : 1);
}
