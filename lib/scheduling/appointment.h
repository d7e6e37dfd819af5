// Appointment: one booked visit of a patient with a practitioner, and the
// statuses it moves through (see visit_state_machine.h for the moves).
// Times are UTC instants; the reason for the visit and the reason for a
// cancellation are personal and stored sealed. A plain value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "scheduling/time_window.h"
#include "util/clock.h"
#include "util/result.h"

namespace th::scheduling {

enum class AppointmentStatus {
  kScheduled,   // booked, in the future or not yet arrived
  kCheckedIn,   // the patient is in the waiting room
  kInProgress,  // the visit has begun
  kCompleted,
  kCancelled,
  kNoShow,
};

// "scheduled", "checked_in", "in_progress", "completed", "cancelled", "no_show".
std::string_view appointment_status_name(AppointmentStatus status);
[[nodiscard]] Result<AppointmentStatus> parse_appointment_status(std::string_view name);

struct Appointment {
  std::string id;
  std::string practitioner_id;  // the practitioner's user id
  std::string patient_id;
  std::string visit_type;  // a visit type code
  UnixMicros starts_at = 0;
  UnixMicros ends_at = 0;
  AppointmentStatus status = AppointmentStatus::kScheduled;
  std::string reason;  // reason for the visit, personal; may be empty
  bool urgent = false;
  std::string booked_by;  // user id, or the principal kind for the local operator
  UnixMicros booked_at = 0;
  UnixMicros checked_in_at = 0;
  UnixMicros started_at = 0;
  UnixMicros completed_at = 0;
  UnixMicros no_show_at = 0;
  UnixMicros cancelled_at = 0;
  std::string cancelled_by;
  std::string cancel_reason;  // personal
  std::string updated_by;
  UnixMicros updated_at = 0;
  std::int64_t version = 1;  // bumped on every change (the iCalendar SEQUENCE)

  TimeWindow window() const { return TimeWindow{starts_at, ends_at}; }
  int duration_minutes() const { return static_cast<int>((ends_at - starts_at) / 60'000'000); }
};

}  // namespace th::scheduling
