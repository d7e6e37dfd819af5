// AppointmentAccess: who may see and do what with an appointment, on top of
// the route's permission (appointment.read or appointment.write), which the
// router has already checked.
//
//   view       the patient themselves; the appointment's practitioner; staff
//              who may see the patient's demographics (front desk, clinical
//              staff: a schedule is demographic data)
//   reason     the reason for the visit is clinical: the patient, the
//              practitioner, or staff in the patient's clinical scope (care
//              team, an appointment of their own with the patient, or an
//              emergency grant)
//   book       patients for themselves; staff who may see demographics, for
//              anyone
//   manage     reschedule and cancel: the patient, or staff holding
//              schedule.manage (front desk)
//   check_in   the patient, or staff who can view it
//   run        start and complete the visit: the practitioner, or clinical
//              staff in the patient's clinical scope
//   no_show    the practitioner, or staff holding schedule.manage
//   triage     mark urgent: staff who can view it
//
// Decisions read care teams and grants on the caller's session. Thread-safe.
#pragma once

#include <soci/soci.h>

#include <string>

#include "access/patient_scope.h"
#include "access/principal.h"
#include "scheduling/appointment.h"
#include "util/result.h"

namespace th::scheduling {

enum class AppointmentRight { kView, kReason, kManage, kCheckIn, kRun, kNoShow, kTriage };

struct AccessDecision {
  bool allowed = false;
  bool emergency = false;  // allowed only through a break-glass grant
  std::string reason;      // why not, for the audit trail
};

class AppointmentAccess {
 public:
  explicit AppointmentAccess(access::PatientScope& scope) : scope_(scope) {}

  Result<AccessDecision> decide(soci::session& session, const access::Principal& principal,
                                const Appointment& appointment, AppointmentRight right);

  // Whether the principal may book a visit for the patient.
  AccessDecision may_book_for(const access::Principal& principal, const std::string& patient_id);

  // Whether the principal acts as a patient (and then only for themselves).
  static bool is_patient(const access::Principal& principal) {
    return !principal.patient_id.empty();
  }

 private:
  Result<AccessDecision> in_scope(soci::session& session, const access::Principal& principal,
                                  const std::string& patient_id, access::PatientDataKind kind);

  access::PatientScope& scope_;
};

}  // namespace th::scheduling
