#include "scheduling/appointment_service.h"

#include "crypto/uuid.h"
#include "scheduling/practitioner.h"
#include "scheduling/time_zone.h"
#include "scheduling/visit_state_machine.h"

namespace th::scheduling {
namespace {

constexpr std::size_t kMaxReasonBytes = 1000;
constexpr std::size_t kMaxCancelReasonBytes = 500;
constexpr std::size_t kListingLimit = 500;

Error no_practitioner(const std::string& id) {
  return Error(ErrorCode::kNotFound, "no practitioner '" + id + "'");
}

// A race lost inside the database (a unique key of the slot cells or of the
// start time) reads like the check that came before it.
Error as_slot_taken(const Error& error) {
  if (error.code() == ErrorCode::kConflict && !error.message().starts_with("slot_taken") &&
      !error.message().starts_with("changed_concurrently")) {
    return Error(ErrorCode::kConflict,
                 "slot_taken: the practitioner already has an appointment at that time");
  }
  return error;
}

}  // namespace

Status AppointmentService::check_start(UnixMicros starts_at) const {
  const UnixMicros now = deps_.clock.now_micros();
  if (starts_at <= now) {
    return Error(ErrorCode::kFailedPrecondition, "in_the_past: the start time has passed");
  }
  if (starts_at > now + deps_.settings.booking_horizon_days * kMicrosPerDay) {
    return Error(ErrorCode::kFailedPrecondition,
                 "beyond_horizon: visits can be booked at most " +
                     std::to_string(deps_.settings.booking_horizon_days) + " days ahead");
  }
  return ok_status();
}

Result<AppointmentView> AppointmentService::insert_booking(soci::session& session,
                                                           const BookingRequest& request,
                                                           const access::Caller& caller,
                                                           audit::AuditEvent& event,
                                                           AppointmentChange& change) {
  const access::Principal& principal = caller.principal;
  const std::string patient_id =
      request.patient_id.empty() ? principal.patient_id : request.patient_id;
  if (patient_id.empty()) {
    return Error(ErrorCode::kInvalidArgument, "patient_id is required");
  }
  event.patient_id = patient_id;
  if (const AccessDecision booking = deps_.access.may_book_for(principal, patient_id);
      !booking.allowed) {
    event.reason = booking.reason;
    return Error(ErrorCode::kPermissionDenied, "not_permitted: " + booking.reason);
  }
  auto patient = deps_.patients.find_by_id(session, patient_id);
  if (!patient.ok()) {
    return patient.error();
  }
  if (!patient->has_value()) {
    return Error(ErrorCode::kNotFound, "no patient with that id");
  }
  const auto practitioner = deps_.practitioners.find(session, request.practitioner_id);
  if (!practitioner) {
    return no_practitioner(request.practitioner_id);
  }
  const auto type = deps_.visit_types.find(session, request.visit_type);
  if (!type || !type->active) {
    return Error(ErrorCode::kInvalidArgument, "unknown visit type '" + request.visit_type + "'");
  }
  if (Status licensed = check_licensure(*practitioner, (*patient)->state); !licensed.ok()) {
    event.reason = "not licensed in the patient's state";
    return licensed.error();
  }

  Appointment appointment;
  appointment.id = crypto::new_uuid_v4();
  appointment.practitioner_id = practitioner->user_id;
  appointment.patient_id = patient_id;
  appointment.visit_type = type->code;
  appointment.starts_at = request.starts_at;
  appointment.ends_at = request.starts_at + type->duration_minutes * kMicrosPerMinute;
  TH_RETURN_IF_ERROR(check_start(appointment.starts_at));
  TH_RETURN_IF_ERROR(deps_.calendar.check_fits(session, *practitioner, appointment.window()));

  appointment.reason = request.reason;
  appointment.booked_by = actor_of(caller);
  appointment.booked_at = deps_.clock.now_micros();
  appointment.updated_by = appointment.booked_by;
  appointment.updated_at = appointment.booked_at;
  TH_RETURN_IF_ERROR(deps_.appointments.insert(session, appointment));
  event.resource_id = appointment.id;
  change =
      AppointmentChange{AppointmentChangeKind::kBooked, appointment,       appointment.window(),
                        AppointmentStatus::kScheduled,  principal.user_id, appointment.booked_at};
  TH_RETURN_IF_ERROR(deps_.observers.pending(session, change));
  auto reason = deps_.access.decide(session, principal, appointment, AppointmentRight::kReason);
  if (!reason.ok()) {
    return reason.error();
  }
  return AppointmentView{std::move(appointment), reason->allowed};
}

Result<AppointmentView> AppointmentService::book(const BookingRequest& request,
                                                 const access::Caller& caller) {
  if (request.reason.size() > kMaxReasonBytes) {
    return Error(ErrorCode::kInvalidArgument, "reason must be at most 1000 bytes");
  }
  audit::AuditEvent event = caller.event("book", "appointment");
  AppointmentChange change;
  auto booked = deps_.database.run_write_transaction([&](soci::session& session) {
    return insert_booking(session, request, caller, event, change);
  });
  if (!booked.ok()) {
    const Error error = as_slot_taken(booked.error());
    mark_failure(event, error, false);
    (void)deps_.audit.record(std::move(event));
    return error;
  }
  TH_RETURN_IF_ERROR(deps_.audit.record(std::move(event)));
  deps_.observers.committed(change);
  return booked;
}

Result<AppointmentView> AppointmentService::reschedule(const std::string& id, UnixMicros starts_at,
                                                       const access::Caller& caller) {
  AppointmentUpdate update;
  update.action = "reschedule";
  update.right = AppointmentRight::kManage;
  update.kind = AppointmentChangeKind::kRescheduled;
  update.change = [&](soci::session& session, Appointment& appointment) -> Status {
    const UnixMicros now = deps_.clock.now_micros();
    TH_RETURN_IF_ERROR(next_status(appointment.status, VisitAction::kReschedule));
    TH_RETURN_IF_ERROR(check_timing(appointment, VisitAction::kReschedule, now,
                                    deps_.settings.check_in_opens_minutes));
    TH_RETURN_IF_ERROR(check_start(starts_at));
    const auto practitioner = deps_.practitioners.find(session, appointment.practitioner_id);
    if (!practitioner) {
      return no_practitioner(appointment.practitioner_id);
    }
    const UnixMicros length = appointment.ends_at - appointment.starts_at;
    const TimeWindow moved{starts_at, starts_at + length};
    TH_RETURN_IF_ERROR(deps_.calendar.check_fits(session, *practitioner, moved));
    // The old time is given up first, so a move by part of its length works.
    deps_.appointments.release(session, appointment.id);
    appointment.starts_at = moved.start;
    appointment.ends_at = moved.end;
    return deps_.appointments.claim(session, appointment);
  };
  auto moved = deps_.updater.apply(id, caller, update);
  if (!moved.ok()) {
    return as_slot_taken(moved.error());
  }
  return moved;
}

Result<AppointmentView> AppointmentService::cancel(const std::string& id, const std::string& reason,
                                                   const access::Caller& caller) {
  if (reason.empty() || reason.size() > kMaxCancelReasonBytes) {
    return Error(ErrorCode::kInvalidArgument, "a cancellation needs a reason of 1 to 500 bytes");
  }
  AppointmentUpdate update;
  update.action = "cancel";
  update.right = AppointmentRight::kManage;
  update.kind = AppointmentChangeKind::kCancelled;
  update.change = [&](soci::session& session, Appointment& appointment) -> Status {
    const UnixMicros now = deps_.clock.now_micros();
    auto to = next_status(appointment.status, VisitAction::kCancel);
    if (!to.ok()) {
      return to.error();
    }
    TH_RETURN_IF_ERROR(check_timing(appointment, VisitAction::kCancel, now,
                                    deps_.settings.check_in_opens_minutes));
    apply_action(appointment, VisitAction::kCancel, *to, now, actor_of(caller));
    appointment.cancel_reason = reason;
    deps_.appointments.release(session, appointment.id);
    return ok_status();
  };
  return deps_.updater.apply(id, caller, update);
}

Result<AppointmentView> AppointmentService::find(const std::string& id,
                                                 const access::Caller& caller) {
  audit::AuditEvent event = caller.event("read", "appointment", id);
  bool hidden = false;
  auto found = deps_.database.run([&](soci::session& session) -> Result<AppointmentView> {
    auto stored = deps_.appointments.find(session, id);
    if (!stored.ok()) {
      return stored.error();
    }
    if (!stored->has_value()) {
      return Error(ErrorCode::kNotFound, "no appointment '" + id + "'");
    }
    Appointment& appointment = **stored;
    event.patient_id = appointment.patient_id;
    bool emergency = false;
    auto views = visible(session, {appointment}, caller, emergency);
    if (!views.ok()) {
      return views.error();
    }
    if (views->empty()) {
      hidden = true;
      return Error(ErrorCode::kNotFound, "no appointment '" + id + "'");
    }
    event.emergency = emergency;
    return std::move(views->front());
  });
  if (!found.ok()) {
    mark_failure(event, found.error(), hidden);
    (void)deps_.audit.record(std::move(event));
    return found.error();
  }
  TH_RETURN_IF_ERROR(deps_.audit.record(std::move(event)));
  return found;
}

Result<std::vector<AppointmentView>> AppointmentService::visible(
    soci::session& session, std::vector<Appointment> appointments, const access::Caller& caller,
    bool& emergency) {
  std::vector<AppointmentView> views;
  for (Appointment& appointment : appointments) {
    auto view =
        deps_.access.decide(session, caller.principal, appointment, AppointmentRight::kView);
    if (!view.ok()) {
      return view.error();
    }
    if (!view->allowed) {
      continue;
    }
    auto reason =
        deps_.access.decide(session, caller.principal, appointment, AppointmentRight::kReason);
    if (!reason.ok()) {
      return reason.error();
    }
    emergency = emergency || (reason->allowed && reason->emergency);
    views.push_back(AppointmentView{std::move(appointment), reason->allowed});
  }
  return views;
}

Result<std::vector<AppointmentView>> AppointmentService::listing(const AppointmentFilter& filter,
                                                                 const access::Caller& caller,
                                                                 audit::AuditEvent event) {
  bool emergency = false;
  auto views = deps_.database.run([&](soci::session& session) {
    auto stored = deps_.appointments.list(session, filter);
    if (!stored.ok()) {
      return Result<std::vector<AppointmentView>>(stored.error());
    }
    return visible(session, std::move(*stored), caller, emergency);
  });
  if (!views.ok()) {
    return views.error();
  }
  for (const AppointmentView& view : *views) {
    event.patient_ids.push_back(view.appointment.patient_id);
  }
  event.emergency = emergency;
  TH_RETURN_IF_ERROR(deps_.audit.record(std::move(event)));
  return views;
}

Result<std::vector<AppointmentView>> AppointmentService::list(const AppointmentQuery& query,
                                                              const access::Caller& caller) {
  const access::Principal& principal = caller.principal;
  AppointmentFilter filter;
  filter.practitioner_id = query.practitioner_id;
  filter.patient_id = query.patient_id;
  filter.from = query.span.start;
  filter.to = query.span.end;
  filter.status = query.status;
  filter.limit = kListingLimit;
  if (AppointmentAccess::is_patient(principal)) {
    if (!query.patient_id.empty() && query.patient_id != principal.patient_id) {
      return std::vector<AppointmentView>();
    }
    filter.patient_id = principal.patient_id;
  } else if (!principal.has_permission("patient.demographics")) {
    // Staff who cannot see schedules at large see their own appointments.
    filter.practitioner_id = principal.user_id;
  }
  if (!query.status.empty()) {
    if (auto status = parse_appointment_status(query.status); !status.ok()) {
      return status.error();
    }
  }
  return listing(filter, caller, caller.event("search", "appointment"));
}

Result<std::vector<AppointmentView>> AppointmentService::day_schedule(
    const std::string& practitioner_id, const TimeWindow& day, const access::Caller& caller) {
  if (AppointmentAccess::is_patient(caller.principal)) {
    return Error(ErrorCode::kPermissionDenied, "not_permitted: the day schedule is for staff");
  }
  AppointmentFilter filter;
  filter.practitioner_id = practitioner_id;
  filter.from = day.start;
  filter.to = day.end;
  filter.limit = kListingLimit;
  TH_RETURN_IF_ERROR(deps_.database.run([&](soci::session& session) -> Status {
    if (!deps_.practitioners.find(session, practitioner_id)) {
      return no_practitioner(practitioner_id);
    }
    return ok_status();
  }));
  return listing(filter, caller, caller.event("search", "schedule", practitioner_id));
}

}  // namespace th::scheduling
