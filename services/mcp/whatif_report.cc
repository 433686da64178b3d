#include "services/mcp/whatif_report.h"

#include "absl/strings/str_cat.h"

namespace gridpilot::mcp {
namespace {

using nlohmann::json;

// The number at `path` (keys) in `report`, or InvalidArgument naming the path.
absl::StatusOr<double> NumberAt(const json& report, std::initializer_list<const char*> path) {
  const json* at = &report;
  std::string name = "report";
  for (const char* key : path) {
    name = absl::StrCat(name, ".", key);
    if (!at->is_object() || !at->contains(key)) {
      return absl::InvalidArgumentError(absl::StrCat(name, ": missing"));
    }
    at = &(*at)[key];
  }
  if (!at->is_number()) return absl::InvalidArgumentError(absl::StrCat(name, ": not a number"));
  return at->get<double>();
}

json NumberMap() { return {{"type", "object"}, {"additionalProperties", {{"type", "number"}}}}; }

}  // namespace

absl::StatusOr<json> WhatifFigures(const json& report) {
  json figures = json::object();
  const auto ledger = report.find("ledger_gbp");
  if (ledger == report.end() || !ledger->is_object()) {
    return absl::InvalidArgumentError("report.ledger_gbp: missing");
  }
  for (const auto& [cause, gbp] : ledger->items()) {
    if (!gbp.is_number()) {
      return absl::InvalidArgumentError(
          absl::StrCat("report.ledger_gbp.", cause, ": not a number"));
    }
    figures["ledger_gbp"][cause] = gbp.get<double>();
  }
  struct Field {
    const char* name;
    std::initializer_list<const char*> path;
  };
  const Field instability[] = {
      {"penalty_gbp", {"ledger_gbp", "instability_penalty"}},
      {"ramp_events", {"ramp_events"}},
      {"episodes_countered", {"ramp_episodes", "countered"}},
      {"episodes_not_countered", {"ramp_episodes", "not_countered"}},
  };
  figures["instability"] = json::object();
  for (const Field& field : instability) {
    absl::StatusOr<double> value = NumberAt(report, field.path);
    if (!value.ok()) return value.status();
    figures["instability"][field.name] = *value;
  }
  for (const char* key : {"trader_pnl_gbp", "trader_capture_ratio", "battery_cycles", "ticks"}) {
    absl::StatusOr<double> value = NumberAt(report, {key});
    if (!value.ok()) return value.status();
    figures[key] = *value;
  }
  figures["dispatches"] = json::object();
  if (const auto dispatches = report.find("dispatches");
      dispatches != report.end() && dispatches->is_object()) {
    for (const auto& [asset, counts] : dispatches->items()) {
      absl::StatusOr<double> count = NumberAt(counts, {"count"});
      absl::StatusOr<double> mwh = NumberAt(counts, {"mwh"});
      if (!count.ok() || !mwh.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("report.dispatches.", asset, ": needs numbers count and mwh"));
      }
      figures["dispatches"][asset] = {{"count", *count}, {"mwh", *mwh}};
    }
  }
  return figures;
}

json WhatifDifference(const json& baseline, const json& whatif) {
  if (baseline.is_number() && whatif.is_number()) {
    return whatif.get<double>() - baseline.get<double>();
  }
  json out = json::object();
  if (!baseline.is_object() || !whatif.is_object()) return out;
  for (const auto& [key, value] : whatif.items()) {
    const auto base = baseline.find(key);
    if (base == baseline.end()) continue;
    if (value.is_number() && base->is_number()) {
      out[key] = value.get<double>() - base->get<double>();
    } else if (value.is_object() && base->is_object()) {
      out[key] = WhatifDifference(*base, value);
    }
  }
  return out;
}

json WhatifFiguresSchema() {
  const json number = {{"type", "number"}};
  const json counts = {{"type", "object"}, {"properties", {{"count", number}, {"mwh", number}}}};
  const json dispatches = {{"type", "object"}, {"additionalProperties", counts}};
  json properties = json::object();
  properties["ledger_gbp"] = NumberMap();
  properties["instability"] = NumberMap();
  for (const char* key : {"trader_pnl_gbp", "trader_capture_ratio", "battery_cycles", "ticks"}) {
    properties[key] = number;
  }
  properties["dispatches"] = dispatches;
  return {{"type", "object"}, {"properties", properties}};
}

}  // namespace gridpilot::mcp
