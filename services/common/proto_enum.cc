#include "services/common/proto_enum.h"

#include <google/protobuf/descriptor.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace gridpilot {
namespace {

// "ANOMALY_KIND_" from the zero value "ANOMALY_KIND_UNSPECIFIED"; "" if it is named otherwise.
absl::string_view Prefix(const google::protobuf::EnumDescriptor& descriptor) {
  const google::protobuf::EnumValueDescriptor* zero = descriptor.FindValueByNumber(0);
  if (zero == nullptr) return "";
  absl::string_view name = zero->name();
  if (!absl::ConsumeSuffix(&name, "UNSPECIFIED")) return "";
  return name;
}

}  // namespace

std::string EnumValueShortName(const google::protobuf::EnumDescriptor& descriptor, int number) {
  const google::protobuf::EnumValueDescriptor* value = descriptor.FindValueByNumber(number);
  if (number == 0 || value == nullptr) return "";
  absl::string_view name = value->name();
  absl::ConsumePrefix(&name, Prefix(descriptor));
  return absl::AsciiStrToLower(name);
}

int EnumValueFromShortName(const google::protobuf::EnumDescriptor& descriptor,
                           std::string_view name) {
  if (name.empty()) return 0;
  const google::protobuf::EnumValueDescriptor* value = descriptor.FindValueByName(
      absl::StrCat(Prefix(descriptor), absl::AsciiStrToUpper({name.data(), name.size()})));
  return value == nullptr ? 0 : value->number();
}

}  // namespace gridpilot
