// Short names of the API's enum values, the words operators, JSON reports and metric
// labels use: ANOMALY_KIND_FALSE_DATA is "false_data", LEDGER_CAUSE_ARBITRAGE_SOLD is
// "arbitrage_sold". The domain (core/) names its kinds, causes and outcomes with the same
// words, so a service converts a domain value to the API by its name and back.
#ifndef GRIDPILOT_SERVICES_COMMON_PROTO_ENUM_H_
#define GRIDPILOT_SERVICES_COMMON_PROTO_ENUM_H_

#include <google/protobuf/generated_enum_reflection.h>

#include <string>
#include <string_view>

namespace gridpilot {

// The value's name without the enum's prefix, lower case; "" for the zero
// (*_UNSPECIFIED) value and for a number the enum does not define.
std::string EnumValueShortName(const google::protobuf::EnumDescriptor& descriptor, int number);

// The number of the value whose short name is `name`; 0 (*_UNSPECIFIED) if none is.
int EnumValueFromShortName(const google::protobuf::EnumDescriptor& descriptor,
                           std::string_view name);

template <typename Enum>
std::string ShortName(Enum value) {
  return EnumValueShortName(*google::protobuf::GetEnumDescriptor<Enum>(), static_cast<int>(value));
}

template <typename Enum>
Enum FromShortName(std::string_view name) {
  return static_cast<Enum>(
      EnumValueFromShortName(*google::protobuf::GetEnumDescriptor<Enum>(), name));
}

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_COMMON_PROTO_ENUM_H_
