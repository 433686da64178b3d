// Conversions between absl time types and google.protobuf.Timestamp / Duration.
#ifndef GRIDPILOT_SERVICES_COMMON_PROTO_TIME_H_
#define GRIDPILOT_SERVICES_COMMON_PROTO_TIME_H_

#include <google/protobuf/duration.pb.h>
#include <google/protobuf/timestamp.pb.h>

#include "absl/time/time.h"

namespace gridpilot {

google::protobuf::Timestamp ToProtoTime(absl::Time t);
absl::Time FromProtoTime(const google::protobuf::Timestamp& t);
google::protobuf::Duration ToProtoDuration(absl::Duration d);
absl::Duration FromProtoDuration(const google::protobuf::Duration& d);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_COMMON_PROTO_TIME_H_
