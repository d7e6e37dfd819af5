#include "scheduling/visit_state_machine.h"

#include "scheduling/time_zone.h"

namespace th::scheduling {
namespace {

using S = AppointmentStatus;

struct Move {
  VisitAction action;
  AppointmentStatus from;
  AppointmentStatus to;
};

// Every permitted move; anything else is refused.
constexpr Move kMoves[] = {
    {VisitAction::kCheckIn, S::kScheduled, S::kCheckedIn},
    {VisitAction::kStart, S::kCheckedIn, S::kInProgress},
    {VisitAction::kComplete, S::kInProgress, S::kCompleted},
    {VisitAction::kCancel, S::kScheduled, S::kCancelled},
    {VisitAction::kCancel, S::kCheckedIn, S::kCancelled},
    {VisitAction::kNoShow, S::kScheduled, S::kNoShow},
    {VisitAction::kNoShow, S::kCheckedIn, S::kNoShow},
    {VisitAction::kReschedule, S::kScheduled, S::kScheduled},
    {VisitAction::kReturn, S::kInProgress, S::kCheckedIn},
};

Error refused(std::string_view why) {
  return Error(ErrorCode::kFailedPrecondition, std::string(why));
}

}  // namespace

std::string_view visit_action_name(VisitAction action) {
  switch (action) {
    case VisitAction::kCheckIn:
      return "check_in";
    case VisitAction::kStart:
      return "start";
    case VisitAction::kComplete:
      return "complete";
    case VisitAction::kCancel:
      return "cancel";
    case VisitAction::kNoShow:
      return "no_show";
    case VisitAction::kReschedule:
      return "reschedule";
    case VisitAction::kReturn:
      return "return";
  }
  return "check_in";
}

Result<AppointmentStatus> next_status(AppointmentStatus from, VisitAction action) {
  for (const Move& move : kMoves) {
    if (move.action == action && move.from == from) {
      return move.to;
    }
  }
  return refused("invalid_transition: cannot " + std::string(visit_action_name(action)) +
                 " an appointment that is " + std::string(appointment_status_name(from)));
}

bool holds_time(AppointmentStatus status) {
  return status != S::kCancelled;
}

bool is_final(AppointmentStatus status) {
  return status == S::kCompleted || status == S::kCancelled || status == S::kNoShow;
}

Status check_timing(const Appointment& appointment, VisitAction action, UnixMicros now,
                    int check_in_opens_minutes) {
  switch (action) {
    case VisitAction::kCheckIn:
      if (now < appointment.starts_at - check_in_opens_minutes * kMicrosPerMinute) {
        return refused("check_in_not_open: check-in opens " +
                       std::to_string(check_in_opens_minutes) + " minutes before the start");
      }
      if (now >= appointment.ends_at) {
        return refused("check_in_closed: the appointment has ended");
      }
      return ok_status();
    case VisitAction::kNoShow:
      if (now < appointment.starts_at) {
        return refused("too_early: a no-show can be recorded only after the start time");
      }
      return ok_status();
    case VisitAction::kCancel:
    case VisitAction::kReschedule:
      if (now >= appointment.ends_at) {
        return refused("too_late: the appointment has already ended");
      }
      return ok_status();
    case VisitAction::kStart:
    case VisitAction::kComplete:
    case VisitAction::kReturn:
      return ok_status();
  }
  return ok_status();
}

void apply_action(Appointment& appointment, VisitAction action, AppointmentStatus to,
                  UnixMicros now, const std::string& actor) {
  appointment.status = to;
  appointment.updated_at = now;
  appointment.updated_by = actor;
  switch (action) {
    case VisitAction::kCheckIn:
      appointment.checked_in_at = now;
      break;
    case VisitAction::kStart:
      appointment.started_at = now;
      break;
    case VisitAction::kComplete:
      appointment.completed_at = now;
      break;
    case VisitAction::kCancel:
      appointment.cancelled_at = now;
      appointment.cancelled_by = actor;
      break;
    case VisitAction::kNoShow:
      appointment.no_show_at = now;
      break;
    case VisitAction::kReschedule:
      break;
    case VisitAction::kReturn:
      // Back in the queue at its place for its start time and check-in.
      appointment.started_at = 0;
      break;
  }
}

}  // namespace th::scheduling
