// `gridpilot publish`: replays the shipped data as live telemetry messages, so a gateway
// started with --telemetry runs on "live" data. Each half-hour's region values (GB x the
// default region scale, as the gateway's own replay) are sent as one sample every
// --sample_seconds of data time, stamped inside the half-hour, so the mean the gateway
// settles for each half-hour is the shipped value. Sent on the wall clock at --speed
// (e.g. 60x: a data minute a wall second; "max": as fast as the path takes them).
#ifndef GRIDPILOT_SERVICES_CLI_PUBLISH_COMMAND_H_
#define GRIDPILOT_SERVICES_CLI_PUBLISH_COMMAND_H_

#include <map>
#include <string>

namespace gridpilot {

// Options (keys without "--"):
//   to             mqtt://HOST[:PORT]/TOPIC (JSON, QoS 1) or grpc://HOST:PORT
//                  (TelemetryService.Publish); required
//   from           first instant sent (UTC date or timestamp); required
//   until          end (exclusive; a date means its end); default from + 1 day
//   speed          "60x" (data seconds per wall second) or "max"; default 60x
//   sample_seconds data seconds between samples, divides 1800; default 60
//   source         the meter id stamped on every sample; default gridpilot-publish
//   first_seq      sequence number of the first sample; default 1
//   inject_step    "TIMESTAMP,MW,MINUTES": net load raised by MW for MINUTES from then
//   demand_csv, price_csv   the data (default the shipped files)
//   credentials, run_dir, role   grpc:// to a stack with credentials (role default telemetry)
// Prints one JSON line on stdout: {"sent": n, "acknowledged": n, "retries": n, ...}; for
// grpc:// also the gateway's counts. MQTT: a publish refused while the broker is away is
// retried (same sequence number) every 100 ms for up to 60 s.
// Returns 0 when every sample was sent, 1 on a data, network or refusal error, 2 on bad
// arguments.
int RunPublishCommand(const std::map<std::string, std::string>& options);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CLI_PUBLISH_COMMAND_H_
