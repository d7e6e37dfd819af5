#include "scheduling/visit_service.h"

namespace th::scheduling {

Result<AppointmentView> VisitService::step(const std::string& id, VisitAction action,
                                           AppointmentRight right, const access::Caller& caller) {
  AppointmentUpdate update;
  update.action = std::string(visit_action_name(action));
  update.right = right;
  update.kind = AppointmentChangeKind::kStatusChanged;
  update.change = [&](soci::session&, Appointment& appointment) -> Status {
    const UnixMicros now = deps_.clock.now_micros();
    auto to = next_status(appointment.status, action);
    if (!to.ok()) {
      return to.error();
    }
    TH_RETURN_IF_ERROR(
        check_timing(appointment, action, now, deps_.settings.check_in_opens_minutes));
    apply_action(appointment, action, *to, now, actor_of(caller));
    return ok_status();
  };
  return deps_.updater.apply(id, caller, update);
}

Result<AppointmentView> VisitService::check_in(const std::string& id,
                                               const access::Caller& caller) {
  return step(id, VisitAction::kCheckIn, AppointmentRight::kCheckIn, caller);
}

Result<AppointmentView> VisitService::start(const std::string& id, const access::Caller& caller) {
  return step(id, VisitAction::kStart, AppointmentRight::kRun, caller);
}

Result<AppointmentView> VisitService::complete(const std::string& id,
                                               const access::Caller& caller) {
  return step(id, VisitAction::kComplete, AppointmentRight::kRun, caller);
}

Result<AppointmentView> VisitService::return_to_waiting(const std::string& id,
                                                        const access::Caller& caller) {
  return step(id, VisitAction::kReturn, AppointmentRight::kRun, caller);
}

Result<AppointmentView> VisitService::transfer(const std::string& id,
                                               const std::string& practitioner_id,
                                               const access::Caller& caller) {
  AppointmentUpdate update;
  update.action = "transfer";
  update.right = AppointmentRight::kRun;
  update.kind = AppointmentChangeKind::kStatusChanged;
  update.change = [&](soci::session& session, Appointment& appointment) -> Status {
    if (appointment.status != AppointmentStatus::kCheckedIn) {
      return Error(ErrorCode::kFailedPrecondition,
                   "invalid_transition: only a checked-in visit can be transferred");
    }
    if (appointment.practitioner_id == practitioner_id) {
      return Error(ErrorCode::kFailedPrecondition,
                   "invalid_transition: the visit is with that practitioner already");
    }
    if (!deps_.practitioners.find(session, practitioner_id)) {
      return Error(ErrorCode::kNotFound, "no practitioner '" + practitioner_id + "'");
    }
    // One visit per practitioner and start time holds in the database.
    AppointmentFilter same_start;
    same_start.practitioner_id = practitioner_id;
    same_start.from = appointment.starts_at;
    same_start.to = appointment.starts_at + 1;
    auto starting = deps_.appointments.list(session, same_start);
    if (!starting.ok()) {
      return starting.error();
    }
    for (const Appointment& other : *starting) {
      if (other.status != AppointmentStatus::kCancelled) {
        return Error(ErrorCode::kFailedPrecondition,
                     "slot_taken: that practitioner has another visit starting then");
      }
    }
    // The visit's time moves to the new practitioner's calendar when it is
    // free there; when it is not, the visit waits in their queue without
    // holding the time (the queue orders it either way).
    deps_.appointments.release(session, appointment.id);
    appointment.practitioner_id = practitioner_id;
    const Status claimed = deps_.appointments.claim(session, appointment);
    if (!claimed.ok() && claimed.error().code() != ErrorCode::kConflict) {
      return claimed.error();
    }
    return ok_status();
  };
  return deps_.updater.apply(id, caller, update);
}

Result<AppointmentView> VisitService::no_show(const std::string& id, const access::Caller& caller) {
  return step(id, VisitAction::kNoShow, AppointmentRight::kNoShow, caller);
}

Result<AppointmentView> VisitService::set_urgent(const std::string& id, bool urgent,
                                                 const access::Caller& caller) {
  AppointmentUpdate update;
  update.action = "triage";
  update.right = AppointmentRight::kTriage;
  update.kind = AppointmentChangeKind::kStatusChanged;
  update.change = [urgent](soci::session&, Appointment& appointment) -> Status {
    if (appointment.status != AppointmentStatus::kScheduled &&
        appointment.status != AppointmentStatus::kCheckedIn) {
      return Error(ErrorCode::kFailedPrecondition,
                   "invalid_transition: urgency applies only to visits not yet begun");
    }
    appointment.urgent = urgent;
    return ok_status();
  };
  return deps_.updater.apply(id, caller, update);
}

Result<VisitService::LoadedQueue> VisitService::load_queue(soci::session& session,
                                                           const std::string& practitioner_id) {
  AppointmentFilter filter;
  filter.practitioner_id = practitioner_id;
  filter.status = std::string(appointment_status_name(AppointmentStatus::kCheckedIn));
  auto waiting = deps_.appointments.list(session, filter);
  filter.status = std::string(appointment_status_name(AppointmentStatus::kInProgress));
  auto under_way = deps_.appointments.list(session, filter);
  if (!waiting.ok() || !under_way.ok()) {
    return waiting.ok() ? under_way.error() : waiting.error();
  }
  // The visit begun last is the one the practitioner is in.
  LoadedQueue loaded;
  for (Appointment& visit : *under_way) {
    if (!loaded.in_progress || visit.started_at > loaded.in_progress->started_at) {
      loaded.in_progress = visit;
    }
  }
  loaded.places = build_queue(std::move(*waiting), loaded.in_progress, deps_.clock.now_micros());
  return loaded;
}

Result<std::vector<QueuePlace>> VisitService::places(const std::string& practitioner_id) {
  return deps_.database.run([&](soci::session& session) -> Result<std::vector<QueuePlace>> {
    auto loaded = load_queue(session, practitioner_id);
    if (!loaded.ok()) {
      return loaded.error();
    }
    return std::move(loaded->places);
  });
}

Result<QueueView> VisitService::queue(const std::string& practitioner_id,
                                      const access::Caller& caller) {
  audit::AuditEvent event = caller.event("read", "queue", practitioner_id);
  auto view = deps_.database.run([&](soci::session& session) -> Result<QueueView> {
    if (!deps_.practitioners.find(session, practitioner_id)) {
      return Error(ErrorCode::kNotFound, "no practitioner '" + practitioner_id + "'");
    }
    auto loaded = load_queue(session, practitioner_id);
    if (!loaded.ok()) {
      return loaded.error();
    }
    const std::optional<Appointment>& in_progress = loaded->in_progress;

    QueueView shown;
    const bool patient = AppointmentAccess::is_patient(caller.principal);
    for (QueuePlace& place : loaded->places) {
      auto visible = deps_.access.decide(session, caller.principal, place.appointment,
                                         AppointmentRight::kView);
      auto reason = deps_.access.decide(session, caller.principal, place.appointment,
                                        AppointmentRight::kReason);
      if (!visible.ok() || !reason.ok()) {
        return visible.ok() ? reason.error() : visible.error();
      }
      if (visible->allowed) {
        event.patient_ids.push_back(place.appointment.patient_id);
        event.emergency = event.emergency || (reason->allowed && reason->emergency);
        shown.reason_visible.push_back(reason->allowed);
        shown.places.push_back(std::move(place));
      }
    }
    if (!patient && in_progress) {
      event.patient_ids.push_back(in_progress->patient_id);
      shown.in_progress = in_progress;
    }
    return shown;
  });
  if (!view.ok()) {
    return view.error();
  }
  TH_RETURN_IF_ERROR(deps_.audit.record(std::move(event)));
  return view;
}

}  // namespace th::scheduling
