// AppointmentEvents: how other parts of the system learn that an appointment
// was booked, moved, cancelled or changed status (reminders and their
// outbox, calendar feeds), without the scheduling services knowing them.
//
// Each observer is called twice per change:
//   - on_change_pending() inside the change's write transaction, after the
//     appointment row is written. Rows it writes on `session` commit or roll
//     back with the change, which is what a durable outbox needs (a reminder
//     is queued exactly when the booking is). A failure it returns rolls the
//     change back and is reported to the caller. Keep it to a few statements:
//     the practitioner's bookings wait for it.
//   - on_change_committed() after the commit, for in-memory work (waking a
//     sender). It must not block or fail; the change is already durable.
// Observers are registered at start-up, before requests are served, and
// must be thread-safe: changes arrive from many request threads at once.
// Events carry ids and times, never the reason for the visit.
#pragma once

#include <soci/soci.h>

#include <string>

#include "scheduling/appointment.h"
#include "util/result.h"

namespace th::scheduling {

enum class AppointmentChangeKind {
  kBooked,
  kRescheduled,
  kCancelled,
  kStatusChanged,  // check-in, start, completion, no-show, urgency
};

std::string_view appointment_change_kind_name(AppointmentChangeKind kind);

struct AppointmentChange {
  AppointmentChangeKind kind = AppointmentChangeKind::kBooked;
  // The appointment as it is after the change; its version is new.
  Appointment appointment;
  // Before the change: the start and end for kRescheduled, the status for
  // every kind (kScheduled for kBooked).
  TimeWindow previous_window;
  AppointmentStatus previous_status = AppointmentStatus::kScheduled;
  std::string actor_user_id;  // empty for the local operator
  UnixMicros at = 0;
};

class AppointmentEvents {
 public:
  virtual ~AppointmentEvents() = default;
  virtual Status on_change_pending(soci::session& session, const AppointmentChange& change) {
    (void)session;
    (void)change;
    return ok_status();
  }
  virtual void on_change_committed(const AppointmentChange& change) { (void)change; }
};

}  // namespace th::scheduling
