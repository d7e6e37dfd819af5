// The visit state machine:
//
//   scheduled --check_in--> checked_in --start--> in_progress --complete--> completed
//   scheduled, checked_in --cancel--> cancelled
//   scheduled, checked_in --no_show--> no_show      (once the start time has passed)
//   scheduled --reschedule--> scheduled             (a new time, same appointment)
//   in_progress --return--> checked_in              (the host sent the patient back to
//                                                    the waiting room)
//
// completed, cancelled and no_show are final. Check-in opens a configurable
// time before the start. Every refusal is kFailedPrecondition with a message
// naming the move and the status, so the caller learns why.
// Pure functions; thread-safe.
#pragma once

#include <string_view>

#include "scheduling/appointment.h"
#include "util/clock.h"
#include "util/result.h"

namespace th::scheduling {

enum class VisitAction { kCheckIn, kStart, kComplete, kCancel, kNoShow, kReschedule, kReturn };

// "check_in", "start", "complete", "cancel", "no_show", "reschedule", "return".
std::string_view visit_action_name(VisitAction action);

// The status `action` leads to from `from`, or why it cannot be taken.
[[nodiscard]] Result<AppointmentStatus> next_status(AppointmentStatus from, VisitAction action);

// Whether the appointment still holds its time: everything but cancelled.
bool holds_time(AppointmentStatus status);
// Whether nothing can happen to it any more.
bool is_final(AppointmentStatus status);

// The timing rules on top of the status rules, at `now`: check-in opens
// `check_in_opens_minutes` before the start and closes at the end; no-show
// only once the start has passed; rescheduling and cancelling only before
// the visit has ended.
[[nodiscard]] Status check_timing(const Appointment& appointment, VisitAction action,
                                  UnixMicros now, int check_in_opens_minutes);

// The appointment after `action` at `now` by `actor`: status and timestamp.
// Call after next_status() and check_timing() have agreed.
void apply_action(Appointment& appointment, VisitAction action, AppointmentStatus to,
                  UnixMicros now, const std::string& actor);

}  // namespace th::scheduling
