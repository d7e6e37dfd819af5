#include "scheduling/appointment_updater.h"

namespace th::scheduling {

std::optional<QueueChangeKind> queue_change_between(const Appointment& before,
                                                    const Appointment& after) {
  using S = AppointmentStatus;
  if (before.status != S::kCheckedIn && after.status == S::kCheckedIn) {
    return QueueChangeKind::kJoined;
  }
  if (before.status == S::kCheckedIn && after.status != S::kCheckedIn) {
    return QueueChangeKind::kLeft;
  }
  if (before.status == S::kInProgress && after.status != S::kInProgress) {
    return QueueChangeKind::kFinished;
  }
  if (after.status == S::kCheckedIn && before.urgent != after.urgent) {
    return QueueChangeKind::kReordered;
  }
  return std::nullopt;
}

Result<AppointmentView> AppointmentUpdater::apply(const std::string& appointment_id,
                                                  const access::Caller& caller,
                                                  const AppointmentUpdate& update) {
  audit::AuditEvent event = caller.event(update.action, "appointment", appointment_id);
  AppointmentChange change;
  std::optional<QueueChangeKind> queue_change;
  std::string left_practitioner;
  bool hidden = false;
  const UnixMicros now = clock_.now_micros();
  auto result = database_.run_write_transaction([&](soci::session& session)
                                                    -> Result<AppointmentView> {
    auto found = appointments_.find(session, appointment_id);
    if (!found.ok()) {
      return found.error();
    }
    if (!found->has_value()) {
      return Error(ErrorCode::kNotFound, "no appointment '" + appointment_id + "'");
    }
    Appointment appointment = std::move(**found);
    event.patient_id = appointment.patient_id;

    // Hidden first, then refused: a caller who may not see the appointment
    // learns nothing about it, not even that it exists.
    auto visible = access_.decide(session, caller.principal, appointment, AppointmentRight::kView);
    if (!visible.ok()) {
      return visible.error();
    }
    if (!visible->allowed) {
      hidden = true;
      event.reason = visible->reason;
      return Error(ErrorCode::kNotFound, "no appointment '" + appointment_id + "'");
    }
    auto permitted = access_.decide(session, caller.principal, appointment, update.right);
    if (!permitted.ok()) {
      return permitted.error();
    }
    if (!permitted->allowed) {
      event.reason = permitted->reason;
      return Error(ErrorCode::kPermissionDenied, "not_permitted: " + permitted->reason);
    }

    const Appointment before = appointment;
    TH_RETURN_IF_ERROR(update.change(session, appointment));
    appointment.version = before.version + 1;
    appointment.updated_at = now;
    appointment.updated_by = actor_of(caller);
    TH_RETURN_IF_ERROR(appointments_.update(session, appointment, before.version));
    change = AppointmentChange{
        update.kind, appointment, before.window(), before.status, caller.principal.user_id, now};
    queue_change = queue_change_between(before, appointment);
    if (before.practitioner_id != appointment.practitioner_id &&
        before.status == AppointmentStatus::kCheckedIn) {
      left_practitioner = before.practitioner_id;
    }
    TH_RETURN_IF_ERROR(observers_.pending(session, change));

    auto reason = access_.decide(session, caller.principal, appointment, AppointmentRight::kReason);
    if (!reason.ok()) {
      return reason.error();
    }
    event.emergency = reason->allowed && reason->emergency;
    return AppointmentView{std::move(appointment), reason->allowed};
  });
  if (!result.ok()) {
    mark_failure(event, result.error(), hidden);
    (void)audit_.record(std::move(event));
    return result.error();
  }
  TH_RETURN_IF_ERROR(audit_.record(std::move(event)));
  observers_.committed(change);
  if (queue_change) {
    observers_.queue_changed(
        QueueChange{change.appointment.practitioner_id, change.appointment.id, *queue_change, now});
  }
  // A transfer moves a waiting patient from one queue to another.
  if (!left_practitioner.empty()) {
    observers_.queue_changed(
        QueueChange{left_practitioner, change.appointment.id, QueueChangeKind::kLeft, now});
    observers_.queue_changed(QueueChange{change.appointment.practitioner_id, change.appointment.id,
                                         QueueChangeKind::kJoined, now});
  }
  return result;
}

}  // namespace th::scheduling
