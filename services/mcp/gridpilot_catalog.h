// gridpilot's MCP resources (the region glossary with its assets; the live state, which
// is subscribable) and prompts ("explain the last ramp and what was done", "daily
// operations report", "should we dispatch now?"), built over a StackCaller and the
// LiveStateBoard.
#ifndef GRIDPILOT_SERVICES_MCP_GRIDPILOT_CATALOG_H_
#define GRIDPILOT_SERVICES_MCP_GRIDPILOT_CATALOG_H_

#include <vector>

#include "absl/time/time.h"
#include "services/mcp/live_state_board.h"
#include "services/mcp/resources_and_prompts.h"
#include "services/mcp/stack_caller.h"

namespace gridpilot::mcp {

inline constexpr char kLiveStateUri[] = "gridpilot://state/live";
inline constexpr char kGlossaryUri[] = "gridpilot://region/glossary";

// `stack` and `board` must outlive the resources' readers.
std::vector<Resource> GridpilotResources(StackCaller* stack, const LiveStateBoard* board,
                                         absl::Duration call_timeout);
std::vector<Prompt> GridpilotPrompts();

}  // namespace gridpilot::mcp

#endif  // GRIDPILOT_SERVICES_MCP_GRIDPILOT_CATALOG_H_
