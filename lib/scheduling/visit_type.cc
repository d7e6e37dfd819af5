#include "scheduling/visit_type.h"

#include <algorithm>

namespace th::scheduling {

Status validate_visit_type(const VisitType& type) {
  const bool code_ok =
      !type.code.empty() && type.code.size() <= 32 && std::ranges::all_of(type.code, [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
      });
  if (!code_ok) {
    return Error(ErrorCode::kInvalidArgument,
                 "visit type code must be 1 to 32 characters of a-z, 0-9 and _");
  }
  if (type.name.empty() || type.name.size() > 80) {
    return Error(ErrorCode::kInvalidArgument, "visit type name must be 1 to 80 characters");
  }
  if (type.duration_minutes < 5 || type.duration_minutes > 480 || type.duration_minutes % 5 != 0) {
    return Error(ErrorCode::kInvalidArgument,
                 "duration_minutes must be 5 to 480 in steps of 5 minutes");
  }
  return ok_status();
}

}  // namespace th::scheduling
