// Status propagation macros for the whole project. Abseil 20220623 ships none,
// so these are the only ones: RETURN_IF_ERROR and ASSIGN_OR_RETURN.
#ifndef GRIDPILOT_CORE_BASE_STATUS_MACROS_H_
#define GRIDPILOT_CORE_BASE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define GP_CONCAT_INNER_(a, b) a##b
#define GP_CONCAT_(a, b) GP_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` (an absl::Status) is not OK.
#define RETURN_IF_ERROR(expr)                 \
  do {                                        \
    const ::absl::Status gp_status_ = (expr); \
    if (!gp_status_.ok()) return gp_status_;  \
  } while (0)

// ASSIGN_OR_RETURN(lhs, rexpr): evaluates rexpr (an absl::StatusOr<T>); on error
// returns its status, otherwise moves the value into lhs (which may declare a variable).
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  GP_ASSIGN_OR_RETURN_IMPL_(GP_CONCAT_(gp_statusor_, __LINE__), lhs, rexpr)

#define GP_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                              \
  if (!statusor.ok()) return statusor.status();         \
  lhs = std::move(statusor).value()

#endif  // GRIDPILOT_CORE_BASE_STATUS_MACROS_H_
