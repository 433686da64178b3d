#include "services/alerts/smtp_sink.h"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/base/status_macros.h"
#include "services/alerts/alert_format.h"

namespace gridpilot {
namespace {

// One SMTP connection; the socket is closed when it goes out of scope.
class SmtpConnection {
 public:
  SmtpConnection(std::string server, absl::Duration timeout)
      : server_(std::move(server)), timeout_(timeout) {}
  ~SmtpConnection() {
    if (fd_ >= 0) close(fd_);
  }

  absl::Status Connect(const std::string& host, int port) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* addresses = nullptr;
    const std::string port_text = absl::StrCat(port);
    if (int rc = getaddrinfo(host.c_str(), port_text.c_str(), &hints, &addresses); rc != 0) {
      return absl::UnavailableError(absl::StrCat(server_, ": ", gai_strerror(rc)));
    }
    std::string last_error = "no address";
    for (addrinfo* a = addresses; a != nullptr; a = a->ai_next) {
      const int fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
      if (fd < 0) continue;
      timeval tv{};
      const int64_t us = absl::ToInt64Microseconds(timeout_);
      tv.tv_sec = us / 1000000;
      tv.tv_usec = us % 1000000;
      // On Linux SO_SNDTIMEO also bounds connect().
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
      setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
      if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
        fd_ = fd;
        break;
      }
      last_error = std::strerror(errno);
      close(fd);
    }
    freeaddrinfo(addresses);
    if (fd_ < 0) return absl::UnavailableError(absl::StrCat(server_, ": connect: ", last_error));
    return absl::OkStatus();
  }

  // Sends `line` (without CRLF; empty = nothing sent) and reads the reply, which must have
  // code `expected` (e.g. 250). `what` names the step in errors.
  absl::Status Command(const std::string& line, int expected, const std::string& what) {
    if (!line.empty()) RETURN_IF_ERROR(Send(absl::StrCat(line, "\r\n"), what));
    int code = 0;
    std::string reply;
    if (absl::Status s = ReadReply(&code, &reply, what); !s.ok()) return s;
    if (code == expected) return absl::OkStatus();
    const std::string message =
        absl::StrCat(server_, ": ", what, ": the server replied \"", reply, "\"");
    if (code >= 400 && code < 500) return absl::UnavailableError(message);
    return absl::FailedPreconditionError(message);
  }

  absl::Status Send(const std::string& data, const std::string& what) {
    size_t sent = 0;
    while (sent < data.size()) {
      const ssize_t n = send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        return absl::UnavailableError(
            absl::StrCat(server_, ": ", what, ": send: ", std::strerror(errno)));
      }
      sent += static_cast<size_t>(n);
    }
    return absl::OkStatus();
  }

 private:
  // One reply: lines "NNN-text" then "NNN text". Replies longer than 64 kB are an error.
  absl::Status ReadReply(int* code, std::string* reply, const std::string& what) {
    reply->clear();
    while (true) {
      std::string line;
      RETURN_IF_ERROR(ReadLine(&line, what));
      if (line.size() < 3 || !std::isdigit(line[0]) || !std::isdigit(line[1]) ||
          !std::isdigit(line[2])) {
        return absl::UnavailableError(
            absl::StrCat(server_, ": ", what, ": not an SMTP reply: \"", line, "\""));
      }
      if (!reply->empty()) reply->append(" / ");
      reply->append(line);
      if (reply->size() > 65536) {
        return absl::UnavailableError(absl::StrCat(server_, ": ", what, ": reply too long"));
      }
      if (line.size() == 3 || line[3] != '-') {
        *code = std::stoi(line.substr(0, 3));
        return absl::OkStatus();
      }
    }
  }

  absl::Status ReadLine(std::string* line, const std::string& what) {
    while (true) {
      if (const size_t end = buffer_.find("\r\n"); end != std::string::npos) {
        *line = buffer_.substr(0, end);
        buffer_.erase(0, end + 2);
        return absl::OkStatus();
      }
      if (buffer_.size() > 65536) {
        return absl::UnavailableError(absl::StrCat(server_, ": ", what, ": reply line too long"));
      }
      char chunk[4096];
      const ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        return absl::DeadlineExceededError(
            absl::StrCat(server_, ": ", what, ": no reply within the timeout"));
      }
      if (n <= 0) {
        return absl::UnavailableError(absl::StrCat(server_, ": ", what, ": the connection closed"));
      }
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

  const std::string server_;
  const absl::Duration timeout_;
  int fd_ = -1;
  std::string buffer_;
};

}  // namespace

std::string SmtpMessage(const EmailConfig& config, const alerts::AlertNotice& notice) {
  std::string message = absl::StrCat(
      "From: <", config.from, ">\r\n", "To: ",
      absl::StrJoin(
          config.to, ", ",
          [](std::string* out, const std::string& to) { absl::StrAppend(out, "<", to, ">"); }),
      "\r\n", "Subject: ", AlertEmailSubject(notice), "\r\n", "MIME-Version: 1.0\r\n",
      "Content-Type: text/plain; charset=utf-8\r\n", "\r\n");
  for (absl::string_view line : absl::StrSplit(AlertEmailBody(notice), '\n')) {
    if (!line.empty() && line[0] == '.') message.push_back('.');
    absl::StrAppend(&message, line, "\r\n");
  }
  return message;
}

absl::Status SmtpSink::Deliver(const alerts::AlertNotice& notice) {
  const std::string server = absl::StrCat("smtp://", config_.smtp_host, ":", config_.smtp_port);
  SmtpConnection smtp(server, config_.delivery.timeout);
  RETURN_IF_ERROR(smtp.Connect(config_.smtp_host, config_.smtp_port));
  RETURN_IF_ERROR(smtp.Command("", 220, "greeting"));
  RETURN_IF_ERROR(smtp.Command("EHLO gridpilot-alerter", 250, "EHLO"));
  RETURN_IF_ERROR(smtp.Command(absl::StrCat("MAIL FROM:<", config_.from, ">"), 250, "MAIL FROM"));
  for (const std::string& to : config_.to) {
    RETURN_IF_ERROR(smtp.Command(absl::StrCat("RCPT TO:<", to, ">"), 250, "RCPT TO"));
  }
  RETURN_IF_ERROR(smtp.Command("DATA", 354, "DATA"));
  RETURN_IF_ERROR(smtp.Send(SmtpMessage(config_, notice), "message"));
  RETURN_IF_ERROR(smtp.Command(".", 250, "end of message"));
  // The message is accepted; a failed QUIT does not undo that.
  smtp.Command("QUIT", 221, "QUIT").IgnoreError();
  return absl::OkStatus();
}

}  // namespace gridpilot
