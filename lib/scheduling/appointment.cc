#include "scheduling/appointment.h"

#include <array>
#include <utility>

namespace th::scheduling {
namespace {

constexpr std::array<std::pair<AppointmentStatus, std::string_view>, 6> kNames = {{
    {AppointmentStatus::kScheduled, "scheduled"},
    {AppointmentStatus::kCheckedIn, "checked_in"},
    {AppointmentStatus::kInProgress, "in_progress"},
    {AppointmentStatus::kCompleted, "completed"},
    {AppointmentStatus::kCancelled, "cancelled"},
    {AppointmentStatus::kNoShow, "no_show"},
}};

}  // namespace

std::string_view appointment_status_name(AppointmentStatus status) {
  for (const auto& [value, name] : kNames) {
    if (value == status) {
      return name;
    }
  }
  return "scheduled";
}

Result<AppointmentStatus> parse_appointment_status(std::string_view name) {
  for (const auto& [value, known] : kNames) {
    if (known == name) {
      return value;
    }
  }
  return Error(ErrorCode::kInvalidArgument,
               "status must be scheduled, checked_in, in_progress, completed, cancelled or "
               "no_show");
}

}  // namespace th::scheduling
