#include "services/mcp/stdio_transport.h"

#include <string>
#include <thread>

#include "services/mcp/json_rpc.h"

namespace gridpilot::mcp {

StdioTransport::StdioTransport(const McpDispatcher* dispatcher, McpCaller caller, FILE* in,
                               FILE* out)
    : dispatcher_(dispatcher), in_(in), out_(out) {
  caller.session_id = "stdio";
  session_ = std::make_unique<McpSession>(
      std::move(caller), [this](const nlohmann::json& notification) { Write(notification); });
}

void StdioTransport::Write(const nlohmann::json& message) {
  const std::string line =
      message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  absl::MutexLock lock(&write_mutex_);
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

void StdioTransport::NotifyResourceUpdated(const std::string& uri) {
  McpDispatcher::NotifyResourceUpdated(uri, session_.get());
}

int StdioTransport::Run() {
  std::string line;
  bool too_long = false;
  for (;;) {
    const int c = std::fgetc(in_);
    if (c != EOF && c != '\n') {
      if (line.size() < kMaxMessageBytes) {
        line.push_back(static_cast<char>(c));
      } else {
        too_long = true;
      }
      continue;
    }
    if (too_long) {
      Write(ErrorReply(nullptr, kParseError, "message longer than the limit"));
    } else if (line.find_first_not_of(" \t\r") == std::string::npos) {
      // A blank line: nothing to answer.
    } else if (session_->protocol_version().empty()) {
      // Until initialize has succeeded, messages are handled in order on this thread, so a
      // request sent right after initialize (without waiting for its reply) sees the
      // session initialized rather than racing it.
      const nlohmann::json reply = dispatcher_->HandleText(line, session_.get());
      if (!reply.is_null()) Write(reply);
    } else {
      {
        absl::MutexLock lock(&flight_mutex_);
        auto room = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(flight_mutex_) {
          return in_flight_ < kMaxStdioRequestsInFlight;
        };
        flight_mutex_.Await(absl::Condition(&room));
        ++in_flight_;
      }
      std::thread([this, text = std::move(line)] {
        const nlohmann::json reply = dispatcher_->HandleText(text, session_.get());
        if (!reply.is_null()) Write(reply);
        absl::MutexLock lock(&flight_mutex_);
        --in_flight_;
      }).detach();
    }
    line.clear();
    too_long = false;
    if (c == EOF) break;
  }
  absl::MutexLock lock(&flight_mutex_);
  auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(flight_mutex_) { return in_flight_ == 0; };
  flight_mutex_.Await(absl::Condition(&idle));
  return 0;
}

}  // namespace gridpilot::mcp
