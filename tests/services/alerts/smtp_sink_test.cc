// SmtpSink against a scripted SMTP server on a free loopback port: the session it speaks,
// the message it sends, and which failures it reports as worth a retry.
#include "services/alerts/smtp_sink.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using Replies = std::map<std::string, std::string>;  // command prefix -> reply line

// Serves one SMTP session: "220" first, then for each command line the reply whose key
// starts it ("250" by default; "354" for DATA), and "250" after the message's ".".
class ScriptedSmtpServer {
 public:
  explicit ScriptedSmtpServer(Replies replies) : replies_(std::move(replies)) {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    listen(listener_, 1);
    socklen_t length = sizeof(address);
    getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~ScriptedSmtpServer() {
    thread_.join();
    close(listener_);
  }

  int port() const { return port_; }
  // Valid after the session (the sink's Deliver returned).
  const std::vector<std::string>& commands() const { return commands_; }
  const std::string& message() const { return message_; }

 private:
  void Serve() {
    const int fd = accept(listener_, nullptr, nullptr);
    if (fd < 0) return;
    Write(fd, "220 scripted ESMTP");
    std::string buffer;
    bool in_data = false;
    char chunk[4096];
    while (true) {
      const size_t end = buffer.find("\r\n");
      if (end == std::string::npos) {
        const ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
        if (n <= 0) break;
        buffer.append(chunk, static_cast<size_t>(n));
        continue;
      }
      const std::string line = buffer.substr(0, end);
      buffer.erase(0, end + 2);
      if (in_data) {
        if (line == ".") {
          in_data = false;
          Write(fd, Reply(".", "250 queued"));
        } else {
          message_ += line + "\r\n";
        }
        continue;
      }
      commands_.push_back(line);
      if (line == "DATA") {
        const std::string reply = Reply("DATA", "354 go ahead");
        Write(fd, reply);
        in_data = absl::StartsWith(reply, "354");
      } else if (line == "QUIT") {
        Write(fd, "221 bye");
        break;
      } else {
        Write(fd, Reply(line, "250 ok"));
      }
    }
    close(fd);
  }
  std::string Reply(const std::string& line, const std::string& otherwise) const {
    for (const auto& [prefix, reply] : replies_) {
      if (absl::StartsWith(line, prefix)) return reply;
    }
    return otherwise;
  }
  static void Write(int fd, const std::string& reply) {
    const std::string data = reply + "\r\n";
    send(fd, data.data(), data.size(), MSG_NOSIGNAL);
  }

  const Replies replies_;
  int listener_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::vector<std::string> commands_;
  std::string message_;
};

EmailConfig Config(int port) {
  EmailConfig config;
  config.smtp_port = port;
  config.from = "gridpilot@localhost";
  config.to = {"ops@localhost", "oncall@localhost"};
  config.delivery.timeout = absl::Seconds(10);
  return config;
}

alerts::AlertNotice Notice() {
  alerts::AlertNotice notice;
  notice.rule = "penalty";
  notice.kind = alerts::AlertRuleKind::kInstabilityPenalty;
  notice.key = "region";
  notice.at = absl::FromUnixSeconds(1678248000);
  notice.summary = "instability penalty GBP 120.00 in the hour";
  return notice;
}

TEST(SmtpSinkTest, SpeaksOneSessionPerAlert) {
  ScriptedSmtpServer server(Replies{});
  SmtpSink sink(Config(server.port()));
  ASSERT_TRUE(sink.Deliver(Notice()).ok());
  EXPECT_THAT(server.commands(),
              ElementsAre("EHLO gridpilot-alerter", "MAIL FROM:<gridpilot@localhost>",
                          "RCPT TO:<ops@localhost>", "RCPT TO:<oncall@localhost>", "DATA", "QUIT"));
  EXPECT_THAT(server.message(), HasSubstr("Subject: [gridpilot] FIRING penalty (region)\r\n"));
  EXPECT_THAT(server.message(), HasSubstr("instability penalty GBP 120.00 in the hour\r\n"));
}

TEST(SmtpSinkTest, TransientRepliesAreRetryablePermanentOnesAreNot) {
  {
    const Replies replies = {{"RCPT", "451 try again later"}};
    ScriptedSmtpServer server(replies);
    const absl::Status status = SmtpSink(Config(server.port())).Deliver(Notice());
    EXPECT_TRUE(absl::IsUnavailable(status)) << status;
    EXPECT_THAT(status.message(), HasSubstr("RCPT TO: the server replied \"451 try again later\""));
  }
  {
    const Replies replies = {{"MAIL", "550 no such sender"}};
    ScriptedSmtpServer server(replies);
    const absl::Status status = SmtpSink(Config(server.port())).Deliver(Notice());
    EXPECT_TRUE(absl::IsFailedPrecondition(status)) << status;
    EXPECT_THAT(status.message(), HasSubstr("MAIL FROM"));
  }
  {
    const Replies replies = {{".", "554 rejected"}};
    ScriptedSmtpServer server(replies);
    EXPECT_TRUE(absl::IsFailedPrecondition(SmtpSink(Config(server.port())).Deliver(Notice())));
  }
}

TEST(SmtpSinkTest, NoServerIsUnavailable) {
  int port = 0;
  {
    ScriptedSmtpServer server(Replies{});  // accepts one session, then the port is closed
    port = server.port();
    EXPECT_TRUE(SmtpSink(Config(port)).Deliver(Notice()).ok());
  }
  const absl::Status status = SmtpSink(Config(port)).Deliver(Notice());
  EXPECT_TRUE(absl::IsUnavailable(status)) << status;
  EXPECT_THAT(status.message(), HasSubstr("connect"));
}

}  // namespace
}  // namespace gridpilot
