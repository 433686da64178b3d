// What MCP calls resources and prompts, as gridpilot-mcp declares them. Resources are
// documents an LLM reads as context (the region glossary with its assets, the live state);
// each has a reader that may call the stack as the caller, and a subscribable one is
// announced with notifications/resources/updated whenever it changes. Prompts are message
// templates a user picks. Pure declarations: the catalog is gridpilot_catalog.h.
#ifndef GRIDPILOT_SERVICES_MCP_RESOURCES_AND_PROMPTS_H_
#define GRIDPILOT_SERVICES_MCP_RESOURCES_AND_PROMPTS_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/mcp/tool_table.h"

namespace gridpilot::mcp {

struct Resource {
  std::string uri;
  std::string name;
  std::string title;
  std::string description;
  std::string mime_type;
  bool subscribable = false;
  // The resource's text now. NotFound or a stack error are JSON-RPC errors to the reader.
  std::function<absl::StatusOr<std::string>(const McpCaller&)> read;
};

struct PromptArgument {
  std::string name;
  std::string description;
  bool required = false;
};

struct Prompt {
  std::string name;
  std::string title;
  std::string description;
  std::vector<PromptArgument> arguments;
  // The user message for the given arguments (all required ones present, checked before).
  std::function<std::string(const nlohmann::json& arguments)> render;
};

}  // namespace gridpilot::mcp

#endif  // GRIDPILOT_SERVICES_MCP_RESOURCES_AND_PROMPTS_H_
