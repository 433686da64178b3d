// The project's one logger: timestamped lines on stderr, tagged with the process name.
// Thread-safe. Abseil 20220623 has no absl/log, so this is deliberately small.
#ifndef GRIDPILOT_CORE_BASE_LOGGING_H_
#define GRIDPILOT_CORE_BASE_LOGGING_H_

#include "absl/strings/string_view.h"

namespace gridpilot::base {

enum class LogSeverity { kInfo, kWarning, kError };

// Sets the tag printed on every line (for example "gateway"). Call once from main.
void SetLogTag(absl::string_view tag);

// Writes one line to stderr: "<wall time> <tag> <severity>: <message>".
void Log(LogSeverity severity, absl::string_view message);

inline void LogInfo(absl::string_view message) { Log(LogSeverity::kInfo, message); }
inline void LogWarning(absl::string_view message) { Log(LogSeverity::kWarning, message); }
inline void LogError(absl::string_view message) { Log(LogSeverity::kError, message); }

}  // namespace gridpilot::base

#endif  // GRIDPILOT_CORE_BASE_LOGGING_H_
