#include "notify/appointment_notifier.h"

namespace th::notify {

Result<NotifyOutcome> AppointmentNotifier::on_appointment_change(soci::session& session,
                                                                 const AppointmentSummary& change) {
  NotifyOutcome outcome;
  const UnixMicros now = clock_.now_micros();
  auto superseded = outbox_.supersede(session, ReminderPlanner::reference_of(change.appointment_id),
                                      change.sequence);
  if (!superseded.ok()) {
    return superseded.error();
  }
  outcome.superseded = *superseded;

  const ContactOptOuts opt_outs = opt_outs_.get(session, change.patient.patient_id);
  for (const NewMessage& message : planner_.plan(change, opt_outs, now)) {
    auto queued = outbox_.enqueue(session, message);
    if (!queued.ok()) {
      return queued.error();
    }
    outcome.queued += *queued ? 1 : 0;
  }

  CalendarEntry entry;
  entry.appointment_id = change.appointment_id;
  entry.practitioner_id = change.practitioner_id;
  entry.patient_id = change.patient.patient_id;
  entry.starts_at = change.starts_at;
  entry.ends_at = change.ends_at;
  entry.sequence = change.sequence;
  entry.cancelled = change.kind == AppointmentEventKind::kCancelled;
  // Initials are stored only when feeds show them: nothing kept that is not used.
  if (attendee_ == FeedAttendee::kInitials) {
    entry.attendee_label = change.patient.initials;
  }
  entry.updated_at = change.changed_at != 0 ? change.changed_at : now;
  auto written = entries_.upsert(session, entry);
  if (!written.ok()) {
    return written.error();
  }
  return outcome;
}

}  // namespace th::notify
