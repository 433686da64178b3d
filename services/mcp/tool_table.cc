#include "services/mcp/tool_table.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace gridpilot::mcp {
namespace {

bool HasType(const json& value, const std::string& type) {
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "string") return value.is_string();
  if (type == "boolean") return value.is_boolean();
  if (type == "null") return value.is_null();
  if (type == "integer") {
    if (value.is_number_integer()) return true;
    return value.is_number_float() && std::isfinite(value.get<double>()) &&
           std::floor(value.get<double>()) == value.get<double>();
  }
  if (type == "number") return value.is_number();
  return false;
}

}  // namespace

void ToolTable::Add(Tool tool) {
  if (const auto found = index_.find(tool.name); found != index_.end()) {
    tools_[found->second] = std::move(tool);
    return;
  }
  index_[tool.name] = tools_.size();
  tools_.push_back(std::move(tool));
}

const Tool* ToolTable::Find(const std::string& name) const {
  const auto found = index_.find(name);
  return found == index_.end() ? nullptr : &tools_[found->second];
}

json ToolTable::Describe(const Tool& tool) {
  json described{{"name", tool.name},
                 {"title", tool.title},
                 {"description", tool.description},
                 {"inputSchema", tool.input_schema},
                 {"annotations",
                  {{"title", tool.title},
                   {"readOnlyHint", tool.annotations.read_only},
                   {"destructiveHint", tool.annotations.destructive},
                   {"idempotentHint", tool.annotations.idempotent},
                   {"openWorldHint", tool.annotations.open_world}}}};
  if (!tool.output_schema.is_null()) described["outputSchema"] = tool.output_schema;
  return described;
}

absl::Status ValidateAgainstSchema(const json& value, const json& schema, const std::string& path) {
  if (!schema.is_object()) return absl::OkStatus();
  if (const auto type = schema.find("type"); type != schema.end()) {
    bool matches = false;
    if (type->is_string()) {
      matches = HasType(value, type->get<std::string>());
    } else if (type->is_array()) {
      for (const json& one : *type) matches = matches || HasType(value, one.get<std::string>());
    }
    if (!matches) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": expected ", type->dump(), ", got ",
                                                     value.type_name(), " ",
                                                     value.dump().substr(0, 80)));
    }
  }
  if (const auto allowed = schema.find("enum"); allowed != schema.end()) {
    bool listed = false;
    for (const json& one : *allowed) listed = listed || one == value;
    if (!listed) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": ", value.dump().substr(0, 80), " is not one of ", allowed->dump()));
    }
  }
  if (value.is_number()) {
    const double number = value.get<double>();
    if (!std::isfinite(number)) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": not a finite number"));
    }
    if (const auto low = schema.find("minimum");
        low != schema.end() && number < low->get<double>()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": ", number, " is below the minimum ", low->get<double>()));
    }
    if (const auto high = schema.find("maximum");
        high != schema.end() && number > high->get<double>()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": ", number, " is above the maximum ", high->get<double>()));
    }
  }
  if (value.is_string()) {
    if (const auto longest = schema.find("maxLength");
        longest != schema.end() &&
        value.get_ref<const std::string&>().size() > longest->get<size_t>()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": longer than ", longest->get<size_t>(), " characters"));
    }
  }
  if (value.is_array()) {
    if (const auto most = schema.find("maxItems");
        most != schema.end() && value.size() > most->get<size_t>()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": more than ", most->get<size_t>(), " items"));
    }
    if (const auto items = schema.find("items"); items != schema.end()) {
      for (size_t i = 0; i < value.size(); ++i) {
        absl::Status item =
            ValidateAgainstSchema(value[i], *items, absl::StrCat(path, "[", i, "]"));
        if (!item.ok()) return item;
      }
    }
  }
  if (value.is_object()) {
    const auto properties = schema.find("properties");
    if (const auto required = schema.find("required"); required != schema.end()) {
      for (const json& name : *required) {
        if (!value.contains(name.get<std::string>())) {
          return absl::InvalidArgumentError(
              absl::StrCat(path, ": missing required property \"", name.get<std::string>(), "\""));
        }
      }
    }
    const auto extra = schema.find("additionalProperties");
    const bool closed = extra != schema.end() && extra->is_boolean() && !extra->get<bool>();
    for (const auto& [key, item] : value.items()) {
      const bool known = properties != schema.end() && properties->contains(key);
      if (!known) {
        if (closed) {
          return absl::InvalidArgumentError(
              absl::StrCat(path, ": unknown property \"", key.substr(0, 64), "\""));
        }
        continue;
      }
      absl::Status field =
          ValidateAgainstSchema(item, properties->at(key), absl::StrCat(path, ".", key));
      if (!field.ok()) return field;
    }
  }
  return absl::OkStatus();
}

}  // namespace gridpilot::mcp
