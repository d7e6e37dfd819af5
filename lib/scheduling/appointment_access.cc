#include "scheduling/appointment_access.h"

namespace th::scheduling {
namespace {

AccessDecision allow() {
  return AccessDecision{true, false, ""};
}

AccessDecision deny(std::string reason) {
  return AccessDecision{false, false, std::move(reason)};
}

}  // namespace

Result<AccessDecision> AppointmentAccess::in_scope(soci::session& session,
                                                   const access::Principal& principal,
                                                   const std::string& patient_id,
                                                   access::PatientDataKind kind) {
  auto decision = scope_.decide(session, principal, patient_id, kind);
  if (!decision.ok()) {
    return decision.error();
  }
  return AccessDecision{decision->allowed, decision->emergency, decision->denial_reason};
}

Result<AccessDecision> AppointmentAccess::decide(soci::session& session,
                                                 const access::Principal& principal,
                                                 const Appointment& appointment,
                                                 AppointmentRight right) {
  const bool patient = is_patient(principal);
  const bool own = patient && principal.patient_id == appointment.patient_id;
  const bool practitioner =
      !principal.user_id.empty() && principal.user_id == appointment.practitioner_id;
  if (patient && !own) {
    return deny("patients reach only their own appointments");
  }
  using Kind = access::PatientDataKind;
  switch (right) {
    case AppointmentRight::kView:
    case AppointmentRight::kCheckIn:
      if (own || practitioner) {
        return allow();
      }
      return in_scope(session, principal, appointment.patient_id, Kind::kDemographics);
    case AppointmentRight::kReason:
      if (own || practitioner) {
        return allow();
      }
      return in_scope(session, principal, appointment.patient_id, Kind::kClinical);
    case AppointmentRight::kManage:
      return own || principal.has_permission("schedule.manage")
                 ? allow()
                 : deny("rescheduling and cancelling need schedule.manage");
    case AppointmentRight::kRun:
      if (practitioner) {
        return allow();
      }
      if (patient) {
        return deny("patients do not start or complete visits");
      }
      return in_scope(session, principal, appointment.patient_id, Kind::kClinical);
    case AppointmentRight::kNoShow:
      return practitioner || principal.has_permission("schedule.manage")
                 ? allow()
                 : deny("recording a no-show needs schedule.manage");
    case AppointmentRight::kTriage:
      if (patient) {
        return deny("patients do not set urgency");
      }
      if (practitioner) {
        return allow();
      }
      return in_scope(session, principal, appointment.patient_id, Kind::kDemographics);
  }
  return deny("unknown right");
}

AccessDecision AppointmentAccess::may_book_for(const access::Principal& principal,
                                               const std::string& patient_id) {
  if (is_patient(principal)) {
    return principal.patient_id == patient_id ? allow() : deny("patients book only for themselves");
  }
  return principal.has_permission("patient.demographics")
             ? allow()
             : deny("booking for a patient needs patient.demographics");
}

}  // namespace th::scheduling
