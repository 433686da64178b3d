#include "core/base/logging.h"

#include <cstdio>
#include <mutex>
#include <string>

#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace gridpilot::base {
namespace {

std::mutex& LogMutex() {
  static std::mutex mu;
  return mu;
}

std::string& Tag() {
  static std::string tag = "gridpilot";
  return tag;
}

const char* SeverityName(LogSeverity severity) {
  switch (severity) {
    case LogSeverity::kInfo: return "INFO";
    case LogSeverity::kWarning: return "WARN";
    case LogSeverity::kError: return "ERROR";
  }
  return "?";
}

}  // namespace

std::string EscapeForLog(absl::string_view message) {
  std::string out;
  out.reserve(message.size());
  for (const char c : message) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (byte < 0x20 || byte == 0x7f) {
          out += absl::StrFormat("\\x%02x", byte);
        } else {
          out += c;
        }
    }
  }
  return out;
}

void SetLogTag(absl::string_view tag) {
  std::lock_guard<std::mutex> lock(LogMutex());
  Tag() = std::string(tag);
}

void Log(LogSeverity severity, absl::string_view message) {
  // Log lines carry wall time on purpose: they are for the operator reading them now,
  // not an input to any decision (decisions take time from an injected Clock).
  const std::string stamp = absl::FormatTime("%H:%M:%E3S", absl::Now(), absl::UTCTimeZone());
  const std::string line = EscapeForLog(message);
  std::lock_guard<std::mutex> lock(LogMutex());
  std::fprintf(stderr, "%s %s %s: %.*s\n", stamp.c_str(), Tag().c_str(), SeverityName(severity),
               static_cast<int>(line.size()), line.data());
}

}  // namespace gridpilot::base
