#include "services/mcp/proto_json.h"

#include <google/protobuf/util/json_util.h>

#include <string>

#include "absl/strings/str_cat.h"

namespace gridpilot::mcp {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using nlohmann::json;

constexpr int kMaxSchemaDepth = 8;

json SchemaOfField(const FieldDescriptor* field, int depth);

json SchemaOfMessageAt(const Descriptor* descriptor, int depth) {
  const std::string& name = descriptor->full_name();
  if (name == "google.protobuf.Timestamp") {
    return json{{"type", "string"}, {"format", "date-time"}};
  }
  if (name == "google.protobuf.Duration") {
    return json{{"type", "string"}, {"description", "seconds with an s suffix, e.g. \"1800s\""}};
  }
  if (depth > kMaxSchemaDepth) return json{{"type", "object"}};
  json properties = json::object();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    properties[field->name()] = SchemaOfField(field, depth + 1);
  }
  return json{{"type", "object"}, {"properties", std::move(properties)}};
}

json SchemaOfSingular(const FieldDescriptor* field, int depth) {
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: return json{{"type", json::array({"number", "string"})}};
    case FieldDescriptor::CPPTYPE_INT64:
    case FieldDescriptor::CPPTYPE_UINT64: return json{{"type", json::array({"string", "integer"})}};
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_UINT32: return json{{"type", "integer"}};
    case FieldDescriptor::CPPTYPE_BOOL: return json{{"type", "boolean"}};
    case FieldDescriptor::CPPTYPE_STRING: return json{{"type", "string"}};
    case FieldDescriptor::CPPTYPE_ENUM: {
      json names = json::array();
      for (int i = 0; i < field->enum_type()->value_count(); ++i) {
        names.push_back(field->enum_type()->value(i)->name());
      }
      return json{{"type", "string"}, {"enum", std::move(names)}};
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: return SchemaOfMessageAt(field->message_type(), depth);
  }
  return json::object();
}

json SchemaOfField(const FieldDescriptor* field, int depth) {
  json single = SchemaOfSingular(field, depth);
  if (field->is_repeated()) return json{{"type", "array"}, {"items", std::move(single)}};
  // Unset message fields and unset proto3 optionals print as absent or null.
  if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE || field->has_presence()) {
    json types = single["type"].is_array() ? single["type"] : json::array({single["type"]});
    types.push_back("null");
    single["type"] = std::move(types);
  }
  return single;
}

}  // namespace

absl::StatusOr<json> ProtoToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string text;
  const auto status = google::protobuf::util::MessageToJsonString(message, &text, options);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("printing ", message.GetTypeName(),
                                            " as JSON: ", std::string(status.message())));
  }
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    return absl::InternalError(absl::StrCat(message.GetTypeName(), " printed invalid JSON"));
  }
  return value;
}

json SchemaOfMessage(const Descriptor* descriptor) { return SchemaOfMessageAt(descriptor, 0); }

}  // namespace gridpilot::mcp
