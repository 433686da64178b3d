#include "core/alerts/alert_notice.h"

namespace gridpilot::alerts {

std::string_view AlertStatusName(AlertStatus status) {
  return status == AlertStatus::kFiring ? "firing" : "resolved";
}

}  // namespace gridpilot::alerts
