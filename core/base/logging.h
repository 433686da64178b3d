// The project's one logger: timestamped lines on stderr, tagged with the process name.
// Thread-safe. Abseil 20220623 has no absl/log, so this is deliberately small.
#ifndef GRIDPILOT_CORE_BASE_LOGGING_H_
#define GRIDPILOT_CORE_BASE_LOGGING_H_

#include <string>

#include "absl/strings/string_view.h"

namespace gridpilot::base {

enum class LogSeverity { kInfo, kWarning, kError };

// Sets the tag printed on every line (for example "gateway"). Call once from main.
void SetLogTag(absl::string_view tag);

// `message` made safe for one log line: a backslash becomes \\, a newline \n, a carriage
// return \r, a tab \t, and any other control byte (below 0x20, or 0x7f) \xNN. Other
// bytes, UTF-8 included, pass unchanged. A caller-supplied string (an agent name, a
// reason) can then neither forge a line nor hide one.
std::string EscapeForLog(absl::string_view message);

// Writes one line to stderr: "<wall time> <tag> <severity>: <message>", the message
// passed through EscapeForLog.
void Log(LogSeverity severity, absl::string_view message);

inline void LogInfo(absl::string_view message) { Log(LogSeverity::kInfo, message); }
inline void LogWarning(absl::string_view message) { Log(LogSeverity::kWarning, message); }
inline void LogError(absl::string_view message) { Log(LogSeverity::kError, message); }

}  // namespace gridpilot::base

#endif  // GRIDPILOT_CORE_BASE_LOGGING_H_
